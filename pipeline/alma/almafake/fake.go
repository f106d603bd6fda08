// Package almafake is a local stand-in for the Alma REST API, built from the behaviour
// DOMAIN.md documents, for tests only: sets and their members, users, XML and JSON
// error bodies, the per-second limit, the daily budget header, and the faults an
// upload must survive (slow and failing answers, a cut connection, an ID dropped
// without a word).
package almafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a user the fake knows.
type User struct {
	PrimaryID   string
	Identifiers []string // other unique identifiers (barcodes…), matched by all_unique
	Group       string   // code
	GroupDesc   string
	RecordType  string // code: PUBLIC, STAFF, CONTACT
	Expiry      string // YYYY-MM-DD or ""
	Purge       string
	Loans       int
	Requests    int
	Fees        float64
}

// Knobs steer the fake's behaviour; change them with Update.
type Knobs struct {
	Remaining      int64         // X-Exl-Api-Remaining, counted down per request; < 0: no header
	PerSecond      int           // answer 429 PER_SECOND_THRESHOLD above this many requests in a second; 0: no limit
	Storm429       int           // the next this many requests get 429
	Daily429       bool          // every request gets 429 DAILY_THRESHOLD
	Fail5xx        int           // the next this many requests get 503 with an HTML body
	Delay          time.Duration // every answer waits this long
	XMLErrors      bool          // error bodies in XML (Alma's default), else JSON
	EchoKey        bool          // error bodies repeat the Authorization header, as a careless proxy might
	CutAddMembers  int           // the k-th add_members call (from 1) has its connection cut
	CutBeforeAdd   bool          // with CutAddMembers: cut before adding (else after)
	SlowAddMembers int           // the k-th add_members call (from 1) adds, then answers only after SlowFor
	SlowFor        time.Duration
	DropID         string // add_members accepts this ID and silently does not add it
	LieCount       bool   // with DropID: number_of_members counts the dropped ID anyway
	PartialOnError bool   // a batch that fails adds its valid members anyway
	MemberIDs      string // members carry "both" (default) id and link, "id", "link", or "internal" ids
	PageMax        int    // most members per page (default 100)
}

// Request is one request the fake received.
type Request struct {
	Method, Path, RawQuery string
	Auth                   string
	At                     time.Time
}

type set struct {
	id, name, desc, content, typ, private string
	members                               []string
	in                                    map[string]bool
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	Key string

	mu       sync.Mutex
	k        Knobs
	users    map[string]*User
	ident    map[string]string
	sets     map[string]*set
	setNames map[string]bool
	nextID   int
	addCalls int
	tracking int
	requests []Request
	recent   []time.Time
}

// New starts a fake that accepts key.
func New(key string) *Server {
	s := &Server{Key: key, users: map[string]*User{}, ident: map[string]string{}, sets: map[string]*set{},
		setNames: map[string]bool{}, nextID: 9100000000000561, k: Knobs{Remaining: -1}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Update changes the knobs.
func (s *Server) Update(f func(k *Knobs)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.k)
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u
	s.users[u.PrimaryID] = &c
	for _, id := range u.Identifiers {
		s.ident[id] = u.PrimaryID
	}
}

// AddUsers adds plain Public users with these primary IDs.
func (s *Server) AddUsers(ids ...string) {
	for _, id := range ids {
		s.AddUser(User{PrimaryID: id, Group: "GRAD", GroupDesc: "Graduates", RecordType: "PUBLIC"})
	}
}

// Requests is every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request{}, s.requests...)
}

// Count counts requests with this method whose path ends with suffix and whose query
// holds op (when op is not "").
func (s *Server) Count(method, suffix, op string) int {
	n := 0
	for _, r := range s.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if r.Method == method && strings.HasSuffix(r.Path, suffix) && (op == "" || q.Get("op") == op) {
			n++
		}
	}
	return n
}

// Members is the members of a set, in the order added; nil when there is no such set.
func (s *Server) Members(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.sets[id]; st != nil {
		return append([]string{}, st.members...)
	}
	return nil
}

