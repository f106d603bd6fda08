package almafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

type codeDesc struct {
	Value string `json:"value"`
	Desc  string `json:"desc,omitempty"`
}

func (s *Server) setJSON(st *set, count int) map[string]any {
	return map[string]any{
		"id": st.id, "name": st.name, "description": st.desc,
		"type": codeDesc{st.typ, ""}, "content": codeDesc{st.content, ""}, "private": codeDesc{st.private, ""},
		"created_by":        map[string]string{"value": "exl_api"},
		"number_of_members": map[string]any{"value": count, "link": s.URL + "/almaws/v1/conf/sets/" + st.id + "/members"},
		"link":              s.URL + "/almaws/v1/conf/sets/" + st.id,
	}
}

func (s *Server) createSet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name, Description string
		Type, Content     codeDesc
		Private           *codeDesc
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		s.fail(w, r, http.StatusBadRequest, "402254", "the set body is not valid")
		return
	}
	if in.Content.Value != "USER" || (in.Type.Value != "ITEMIZED" && in.Type.Value != "LOGICAL") {
		s.fail(w, r, http.StatusBadRequest, "402255", "content or type not supported")
		return
	}
	s.mu.Lock()
	if s.setNames[in.Name] {
		s.mu.Unlock()
		s.fail(w, r, http.StatusBadRequest, "402263", "A set with the name "+in.Name+" already exists")
		return
	}
	private := "true" // Alma's default
	if in.Private != nil {
		private = in.Private.Value
	}
	st := &set{id: strconv.Itoa(s.nextID), name: in.Name, desc: in.Description, content: in.Content.Value,
		typ: in.Type.Value, private: private, in: map[string]bool{}}
	s.nextID += 1000
	s.sets[st.id] = st
	s.setNames[st.name] = true
	body := s.setJSON(st, 0)
	s.mu.Unlock()
	writeJSON(w, body)
}

func (s *Server) getSet(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	st := s.sets[id]
	var body map[string]any
	if st != nil {
		body = s.setJSON(st, s.count(st))
	}
	s.mu.Unlock()
	if st == nil {
		s.fail(w, r, http.StatusBadRequest, "402221", "set "+id+" not found")
		return
	}
	writeJSON(w, body)
}

// count is number_of_members, which LieCount makes include the dropped ID.
func (s *Server) count(st *set) int {
	n := len(st.members)
	if s.k.LieCount && s.k.DropID != "" && st.in["\x00dropped"] {
		n++
	}
	return n
}

