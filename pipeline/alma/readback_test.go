package alma

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline/alma/almafake"
)

// seed uploads list into a fresh fake and returns the set ID.
func seed(t *testing.T, f *almafake.Server, list []string) string {
	t.Helper()
	f.AddUsers(list...)
	c := newClient(t, f)
	set, err := c.CreateSet(context.Background(), "hand", "by hand")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(list); i += MaxBatch {
		if _, err := c.AddMembers(context.Background(), string(set.ID), list[i:min(i+MaxBatch, len(list))]); err != nil {
			t.Fatal(err)
		}
	}
	return string(set.ID)
}

func TestVerifySetMemberIDForms(t *testing.T) {
	list := ids(250)
	for _, tc := range []struct {
		mode string
		ok   bool
	}{{"both", true}, {"id", true}, {"link", true}, {"internal", false}} {
		f := newFake(t)
		id := seed(t, f, list)
		f.Update(func(k *almafake.Knobs) { k.MemberIDs = tc.mode })
		chk, err := VerifySet(context.Background(), newClient(t, f), id, list, nil)
		if err != nil {
			t.Fatal(err)
		}
		if chk.OK() != tc.ok || chk.Read != 250 {
			t.Errorf("%s: ok=%v read=%d findings %v", tc.mode, chk.OK(), chk.Read, chk.Findings)
		}
	}
}