// SetIDs lists the sets created.
func (s *Server) SetIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.sets {
		ids = append(ids, id)
	}
	return ids
}

// Private is the private flag a set was created with.
func (s *Server) Private(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.sets[id]; st != nil {
		return st.private
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), At: now})
	k := s.k
	s.mu.Unlock()
	if k.Delay > 0 {
		select {
		case <-time.After(k.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Header.Get("Authorization") != "apikey "+s.Key {
		s.fail(w, r, http.StatusUnauthorized, "UNAUTHORIZED", "API-key not defined or not configured to allow this API.")
		return
	}
	if !s.admit(w, r, now) {
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/almaws/v1/"), "/")
	for i, seg := range segs {
		segs[i], _ = url.PathUnescape(seg)
	}
	op := r.URL.Query().Get("op")
	switch {
	case r.Method == "GET" && len(segs) == 2 && segs[0] == "conf" && segs[1] == "test":
		writeJSON(w, map[string]string{"result": "GET request OK"})
	case r.Method == "POST" && len(segs) == 2 && segs[0] == "conf" && segs[1] == "sets" && op == "":
		s.createSet(w, r)
	case r.Method == "GET" && len(segs) == 3 && segs[0] == "conf" && segs[1] == "sets":
		s.getSet(w, r, segs[2])
	case r.Method == "POST" && len(segs) == 3 && segs[0] == "conf" && segs[1] == "sets" && op == "add_members":
		s.addMembers(w, r, segs[2])
	case r.Method == "GET" && len(segs) == 4 && segs[0] == "conf" && segs[1] == "sets" && segs[3] == "members":
		s.members(w, r, segs[2])
	case r.Method == "GET" && len(segs) == 2 && segs[0] == "users":
		s.getUser(w, r, segs[1])
	default:
		s.fail(w, r, http.StatusBadRequest, "UNKNOWN_ROUTE", "the fake does not serve "+r.Method+" "+r.URL.Path)
	}
}

// admit applies the budget header, the per-second limit and the injected faults.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, now time.Time) bool {
	s.mu.Lock()
	k := &s.k
	if k.Remaining >= 0 {
		if k.Remaining > 0 {
			k.Remaining--
		}
		w.Header().Set("X-Exl-Api-Remaining", strconv.FormatInt(k.Remaining, 10))
	}
	keep := s.recent[:0]
	for _, t := range s.recent {
		if now.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	s.recent = append(keep, now)
	over := k.PerSecond > 0 && len(s.recent) > k.PerSecond
	storm := k.Storm429 > 0
	if storm {
		k.Storm429--
	}
	daily := k.Daily429
	fail := k.Fail5xx > 0
	if fail {
		k.Fail5xx--
	}
	s.mu.Unlock()
	switch {
	case daily:
		s.fail(w, r, http.StatusTooManyRequests, "DAILY_THRESHOLD", "Daily threshold reached")
	case over || storm:
		s.fail(w, r, http.StatusTooManyRequests, "PER_SECOND_THRESHOLD", "HTTP requests are more than allowed per second")
	case fail:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
	default:
		return true
	}
	return false
}

// fail writes an Alma error body, XML or JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	s.mu.Lock()
	s.tracking++
	tid := fmt.Sprintf("E01-FAKE-%04d", s.tracking)
	xmlErr, echo := s.k.XMLErrors, s.k.EchoKey
	s.mu.Unlock()
	if echo {
		msg += " (request header: " + r.Header.Get("Authorization") + ")"
	}
	if xmlErr {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans"><errorsExist>true</errorsExist><errorList><error><errorCode>%s</errorCode><errorMessage>%s</errorMessage><trackingId>%s</trackingId></error></errorList></web_service_result>`,
			xmlEscape(code), xmlEscape(msg), tid)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errorsExist": true, "errorList": map[string]any{
		"error": []map[string]string{{"errorCode": code, "errorMessage": msg, "trackingId": tid}}}, "result": nil})
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
