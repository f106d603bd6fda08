package pipeline

import (
	"strings"
	"testing"

	"github.com/purgeset/purgeset/readers"
)

func TestCheckID(t *testing.T) {
	text := readers.KindText
	cases := []struct {
		raw     string
		kind    readers.Kind
		numeric bool
		want    Reason
	}{
		{"s1234567", text, false, Expired},
		{"00012345", text, false, Expired},
		{"jdoe42", text, false, Expired},
		{"O'Brien.K", text, false, Expired},
		{"", text, false, BlankID},
		{"1.23E+11", text, false, MalformedID},
		{"1,23E+11", text, false, MalformedID},
		{"1.23457e11", text, false, MalformedID},
		{"123E5", text, false, MalformedID},
		{"123456.0", text, false, MalformedID},
		{"123456,00", text, false, MalformedID},
		{"123456.5", text, false, Expired}, // not Excel's mark: could be a real ID
		{"12E", text, false, Expired},
		{"E12", text, false, Expired},
		{"j doe", text, false, MalformedID},
		{"j\u00a0doe", text, false, MalformedID},
		{"jdoe\u200b42", text, false, MalformedID},
		{"\ufeffjdoe", text, false, MalformedID},
		{"jdoe\t42", text, false, MalformedID},
		{"no primary id (4711)", text, false, MalformedID},
		{"No Primary ID", text, false, MalformedID},
		{"N/A", text, false, MalformedID},
		{"#N/A", text, false, MalformedID},
		{"#REF!", text, false, MalformedID},
		{"null", text, false, MalformedID},
		{"(blank)", text, false, MalformedID},
		{"-", text, false, MalformedID},
		{"TOTAL", text, false, MalformedID},
		{"Grand Total", text, false, MalformedID},
		{"Totals", text, false, Expired},
		{"123456", readers.KindNumber, false, NumericID},
		{"44712", readers.KindDate, false, NumericID},
		{"123456", readers.KindNumber, true, Expired},
		{"123456789012345", readers.KindNumber, true, Expired},
		{"1234567890123456", readers.KindNumber, true, MalformedID},
		{"1.2345678901E+11", readers.KindNumber, true, MalformedID},
		{"12.5", readers.KindNumber, true, MalformedID},
		{"-12", readers.KindNumber, true, MalformedID},
		{"1", readers.KindBool, false, MalformedID},
		{"#N/A", readers.KindError, false, MalformedID},
		{"=HYPERLINK(\"x\")", text, false, MalformedID},
		{"+4912345", text, false, MalformedID},
		{"@SUM(A1)", text, false, MalformedID},
		{"jdoe=42", text, false, Expired}, // only a leading =, + or @ is a formula
	}
	for _, c := range cases {
		id := strings.TrimSpace(c.raw)
		got, detail := checkID(readers.Cell{Text: c.raw, Kind: c.kind}, id, c.numeric, nil)
		if got != c.want {
			t.Errorf("checkID(%q, %s, numeric=%v) = %s (%s), want %s", c.raw, c.kind, c.numeric, got, detail, c.want)
		}
		if got != Expired && got != BlankID && detail == "" {
			t.Errorf("checkID(%q) = %s without a detail", c.raw, got)
		}
	}
}

func TestFoldIDAgreesWithEqualFold(t *testing.T) {
	ids := []string{"JDoe", "jdoe", "JDOE", "k1", "K1", "\u212a1", "straße", "STRASSE", "ǅ", "ǆ", "Ǆ",
		"İstanbul", "istanbul", "ıstanbul", "Σίσυφος", "σίσυφος", "ςίσυφος", "ÅNGSTRÖM", "\u212bngström"}
	for _, a := range ids {
		for _, b := range ids {
			if (foldID(a) == foldID(b)) != strings.EqualFold(a, b) {
				t.Errorf("foldID(%q)==foldID(%q) is %v, EqualFold is %v", a, b, foldID(a) == foldID(b), strings.EqualFold(a, b))
			}
		}
	}
}

// TestCheckIDPattern: --id-pattern matches the whole trimmed ID, text or the digits of
// an accepted number cell, and only an ID that passed the other rules is judged by it.
func TestCheckIDPattern(t *testing.T) {
	cfg := Config{IDPattern: `s[0-9]{7}|[0-9]{8}`}
	if err := cfg.compileIDPattern(); err != nil {
		t.Fatal(err)
	}
	text := readers.KindText
	for _, c := range []struct {
		raw    string
		kind   readers.Kind
		want   Reason
		detail string
	}{
		{"s1234567", text, Expired, ""},
		{"00179420", text, Expired, ""},
		{"179420", text, MalformedID, notPattern},     // leading zeros lost
		{"s12345678", text, MalformedID, notPattern},  // whole ID, not a prefix
		{"xs1234567", text, MalformedID, notPattern},  // whole ID, not a suffix
		{"12345678", readers.KindNumber, Expired, ""}, // the digits of the number
		{"1234567", readers.KindNumber, MalformedID, notPattern},
		{"1.23E+11", text, MalformedID, "scientific notation"}, // the other rules first
		{"", text, BlankID, ""},
	} {
		got, detail := checkID(readers.Cell{Text: c.raw, Kind: c.kind}, c.raw, true, cfg.idPattern)
		if got != c.want || !strings.Contains(detail, c.detail) {
			t.Errorf("checkID(%q) = %s (%s), want %s (%s)", c.raw, got, detail, c.want, c.detail)
		}
	}
}