func (s *Server) addMembers(w http.ResponseWriter, r *http.Request, id string) {
	var in struct {
		Members struct {
			Member []struct {
				ID string `json:"id"`
			} `json:"member"`
		} `json:"members"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.fail(w, r, http.StatusBadRequest, "402254", "the members body is not valid")
		return
	}
	failOnInvalid := r.URL.Query().Get("fail_on_invalid_id") != "false"
	s.mu.Lock()
	s.addCalls++
	cut := s.k.CutAddMembers == s.addCalls
	slow := time.Duration(0)
	if s.k.SlowAddMembers == s.addCalls {
		slow = s.k.SlowFor
	}
	if cut && s.k.CutBeforeAdd {
		s.mu.Unlock()
		hangUp(w)
		return
	}
	st := s.sets[id]
	if st == nil {
		s.mu.Unlock()
		s.fail(w, r, http.StatusBadRequest, "402221", "set "+id+" not found")
		return
	}
	ms := in.Members.Member
	code, msg := "", ""
	seen := map[string]bool{}
	var valid []string
	switch {
	case len(ms) == 0:
		code, msg = "60113", "No members were given"
	case len(ms) > 1000:
		code, msg = "60118", "The list of members exceeds the limit of 1000"
	}
	for _, m := range ms {
		if code == "60113" || code == "60118" {
			break
		}
		_, known := s.users[m.ID]
		switch {
		case m.ID == "":
			code, msg = "60114", "A member has no ID"
		case seen[m.ID]:
			code, msg = "60119", "Member "+m.ID+" appears twice in the input"
		case st.in[m.ID]:
			code, msg = "60115", "Member "+m.ID+" is already in the set"
		case !known && failOnInvalid:
			code, msg = "60116", "Member "+m.ID+" is not valid for the set's content"
		case known:
			valid = append(valid, m.ID)
		}
		seen[m.ID] = true
	}
	if code == "" || s.k.PartialOnError {
		for _, v := range valid {
			if v == s.k.DropID {
				st.in["\x00dropped"] = true
				continue
			}
			st.members = append(st.members, v)
			st.in[v] = true
		}
	}
	body := s.setJSON(st, s.count(st))
	s.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case cut:
		hangUp(w)
	case code != "":
		s.fail(w, r, http.StatusBadRequest, code, msg)
	default:
		writeJSON(w, body)
	}
}

// hangUp closes the connection without an answer, as a network failure would.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (s *Server) members(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 10
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	s.mu.Lock()
	st := s.sets[id]
	if st == nil {
		s.mu.Unlock()
		s.fail(w, r, http.StatusBadRequest, "402221", "set "+id+" not found")
		return
	}
	pageMax := s.k.PageMax
	if pageMax <= 0 {
		pageMax = 100
	}
	limit = min(limit, pageMax)
	var page []map[string]string
	for i := max(offset, 0); i < len(st.members) && len(page) < limit; i++ {
		m := st.members[i]
		link := s.URL + "/almaws/v1/users/" + url.PathEscape(m)
		entry := map[string]string{"id": m, "description": "member", "link": link}
		switch s.k.MemberIDs {
		case "id":
			delete(entry, "link")
		case "link":
			delete(entry, "id")
		case "internal":
			entry["id"] = fmt.Sprintf("%d", 2200000000+i)
		}
		page = append(page, entry)
	}
	total := len(st.members)
	s.mu.Unlock()
	body := map[string]any{"total_record_count": total}
	if len(page) == 1 {
		body["member"] = page[0] // Alma's XML-made JSON gives a list of one as an object
	} else if len(page) > 1 {
		body["member"] = page
	}
	writeJSON(w, body)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	idType := q.Get("user_id_type")
	s.mu.Lock()
	u := s.users[id]
	if u == nil && (idType == "" || idType == "all_unique") {
		u = s.users[s.ident[id]]
	}
	var body map[string]any
	if u != nil {
		body = userJSON(u, q.Get("expand"))
	}
	s.mu.Unlock()
	switch {
	case u == nil && (idType == "" || idType == "all_unique"):
		s.fail(w, r, http.StatusBadRequest, "401861", "User with identifier "+id+" was not found.")
	case u == nil:
		s.fail(w, r, http.StatusBadRequest, "401890", "User with identifier "+id+" of type "+idType+" was not found.")
	default:
		writeJSON(w, body)
	}
}

func userJSON(u *User, expand string) map[string]any {
	date := func(d string) string {
		if d == "" {
			return ""
		}
		return d + "Z"
	}
	desc := map[string]string{"PUBLIC": "Public", "STAFF": "Staff", "CONTACT": "Contact"}
	b := map[string]any{
		"primary_id":  u.PrimaryID,
		"user_group":  codeDesc{u.Group, u.GroupDesc},
		"record_type": codeDesc{u.RecordType, desc[u.RecordType]},
		"status":      codeDesc{"ACTIVE", "Active"},
	}
	if d := date(u.Expiry); d != "" {
		b["expiry_date"] = d
	}
	if d := date(u.Purge); d != "" {
		b["purge_date"] = d
	}
	for _, e := range []struct {
		name string
		v    any
	}{{"loans", u.Loans}, {"requests", u.Requests}, {"fees", u.Fees}} {
		if containsWord(expand, e.name) {
			b[e.name] = map[string]any{"value": e.v, "link": "…"}
		}
	}
	return b
}

func containsWord(list, w string) bool {
	return slices.Contains(strings.Split(list, ","), w)
}