func TestVerifySetFindsDifferences(t *testing.T) {
	list := ids(301)
	f := newFake(t)
	id := seed(t, f, list[:300])
	// a page of one member comes as an object; a short page cap must not lose members
	f.Update(func(k *almafake.Knobs) { k.PageMax = 7 })
	chk, err := VerifySet(context.Background(), newClient(t, f), id, append(append([]string{}, list[1:300]...), list[300]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if chk.OK() || len(chk.Missing) != 1 || chk.Missing[0] != list[300] || len(chk.Extra) != 1 || chk.Extra[0] != list[0] {
		t.Fatalf("missing %v extra %v findings %v", chk.Missing, chk.Extra, chk.Findings)
	}
	for _, fnd := range chk.Findings {
		if strings.Contains(fnd, list[0]) || strings.Contains(fnd, list[300]) {
			t.Errorf("a finding quotes an ID: %s", fnd)
		}
	}
	// exactly one member: the answer's member is an object, not a list
	f2 := newFake(t)
	id2 := seed(t, f2, list[:1])
	chk, err = VerifySet(context.Background(), newClient(t, f2), id2, list[:1], nil)
	if err != nil || !chk.OK() {
		t.Fatalf("one member: %v %v", err, chk.Findings)
	}
}

func TestCheckUsers(t *testing.T) {
	f := newFake(t)
	base := almafake.User{Group: "GRAD", GroupDesc: "Graduates", RecordType: "PUBLIC", Expiry: "2023-05-31", Purge: "2024-01-01"}
	add := func(id string, tweak func(*almafake.User)) RunUser {
		u := base
		u.PrimaryID = id
		if tweak != nil {
			tweak(&u)
		}
		f.AddUser(u)
		return RunUser{ID: id, Group: "Graduates", RecordType: "Public", Expiry: "2023-05-31", Purge: "2024-01-01"}
	}
	users := []RunUser{
		add("ok1", nil),
		add("loans", func(u *almafake.User) { u.Loans = 2 }),
		add("fees", func(u *almafake.User) { u.Fees = 0.5 }),
		add("grp", func(u *almafake.User) { u.Group, u.GroupDesc = "STAFF", "Staff" }),
		add("exp", func(u *almafake.User) { u.Expiry = "2030-01-01" }),
		add("req", func(u *almafake.User) { u.Requests = 1 }),
		{ID: "gone", Group: "Graduates"},
	}
	f.AddUser(almafake.User{PrimaryID: "someone-else", Identifiers: []string{"barcode9"}, Group: "GRAD", RecordType: "PUBLIC"})
	users = append(users, RunUser{ID: "barcode9", Group: "GRAD"}, RunUser{ID: "a/b"})
	c := newClient(t, f)
	res, err := CheckUsers(context.Background(), c, users, CheckOptions{WaiveThreshold: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{UserOK: 2, UserWillSkip: 1, UserDisagrees: 2, UserRequests: 1, UserMissing: 2, UserOtherID: 1}
	for k, v := range want {
		if res.Counts[k] != v {
			t.Errorf("%s: %d, want %d (%v)", k, res.Counts[k], v, res.Users)
		}
	}
	if res.Mismatches() != 5 || c.Calls() != len(users) {
		t.Errorf("mismatches %d calls %d", res.Mismatches(), c.Calls())
	}
	// after Update/Notify: the job group agrees, and the purge date is not the run's
	f.AddUser(almafake.User{PrimaryID: "moved", Group: "PURGE", GroupDesc: "Purge 2024", RecordType: "PUBLIC", Expiry: "2023-05-31", Purge: "2024-06-01"})
	res, _ = CheckUsers(context.Background(), c, []RunUser{{ID: "moved", Group: "Graduates", Expiry: "2023-05-31", Purge: "2024-01-01"}},
		CheckOptions{JobGroup: "Purge 2024"}, nil)
	if res.Counts[UserOK] != 1 {
		t.Errorf("moved user: %v", res.Users)
	}
}

func TestSampleIsSeededAndOrdered(t *testing.T) {
	var users []RunUser
	for _, id := range ids(100) {
		users = append(users, RunUser{ID: id})
	}
	a, b, c := Sample(users, 10, 42), Sample(users, 10, 42), Sample(users, 10, 43)
	if len(a) != 10 || a[0] != b[0] || a[9] != b[9] {
		t.Fatal("not repeatable")
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
		if i > 0 && a[i].ID <= a[i-1].ID {
			t.Fatal("not in run order")
		}
	}
	if same {
		t.Error("another seed picked the same users")
	}
}

func TestErrorBodies(t *testing.T) {
	js := `{"errorsExist":true,"errorList":{"error":{"errorCode":"60115","errorMessage":"m","trackingId":"E01"}},"result":null}`
	xm := `<?xml version="1.0"?><web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans"><errorsExist>true</errorsExist><errorList><error><errorCode>401861</errorCode><errorMessage>x</errorMessage><trackingId>E02</trackingId></error><error><errorCode>2</errorCode></error></errorList></web_service_result>`
	if e := parseErrorBody([]byte(js)); len(e) != 1 || e[0].Code != "60115" || e[0].TrackingID != "E01" {
		t.Errorf("json: %+v", e)
	}
	if e := parseErrorBody([]byte(xm)); len(e) != 2 || e[0].Code != "401861" || e[0].TrackingID != "E02" {
		t.Errorf("xml: %+v", e)
	}
	if e := parseErrorBody([]byte("<html>bad gateway</html>")); len(e) != 0 {
		t.Errorf("html: %+v", e)
	}
}

func TestKeyNeverInErrors(t *testing.T) {
	f := newFake(t)
	f.Update(func(k *almafake.Knobs) { k.EchoKey = true })
	c := newClient(t, f)
	_, err := c.GetUser(context.Background(), "nobody")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatal(err)
	}
	for _, s := range []string{err.Error(), apiErr.Verbose()} {
		if strings.Contains(s, testKey) {
			t.Errorf("the key is in an error: %s", s)
		}
	}
	if !strings.Contains(apiErr.Verbose(), "[api key removed]") {
		t.Errorf("the echoed key was not replaced: %s", apiErr.Verbose())
	}
	// a wrong key: the fake's 401 names no key, and neither does the error
	c2, _ := New(Config{BaseURL: f.URL, APIKey: "l7xxWRONGKEY99999"})
	if err := c2.Test(context.Background()); err == nil || strings.Contains(err.Error(), "WRONGKEY") {
		t.Errorf("wrong key: %v", err)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "https://api-eu.hosted.exlibrisgroup.com", APIKey: ""},
		{BaseURL: "https://api-eu.hosted.exlibrisgroup.com", APIKey: "short"},
		{BaseURL: "https://api-eu.hosted.exlibrisgroup.com", APIKey: "l7xx with space"},
		{BaseURL: "http://api-eu.hosted.exlibrisgroup.com", APIKey: testKey},
		{BaseURL: "https://api-eu.hosted.exlibrisgroup.com?apikey=x", APIKey: testKey},
		{BaseURL: "https://user:pw@api-eu.hosted.exlibrisgroup.com", APIKey: testKey},
		{BaseURL: "api-eu.hosted.exlibrisgroup.com", APIKey: testKey},
		{BaseURL: "https://api-eu.hosted.exlibrisgroup.com", APIKey: testKey, Rate: 26},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg.BaseURL)
		} else if strings.Contains(err.Error(), testKey) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
	c, err := New(Config{BaseURL: "https://api-eu.hosted.exlibrisgroup.com/almaws/v1/", APIKey: testKey})
	if err != nil || c.base.String() != "https://api-eu.hosted.exlibrisgroup.com" {
		t.Errorf("a base URL ending in /almaws/v1 is the gateway: %v %v", c, err)
	}
}

func TestGetRetriesTransientFailures(t *testing.T) {
	f := newFake(t)
	f.AddUsers("u1")
	f.Update(func(k *almafake.Knobs) { k.Fail5xx = 3 })
	if _, err := newClient(t, f).GetUser(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
	// a POST is not resent on a 5xx: its outcome is unknown
	f.Update(func(k *almafake.Knobs) { k.Fail5xx = 1 })
	_, err := newClient(t, f).CreateSet(context.Background(), "x", "y")
	var unknown *OutcomeUnknown
	if !errors.As(err, &unknown) {
		t.Fatalf("got %v", err)
	}
}
