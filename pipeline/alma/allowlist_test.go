package alma

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline/alma/almafake"
)

// The allowlist itself: nothing that deletes, updates or runs anything.
func TestAllowlistHasNoDangerousRoute(t *testing.T) {
	for _, r := range Allowlist {
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			t.Errorf("%s: only GET and POST are allowed", r)
		case r.Method == http.MethodPost && r != RouteCreateSet && r != RouteAddMembers:
			t.Errorf("%s: the only POSTs are set creation and add_members", r)
		case strings.Contains(r.Path, "/jobs") || strings.Contains(r.Path, "/users") && r.Method != http.MethodGet:
			t.Errorf("%s: no jobs, nothing but GET on users", r)
		case r.Op != "" && r.Op != "add_members":
			t.Errorf("%s: the only op is add_members", r)
		}
	}
}

// Every code path that sends a request, in its normal and its fault modes, against
// the fake: every request that reached the server is on the allowlist, and every entry
// of the allowlist is used by some path (an unused entry is a door left open).
func TestEveryRequestIsAllowlisted(t *testing.T) {
	hit := map[Route]int{}
	merge := func(h map[Route]int) {
		for r, n := range h {
			hit[r] += n
		}
	}
	modes := []func(*almafake.Knobs){
		func(*almafake.Knobs) {},
		func(k *almafake.Knobs) { k.CutAddMembers = 1 },
		func(k *almafake.Knobs) { k.CutAddMembers, k.CutBeforeAdd = 1, true },
		func(k *almafake.Knobs) { k.Storm429, k.XMLErrors = 3, true },
		func(k *almafake.Knobs) { k.Fail5xx = 2 },
		func(k *almafake.Knobs) { k.DropID = "s0000002" },
		func(k *almafake.Knobs) { k.PartialOnError, k.CutAddMembers = true, 1 },
		func(k *almafake.Knobs) { k.MemberIDs = "internal" },
	}
	ctx := context.Background()
	for _, mode := range modes {
		f := newFake(t)
		list := ids(1205)
		f.AddUsers(list[:1204]...)
		f.Update(mode)
		c := newClient(t, f)
		res, _ := upload(t, c, list[:1204])
		upload(t, c, list) // 60116 on the last ID
		if res != nil && res.SetID != "" {
			VerifySet(ctx, c, res.SetID, list, nil)
		}
		users := []RunUser{{ID: list[0], Group: "Graduates"}, {ID: "nobody"}}
		CheckUsers(ctx, c, users, CheckOptions{}, nil)
		merge(checkAllowed(t, f))
	}
	for _, r := range Allowlist {
		if hit[r] == 0 {
			t.Errorf("%s is on the allowlist but no code path sends it", r)
		}
	}
}

// The guard refuses, before anything leaves the machine, whatever a future code path
// might build.
func TestGuardRefusesOtherRequests(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f)
	bad := []struct{ method, path string }{
		{"DELETE", "/almaws/v1/conf/sets/123"},
		{"DELETE", "/almaws/v1/users/jdoe"},
		{"PUT", "/almaws/v1/users/jdoe"},
		{"POST", "/almaws/v1/users/jdoe"},
		{"POST", "/almaws/v1/conf/jobs/M148?op=run"},
		{"POST", "/almaws/v1/conf/sets/123?op=delete_members"},
		{"POST", "/almaws/v1/conf/sets/123?op=replace_members"},
		{"POST", "/almaws/v1/conf/sets/123?op=add_members&op=delete_members"},
		{"POST", "/almaws/v1/conf/sets/123"},
		{"GET", "/almaws/v1/conf/sets/123/members/456"},
		{"GET", "/almaws/v1/users/..%2Fconf%2Fjobs"},
		{"GET", "/almaws/v1/users/jdoe/loans"},
		{"GET", "/almaws/v1/users"},
		{"GET", "/other/almaws/v1/conf/test"},
	}
	for _, b := range bad {
		req, _ := http.NewRequest(b.method, f.URL+b.path, nil)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s %s: got %v, want ErrNotAllowed", b.method, b.path, err)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d refused requests reached the server", n)
	}
	// A user ID that looks like a path is escaped into one segment, and a segment
	// holding an escaped slash or dots is refused all the same.
	for _, id := range []string{"../conf/jobs/M148", "..", "a/b"} {
		if _, err := c.GetUser(context.Background(), id); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("GetUser(%q): %v", id, err)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d odd IDs reached the server", n)
	}
}

// Every call of Client.do in the package's source names one of the route variables:
// a request built elsewhere would bypass this list (the guard would still refuse it).
func TestSourceSendsOnlyRouteVariables(t *testing.T) {
	known := map[string]bool{}
	for _, name := range []string{"RouteTest", "RouteCreateSet", "RouteAddMembers", "RouteGetSet", "RouteMembers", "RouteGetUser"} {
		known[name] = true
	}
	if len(known) != len(Allowlist) {
		t.Fatalf("the allowlist has %d routes, this test knows %d", len(Allowlist), len(known))
	}
	files, _ := filepath.Glob("*.go")
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "do":
				calls++
				if id, ok := call.Args[1].(*ast.Ident); !ok || !known[id.Name] {
					t.Errorf("%s: c.do called with a route that is not a Route variable", name)
				}
			case "Do", "Get", "Post", "PostForm", "Head", "RoundTrip":
				if name != "client.go" && name != "allowlist.go" {
					t.Errorf("%s: sends HTTP outside client.go (%s)", name, sel.Sel.Name)
				}
			}
			return true
		})
	}
	if calls != len(Allowlist) {
		t.Errorf("%d calls of c.do, want one per route (%d)", calls, len(Allowlist))
	}
}
