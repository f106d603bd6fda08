package readers

import (
	"fmt"
	"sort"
	"strings"
)

// Role is what a column means to purgeset; the names are those of --column.
type Role string

const (
	RoleID         Role = "id"
	RoleExpiry     Role = "expiry"
	RoleGroup      Role = "group"
	RoleRecordType Role = "record_type"
	RolePurgeDate  Role = "purge_date"
)

// Roles in the order they are reported.
var Roles = []Role{RoleID, RoleExpiry, RoleGroup, RoleRecordType, RolePurgeDate}

// aliases are the default headers of each role (SPEC §2), matched ignoring case.
var aliases = map[Role][]string{
	RoleExpiry:     {"Expiry Date", "User Expiry Date", "Expiration Date"},
	RoleGroup:      {"User Group", "User Group Code"},
	RoleRecordType: {"User Record Type", "Record Type"},
	RolePurgeDate:  {"Purge Date", "User Purge Date"},
}

// Columns maps each role found to its column index; -1 means absent.
type Columns map[Role]int

// Col is the index of role, or -1.
func (c Columns) Col(r Role) int {
	if i, ok := c[r]; ok {
		return i
	}
	return -1
}

// ResolveColumns finds each role's column by header name, ignoring case and
// surrounding space. overrides holds --column ROLE=HEADER. required roles that are
// absent, and roles whose header appears more than once, are input errors: guessing
// which of two "Expiry Date" columns is meant could purge the wrong people.
func (t *Table) ResolveColumns(overrides map[Role]string, required []Role) (Columns, error) {
	cols := Columns{RoleID: t.IDCol}
	byName := map[string][]int{}
	for i, h := range t.Header {
		k := strings.ToLower(strings.TrimSpace(h))
		byName[k] = append(byName[k], i)
	}
	for _, role := range Roles[1:] {
		names := aliases[role]
		if h, ok := overrides[role]; ok {
			names = []string{h}
		}
		var found []int
		for _, n := range names {
			found = append(found, byName[strings.ToLower(strings.TrimSpace(n))]...)
		}
		sort.Ints(found)
		switch {
		case len(found) > 1:
			hs := make([]string, len(found))
			for i, c := range found {
				hs[i] = fmt.Sprintf("%s (%q)", ColumnName(c), t.Header[c])
			}
			return nil, &ParseError{File: t.Name, Row: t.HeaderRow,
				Msg:  fmt.Sprintf("more than one column could be the %s column: %s", role, strings.Join(hs, ", ")),
				Hint: fmt.Sprintf("remove or rename all but one, or pick one with --column %s=HEADER", role)}
		case len(found) == 1:
			cols[role] = found[0]
		}
	}
	for _, role := range required {
		if cols.Col(role) < 0 {
			want := aliases[role]
			if h, ok := overrides[role]; ok {
				want = []string{h}
			}
			return nil, &ParseError{File: t.Name, Row: t.HeaderRow,
				Msg:  fmt.Sprintf("no %s column: looked for a header named %s", role, quoteList(want)),
				Hint: fmt.Sprintf("add the column to the Analytics report, or name yours with --column %s=HEADER", role)}
		}
	}
	return cols, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " or ")
}
