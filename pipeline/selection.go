package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/writers"
)

// maxDistinct bounds the values counted per column: an export has a few dozen user
// groups; a file whose "group" column holds millions of distinct values is not one,
// and its memory must not grow with it.
const maxDistinct = 10000

// listed is how many found values an unmatched-value message lists.
const listed = 20

// listedMiss is how many unmatched values a message names.
const listedMiss = 10

// valueCounts counts the rows of each value of a column, without an allocation for a
// value seen before.
type valueCounts struct {
	n     map[string]int
	other int // rows whose value came after maxDistinct others
}

func newValueCounts() *valueCounts { return &valueCounts{n: map[string]int{}} }

func (v *valueCounts) add(s string) {
	if n, ok := v.n[s]; ok {
		v.n[s] = n + 1
		return
	}
	if len(v.n) >= maxDistinct {
		v.other++
		return
	}
	v.n[strings.Clone(s)] = 1 // s may point into a reader's buffer
}

type valueCount struct {
	value string
	rows  int
}

// sorted is the values, most rows first, then by value.
func (v *valueCounts) sorted() []valueCount {
	out := make([]valueCount, 0, len(v.n))
	for s, n := range v.n {
		out = append(out, valueCount{s, n})
	}
	slices.SortFunc(out, func(a, b valueCount) int {
		return cmp.Or(cmp.Compare(b.rows, a.rows), strings.Compare(a.value, b.value))
	})
	return out
}

// selection is one option whose values must each match some data row (SPEC §8).
type selection struct {
	flag, what, code string                 // "--group", "user groups", "unmatched_group"
	values           []string               // as given
	found            *valueCounts           // the column's values in all inputs
	match            func(v, f string) bool // v given, f found
	fold             bool                   // matched ignoring case
}

// unmatched are the values that match no found value.
func (s *selection) unmatched() []string {
	var out []string
	for _, v := range s.values {
		hit := false
		for f := range s.found.n {
			if s.match(v, f) {
				hit = true
				break
			}
		}
		if !hit {
			out = append(out, v)
		}
	}
	return out
}

// checkSelections stops the run when a --group or an explicit --record-type matches no
// data row: a typo, the wrong case or pasted quotes would otherwise select nobody and
// leave a plausible-looking run. --allow-unmatched turns the stop into a warning.
func (p *firstPass) checkSelections(cfg Config) ([]writers.Warning, error) {
	var sels []*selection
	if !cfg.AllGroups {
		sels = append(sels, &selection{flag: "--group", what: "user groups", code: "unmatched_group",
			values: cfg.Groups, found: p.groups,
			match: func(v, f string) bool { return strings.TrimSpace(v) == f }})
	}
	if cfg.RecordTypesGiven && p.hasRType {
		sels = append(sels, &selection{flag: "--record-type", what: "record types", code: "unmatched_record_type",
			values: cfg.RecordTypes, found: p.rtypes,
			match: func(v, f string) bool { return strings.EqualFold(strings.TrimSpace(v), f) }, fold: true})
	}
	var warnings []writers.Warning
	for _, s := range sels {
		miss := s.unmatched()
		if len(miss) == 0 {
			continue
		}
		if cfg.AllowUnmatched {
			var quoted []string
			for i, v := range miss {
				if i == listedMiss {
					quoted = append(quoted, fmt.Sprintf("and %d more", len(miss)-listedMiss))
					break
				}
				quoted = append(quoted, s.flag+" "+strconv.Quote(v))
			}
			warnings = append(warnings, writers.Warning{Code: s.code, Count: len(miss),
				Message: fmt.Sprintf("%s matched no data row, let through by --allow-unmatched", strings.Join(quoted, ", "))})
			continue
		}
		return nil, &OptionError{Msg: s.message(miss)}
	}
	return warnings, nil
}

// message names each unmatched value with a "did you mean", then lists what the
// inputs hold. Group names and record types are not personal data.
func (s *selection) message(miss []string) string {
	var b strings.Builder
	found := s.found.sorted()
	for i, v := range miss {
		if i == listedMiss {
			fmt.Fprintf(&b, "; and %d more values match no data row", len(miss)-listedMiss)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %q matches no data row", s.flag, v)
		if strings.Contains(v, ",") {
			var parts []string
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					parts = append(parts, s.flag+" "+strconv.Quote(p))
				}
			}
			fmt.Fprintf(&b, ": one value holds a comma; repeat %s once per value, e.g. %s", s.flag, strings.Join(parts, " "))
			continue
		}
		if near := nearValues(v, found, s.fold); len(near) > 0 {
			fmt.Fprintf(&b, " (did you mean %s?)", strings.Join(near, " or "))
		}
	}
	fmt.Fprintf(&b, ". The inputs hold these %s (rows): ", s.what)
	for i, f := range found {
		if i == listed {
			fmt.Fprintf(&b, ", and %d more", len(found)-listed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		name := strconv.Quote(f.value)
		if f.value == "" {
			name = "(blank)"
		}
		fmt.Fprintf(&b, "%s %d", name, f.rows)
	}
	if s.found.other > 0 {
		fmt.Fprintf(&b, " (and %d rows with other values)", s.found.other)
	}
	exact := " (names must match exactly, capitals and spaces included)"
	if s.fold {
		exact = ""
	}
	fmt.Fprintf(&b, ". Correct the value%s, or pass --allow-unmatched if it is meant to match no row of these inputs", exact)
	return b.String()
}

// quoteRunes are the quotes a value pasted from an e-mail or a document may carry.
const quoteRunes = "\"“”'‘’"

// loose is a value ignoring case, surrounding quotes and white space.
func loose(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.Trim(s, quoteRunes))
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// nearValues are the found values the user may have meant by v: equal ignoring case,
// quotes and white space, or within two edits; most rows first. When values match
// ignoring case (fold), one spelling of each is enough.
func nearValues(v string, found []valueCount, fold bool) []string {
	var out []string
	seen := map[string]bool{}
	lv := loose(v)
	for _, f := range found {
		if f.value == "" || (fold && seen[strings.ToLower(f.value)]) {
			continue
		}
		if loose(f.value) == lv || EditDistance(strings.TrimSpace(v), f.value) <= 2 {
			out = append(out, strconv.Quote(f.value))
			seen[strings.ToLower(f.value)] = true
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// EditDistance is the number of single-rune insertions, deletions and substitutions
// that turn a into b (Levenshtein).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
