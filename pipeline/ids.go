package pipeline

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/purgeset/purgeset/readers"
)

// placeholders are cell texts that stand where an ID is missing: Analytics' label for
// users without one, Excel's error values, and the total rows of a report (any case).
var placeholders = map[string]bool{
	"n/a": true, "#n/a": true, "null": true, "(blank)": true, "-": true,
	"total": true, "grand total": true,
	"#null!": true, "#div/0!": true, "#value!": true, "#ref!": true, "#name?": true,
	"#num!": true, "#getting_data": true, "#spill!": true, "#calc!": true, "#field!": true,
	"#blocked!": true, "#connect!": true, "#busy!": true, "#unknown!": true, "#python!": true,
}

// notPattern is the detail of an ID that --id-pattern refuses (SPEC §8).
const notPattern = "does not match --id-pattern"

// checkID applies the three ID rules (SPEC §3.1: blank_id, malformed_id, numeric_id)
// to a trimmed cell, --id-pattern (when not nil) last. It returns Expired when the ID
// passes, or the excluding reason and a detail.
func checkID(c readers.Cell, id string, acceptNumeric bool, pattern *regexp.Regexp) (Reason, string) {
	if id == "" {
		return BlankID, ""
	}
	switch c.Kind {
	case readers.KindNumber, readers.KindDate:
		if !acceptNumeric {
			return NumericID, "the ID cell is stored as a number, so leading zeros may be lost; format the column as text and export again, or pass --accept-numeric-ids"
		}
		if !plainWholeNumber(id) {
			return MalformedID, "a number stored with a fraction, sign, exponent or more than 15 digits: Excel has already changed it"
		}
		if pattern != nil && !pattern.MatchString(id) { // the raw value is the digits
			return MalformedID, notPattern
		}
		return Expired, ""
	case readers.KindBool:
		return MalformedID, "a TRUE/FALSE cell, not an ID"
	case readers.KindError:
		return MalformedID, "an Excel error value, not an ID"
	}
	if d := malformed(id); d != "" {
		return MalformedID, d
	}
	if pattern != nil && !pattern.MatchString(id) {
		return MalformedID, notPattern
	}
	return Expired, ""
}

// malformed says how a text ID looks damaged or like a placeholder, or "".
func malformed(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; c >= utf8.RuneSelf {
			if hiddenRune(id[i:]) {
				return "inner white space or an invisible or control character"
			}
			break
		} else if c <= ' ' || c == 0x7f {
			return "inner white space or an invisible or control character"
		}
	}
	lower := strings.ToLower(id)
	if strings.HasPrefix(lower, "no primary id") || placeholders[lower] {
		return "a placeholder, not an ID"
	}
	if c := id[0]; c == '=' || c == '+' || c == '@' {
		// Never an ID; and written raw into decisions.csv it runs as a formula in Excel.
		return "spreadsheet formula text (starts with =, + or @), not an ID"
	}
	if excelExponent(id) {
		return "scientific notation, as Excel shows long numbers: digits are lost"
	}
	if excelDecimal(id) {
		return "a trailing decimal part, as Excel writes numbers: the cell was a number"
	}
	return ""
}

// hiddenRune reports a rune of Unicode category Z (white space) or C (control,
// format such as U+200B and U+FEFF, unassigned) in s, or invalid UTF-8.
func hiddenRune(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || unicode.In(r, unicode.Z, unicode.C) {
			return true
		}
	}
	return false
}

// excelExponent matches ^[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+$.
func excelExponent(s string) bool {
	i := skipDigits(s, 0)
	if i == 0 {
		return false
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i >= len(s) || (s[i] != 'e' && s[i] != 'E') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := skipDigits(s, i)
	return j > i && j == len(s)
}

// excelDecimal matches ^[0-9]+[.,]0+$.
func excelDecimal(s string) bool {
	i := skipDigits(s, 0)
	if i == 0 || i >= len(s) || (s[i] != '.' && s[i] != ',') {
		return false
	}
	rest := s[i+1:]
	return rest != "" && strings.Trim(rest, "0") == ""
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// plainWholeNumber accepts the raw value of a numeric cell that Excel stored exactly:
// 1 to 15 digits, nothing else.
func plainWholeNumber(raw string) bool {
	return len(raw) > 0 && len(raw) <= 15 && skipDigits(raw, 0) == len(raw)
}

// foldID is a canonical form under Unicode simple case folding: two IDs are
// strings.EqualFold exactly when their foldID are equal.
func foldID(id string) string { return string(foldInto(nil, id)) }

// foldInto appends foldID(id) to dst without allocating for ASCII IDs.
func foldInto(dst []byte, id string) []byte {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= utf8.RuneSelf {
			for _, r := range id[i:] {
				dst = utf8.AppendRune(dst, minFold(r))
			}
			return dst
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// minFold picks one rune of r's simple case-folding orbit: its ASCII lower-case letter
// when the orbit has one (so that it agrees with the ASCII path: K, k and the Kelvin
// sign all give k), else the smallest rune.
func minFold(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}
