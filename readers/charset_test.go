package readers

import (
	"strings"
	"testing"
)

// TestMojibake: the three marks of UTF-8 read as Windows-1252 (SPEC §8), each at its
// edges, and the real text that must not be taken for them.
func TestMojibake(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"M\u00c3\u00bcller", true},      // Müller: Ã then U+00BC
		{"\u00c3\u0080", true},           // Ã then U+0080, the lower edge
		{"\u00c3\u00bf", true},           // Ã then U+00BF, the upper edge
		{"\u00c3\u00c0", false},          // Ã then U+00C0: past the edge
		{"\u00c3", false},                // Ã alone, at the end
		{"\u00c2\u00a0", true},           // Â then NBSP
		{"\u00c2\u00bf", true},           // Â then U+00BF
		{"\u00c2\u009f", false},          // Â then U+009F: below the edge
		{"jdoe\u00e2\u20ac\u2039", true}, // a zero-width space re-saved: â€‹
		{"\u00e2\u20ac", true},           // â€ itself
		{"\u00e2\u20ab", false},          // â then another currency sign
		{"Müller", false},
		{"Ærø Ã", false},
		{"São Paulo", false},
		{"Nguyễn", false},
		{"", false},
		{strings.Repeat("x", 100) + "\u00c3\u00a4", true},
	} {
		if got := Mojibake(c.s); got != c.want {
			t.Errorf("Mojibake(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestNotAnExport(t *testing.T) {
	for _, c := range []struct{ head, want string }{
		{"%PDF-1.7\n", "a PDF document"},
		{"<!DOCTYPE html><html>", "a web page (HTML)"},
		{"\xEF\xBB\xBF \r\n<HTML><body>", "a web page (HTML)"},
		{"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">", "a web page (HTML)"},
		{"Primary Identifier,Expiry Date\n", ""},
		{"<table>", ""}, // not claimed: the header check reports it
		{"%PD", ""},
	} {
		if got := notAnExport([]byte(c.head)); got != c.want {
			t.Errorf("notAnExport(%q) = %q, want %q", c.head, got, c.want)
		}
	}
}

// BenchmarkMojibake: the per-cell cost of the character set check on typical cells
// (ASCII, and names with real accents, whose UTF-8 starts with 0xC3 too).
func BenchmarkMojibake(b *testing.B) {
	cells := []string{"s1234567", "Undergraduate", "2024-06-30", "Public", "Müller", "jdoe42@example.edu", "Nguyễn", "Ærø"}
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		if Mojibake(cells[i%len(cells)]) {
			n++
		}
	}
	if n != 0 {
		b.Fatal("real text taken for mojibake")
	}
}
