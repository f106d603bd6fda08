package pipeline

import (
	"fmt"
	"strings"
	"testing"
)

func TestNearValues(t *testing.T) {
	found := []valueCount{{"Undergraduate", 121}, {"Alumni", 91}, {"Graduates 2021", 46}, {"Staff", 7}, {"", 2}}
	for _, c := range []struct {
		v    string
		want string
	}{
		{"alumni", `"Alumni"`},
		{"ALUMNI", `"Alumni"`},
		{"Alumnus", `"Alumni"`},  // two edits
		{"Alumnxyz", ``},         // four
		{"“Alumni”", `"Alumni"`}, // curly double quotes
		{"‘Alumni’", `"Alumni"`}, // curly single quotes
		{"'Graduates 2021'", `"Graduates 2021"`},
		{" graduates   2021 ", `"Graduates 2021"`}, // case and white space
		{"Stuff", `"Staff"`},
		{"Zebra", ``},
	} {
		if got := strings.Join(nearValues(c.v, found, false), " or "); got != c.want {
			t.Errorf("nearValues(%q) = %s, want %s", c.v, got, c.want)
		}
	}
	// Ignoring case, one spelling is enough.
	types := []valueCount{{"Public", 295}, {"public", 1}}
	if got := nearValues("Publik", types, true); len(got) != 1 || got[0] != `"Public"` {
		t.Errorf("nearValues(Publik, fold) = %v", got)
	}
}

// TestValueCountsBounded: a column of millions of distinct values (not a user group
// column at all) keeps at most maxDistinct of them; the rest are counted.
func TestValueCountsBounded(t *testing.T) {
	v := newValueCounts()
	for i := 0; i < maxDistinct+5; i++ {
		v.add(fmt.Sprint("g", i))
	}
	v.add("g1")
	if len(v.n) != maxDistinct || v.other != 5 || v.n["g1"] != 2 {
		t.Errorf("%d values kept, %d other, g1 %d", len(v.n), v.other, v.n["g1"])
	}
}

// TestSelectionMessage: the found values are listed most rows first, at most 20, and
// at most 10 unmatched values are named.
func TestSelectionMessage(t *testing.T) {
	found := newValueCounts()
	for i := 0; i < 25; i++ {
		for j := 0; j <= i; j++ {
			found.add(fmt.Sprintf("Group %02d", i))
		}
	}
	var values []string
	for i := 0; i < 12; i++ {
		values = append(values, fmt.Sprintf("Nothing %02d", i))
	}
	s := &selection{flag: "--group", what: "user groups", values: values, found: found,
		match: func(v, f string) bool { return v == f }}
	msg := s.message(s.unmatched())
	if !strings.Contains(msg, `(rows): "Group 24" 25, "Group 23" 24,`) || !strings.Contains(msg, `"Group 05" 6, and 5 more`) {
		t.Errorf("found values not listed most first, 20 at most:\n%s", msg)
	}
	if strings.Count(msg, "matches no data row") != 10 || !strings.Contains(msg, "and 2 more values match no data row") {
		t.Errorf("unmatched values not capped at 10:\n%s", msg)
	}
}
