package audit

import (
	"fmt"
	"sort"
	"strings"
)

// inspectMaxValues bounds the distinct groups and record types kept per input: a
// junk column (IDs in the group column) must not hold the file in memory. Values
// seen after that are counted together.
const inspectMaxValues = 10000

// inspectMaxShapes bounds the distinct ID shapes; more are counted as other shapes.
const inspectMaxShapes = 50

// ValueCount is one user group or record type and its data rows.
type ValueCount struct {
	Value string `json:"value"` // "" for a blank cell
	Rows  int    `json:"rows"`
}

// ShapeCount is one shape of ID, in words and as a pattern for --id-pattern.
type ShapeCount struct {
	Shape   string `json:"shape"`   // e.g. "s" + 7 digits
	Pattern string `json:"pattern"` // e.g. s[0-9]{7}; "" when no pattern fits
	Rows    int    `json:"rows"`
}

// valueCounter counts the values of one column, most rows first.
type valueCounter struct {
	counts map[string]int
	other  int // rows whose value came after inspectMaxValues others
}

func (c *valueCounter) add(v string) {
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	if _, ok := c.counts[v]; ok {
		c.counts[v]++
		return
	}
	if len(c.counts) >= inspectMaxValues {
		c.other++
		return
	}
	c.counts[strings.Clone(v)] = 1 // the row's text may share a buffer the reader reuses
}

// list is the values, most rows first, then by name; the overflow last.
func (c *valueCounter) list(otherLabel string) []ValueCount {
	out := make([]ValueCount, 0, len(c.counts)+1)
	for v, n := range c.counts {
		out = append(out, ValueCount{Value: v, Rows: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Value < out[j].Value
	})
	if c.other > 0 {
		out = append(out, ValueCount{Value: otherLabel, Rows: c.other})
	}
	return out
}

// shapeCounter counts ID shapes.
type shapeCounter struct {
	counts map[[2]string]int
}

func (c *shapeCounter) add(id string) {
	if id == "" {
		return // blank IDs are an ID problem, counted there
	}
	if c.counts == nil {
		c.counts = map[[2]string]int{}
	}
	shape, pattern := idShape(id)
	k := [2]string{shape, pattern}
	if _, ok := c.counts[k]; !ok && len(c.counts) >= inspectMaxShapes {
		k = [2]string{"other shapes", ""}
	}
	c.counts[k]++
}

func (c *shapeCounter) list() []ShapeCount {
	out := make([]ShapeCount, 0, len(c.counts))
	for k, n := range c.counts {
		out = append(out, ShapeCount{Shape: k[0], Pattern: k[1], Rows: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Shape < out[j].Shape
	})
	return out
}

// idShape describes an ID without showing it: digits by count; a prefix of one or two
// letters before four or more digits literally (an institution's prefix such as s or
// ST, not personal); anything else by the classes of its characters.
func idShape(id string) (shape, pattern string) {
	letters, digits, other := 0, 0, 0
	for _, r := range id {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			letters++
		default:
			other++
		}
	}
	lead := 0
	for lead < len(id) && isLetter(id[lead]) {
		lead++
	}
	rest := id[lead:]
	allDigits := rest != "" && strings.Trim(rest, "0123456789") == ""
	switch {
	case other > 0 && strings.Contains(id, "@"):
		return "e-mail address", ""
	case other > 0:
		return "with spaces or other signs", ""
	case letters == 0:
		return fmt.Sprintf("%d digits", digits), fmt.Sprintf("[0-9]{%d}", digits)
	case lead > 0 && lead <= 2 && allDigits && len(rest) >= 4:
		return fmt.Sprintf("%q + %d digits", id[:lead], len(rest)), fmt.Sprintf("%s[0-9]{%d}", id[:lead], len(rest))
	case digits == 0:
		return "letters only", "[A-Za-z]+"
	case lead > 0 && allDigits:
		return "letters, then digits", "[A-Za-z]+[0-9]+"
	}
	return "letters and digits mixed", "[A-Za-z0-9]+"
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// SuggestedPattern joins the patterns of the shapes that hold at least 1 % of the IDs
// into a starting point for --id-pattern; the staff member decides.
func SuggestedPattern(shapes []ShapeCount) string {
	total := 0
	for _, s := range shapes {
		total += s.Rows
	}
	var parts []string
	for _, s := range shapes {
		if s.Pattern != "" && s.Rows*100 >= total {
			parts = append(parts, s.Pattern)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "^(" + strings.Join(parts, "|") + ")$"
}
