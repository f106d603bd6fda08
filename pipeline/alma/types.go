package alma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Alma's JSON is made from XML, so a list of one may come as a single object, a number
// as a string, and a counted element as {"value": n, "link": …}. These types accept
// every such form; which one a given Alma answers with is not documented.

// oneOrMany reads a JSON array, a single object, or null.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*o = nil
		return nil
	case len(b) > 0 && b[0] == '[':
		var many []T
		err := json.Unmarshal(b, &many)
		*o = many
		return err
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = []T{one}
	return nil
}

// flexInt reads 3, "3", {"value": 3} or {"value": "3"}.
type flexInt struct {
	N   int64
	Set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		b = v.Value
	}
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("not a whole number: %.40q", s)
	}
	f.N, f.Set = n, true
	return nil
}

// flexFloat reads an amount: 12.5, "12.5", {"value": 12.5}, {"value": "12.5"}.
type flexFloat struct {
	F   float64
	Set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		b = v.Value
	}
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := strings.TrimSpace(strings.Trim(string(b), `"`))
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40q", s)
	}
	f.F, f.Set = n, true
	return nil
}

// flexString reads "x" or a number (set IDs are long numbers that may come unquoted).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		*f = flexString(s)
		return err
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// CodeDesc is Alma's {"value": code, "desc": description}.
type CodeDesc struct {
	Value string `json:"value"`
	Desc  string `json:"desc"`
}

// Set is the part of Alma's Set object purgeset reads.
type Set struct {
	ID            flexString `json:"id"`
	Name          string     `json:"name"`
	Description   string     `json:"description"`
	Type          CodeDesc   `json:"type"`
	Content       CodeDesc   `json:"content"`
	Private       CodeDesc   `json:"private"`
	NumberMembers flexInt    `json:"number_of_members"`
}

// newSet is the body of a set creation.
type newSet struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Type        CodeDesc `json:"type"`
	Content     CodeDesc `json:"content"`
	Private     CodeDesc `json:"private"`
}

// Member is one member of a set. Whether a user member's id is the primary ID is not
// documented; one client reads it from the tail of link instead. Both are kept.
type Member struct {
	ID          flexString `json:"id"`
	Description string     `json:"description"`
	Link        string     `json:"link"`
}

// LinkID is the user ID at the end of the member's link (…/users/{id}), or "".
func (m Member) LinkID() string {
	u, err := url.Parse(m.Link)
	if err != nil {
		return ""
	}
	p := u.EscapedPath()
	i := strings.LastIndex(p, "/users/")
	if i < 0 {
		return ""
	}
	tail := p[i+len("/users/"):]
	if tail == "" || strings.Contains(tail, "/") {
		return ""
	}
	id, err := url.PathUnescape(tail)
	if err != nil {
		return ""
	}
	return id
}

type membersPage struct {
	Member oneOrMany[Member] `json:"member"`
	Total  flexInt           `json:"total_record_count"`
}

type addMembers struct {
	Members struct {
		Member []memberRef `json:"member"`
	} `json:"members"`
}

type memberRef struct {
	ID string `json:"id"`
}

// User is the part of Alma's User object check-users reads.
type User struct {
	PrimaryID  string    `json:"primary_id"`
	UserGroup  CodeDesc  `json:"user_group"`
	RecordType CodeDesc  `json:"record_type"`
	Status     CodeDesc  `json:"status"`
	ExpiryDate string    `json:"expiry_date"`
	PurgeDate  string    `json:"purge_date"`
	Loans      flexInt   `json:"loans"`
	Requests   flexInt   `json:"requests"`
	Fees       flexFloat `json:"fees"`
}
