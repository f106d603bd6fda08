package alma

import (
	"fmt"
	"net/http"
	"strings"
)

// Route is one request the client may send: a method, a path template below the base
// URL (a {name} segment matches one non-empty path segment) and, where Alma chooses
// the operation by the op query parameter, the one op allowed.
type Route struct {
	Method string
	Path   string
	Op     string // the op query value required; "" means no op parameter at all
}

func (r Route) String() string {
	s := r.Method + " " + r.Path
	if r.Op != "" {
		s += "?op=" + r.Op
	}
	return s
}

// The only requests purgeset sends. A Configuration read/write key can also delete
// sets and run jobs, and a Users key can update and delete users, so the narrowing
// happens here, not in the key's permissions. Adding a line needs a reason in review:
// no DELETE, no PUT, no jobs, no op other than add_members, ever.
var (
	RouteTest       = Route{http.MethodGet, "/almaws/v1/conf/test", ""}
	RouteCreateSet  = Route{http.MethodPost, "/almaws/v1/conf/sets", ""}
	RouteAddMembers = Route{http.MethodPost, "/almaws/v1/conf/sets/{set_id}", "add_members"}
	RouteGetSet     = Route{http.MethodGet, "/almaws/v1/conf/sets/{set_id}", ""}
	RouteMembers    = Route{http.MethodGet, "/almaws/v1/conf/sets/{set_id}/members", ""}
	RouteGetUser    = Route{http.MethodGet, "/almaws/v1/users/{user_id}", ""}
)

// Allowlist is every Route the client may send.
var Allowlist = []Route{RouteTest, RouteCreateSet, RouteAddMembers, RouteGetSet, RouteMembers, RouteGetUser}

// ErrNotAllowed marks a request outside the allowlist; it is never sent.
var ErrNotAllowed = fmt.Errorf("request not on purgeset's allowlist")

// allowed finds the Route that a request matches; path is the escaped request path
// with the base URL's path removed.
func allowed(method, path string, query map[string][]string) (Route, bool) {
	for _, r := range Allowlist {
		if r.Method != method || !matchTemplate(r.Path, path) {
			continue
		}
		ops := query["op"]
		if r.Op == "" && len(ops) == 0 || len(ops) == 1 && ops[0] == r.Op {
			return r, true
		}
	}
	return Route{}, false
}

// matchTemplate compares an escaped path with a template segment by segment. A
// parameter matches one segment that is neither empty, nor "." or "..", so a user ID
// such as "../conf/jobs" (escaped by the client, but checked again here) can never
// turn into another route.
func matchTemplate(tmpl, path string) bool {
	ts := strings.Split(tmpl, "/")
	ps := strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		p := ps[i]
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if p == "" || p == "." || p == ".." || strings.Contains(p, "%2F") || strings.Contains(p, "%2f") {
				return false
			}
			continue
		}
		if t != p {
			return false
		}
	}
	return true
}

// guard is the http.RoundTripper every request of a Client passes through, whatever
// code path built it: a request that matches no Route is refused before it leaves the
// machine.
type guard struct {
	next     http.RoundTripper
	basePath string // the base URL's path, without a trailing slash
}

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	path := req.URL.EscapedPath()
	if !strings.HasPrefix(path, g.basePath+"/") {
		return nil, fmt.Errorf("%w: %s outside the Alma base URL", ErrNotAllowed, req.Method)
	}
	rel := strings.TrimPrefix(path, g.basePath)
	if _, ok := allowed(req.Method, rel, req.URL.Query()); !ok {
		// The path may hold an ID: name only the method and the shape.
		return nil, fmt.Errorf("%w: %s %s", ErrNotAllowed, req.Method, shape(rel))
	}
	return g.next.RoundTrip(req)
}

// shape is a path with every segment after a known prefix replaced by a placeholder,
// for messages that must not quote an ID.
func shape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if i > 3 && s != "" && s != "members" {
			segs[i] = "…"
		}
	}
	return strings.Join(segs, "/")
}
