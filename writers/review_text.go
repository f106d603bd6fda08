package writers

import (
	"fmt"
	"strings"
)

// formatCount writes 1234567 as 1,234,567.
func formatCount[N int | int64](n N) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// textSpan is a piece of checklist text; Code marks what was between backticks.
type textSpan struct {
	Text string
	Code bool
}

// codeSpans splits `purgeset reconcile`-style markup so the template can show
// commands in a code font; the text itself stays escaped by html/template.
func codeSpans(s string) []textSpan {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick: show the text as it is
		return []textSpan{{Text: s}}
	}
	spans := make([]textSpan, 0, len(parts))
	for i, p := range parts {
		if p != "" {
			spans = append(spans, textSpan{Text: p, Code: i%2 == 1})
		}
	}
	return spans
}

// clip copies s (never keeping a caller's buffer), cut to reviewMaxText characters.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == reviewMaxText {
			return s[:i] + "…"
		}
		n++
	}
	return strings.Clone(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// percent of whole, one decimal; "–" when whole is 0.
func percent(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f\u00a0%%", 100*float64(part)/float64(whole)) // no line break before %
}
