package readers

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	zipMagic   = []byte("PK\x03\x04")
	zipEmpty   = []byte("PK\x05\x06")
	oleMagic   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// kind of file found by looking at its first bytes, never at its name: Analytics
// writes tab-delimited text into files called .csv, and staff rename files freely.
type sniffed int

const (
	sniffText sniffed = iota
	sniffXLSX
	sniffOLE
)

func sniffKind(head []byte) sniffed {
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmpty):
		return sniffXLSX
	case bytes.HasPrefix(head, oleMagic):
		return sniffOLE
	}
	return sniffText
}

// encodingOf names the text encoding by its byte-order mark and the BOM's length.
func encodingOf(head []byte) (string, int) {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return "utf-8-bom", 3
	case bytes.HasPrefix(head, bomUTF16LE):
		return "utf-16le", 2
	case bytes.HasPrefix(head, bomUTF16BE):
		return "utf-16be", 2
	}
	return "utf-8", 0
}

// looksUTF16NoBOM spots UTF-16 text written without a byte-order mark: ASCII text then
// has a NUL in every other byte.
func looksUTF16NoBOM(head []byte) bool {
	if len(head) < 8 {
		return false
	}
	n := min(len(head), 512)
	even, odd := 0, 0
	for i := 0; i < n; i++ {
		if head[i] == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	return even > n/4 || odd > n/4
}

// idHeaders are the accepted first-column headers, lower case (SPEC §2).
var idHeaders = []string{"username", "primary id", "primary identifier"}

// IsIDHeader reports whether a header cell names the primary identifier column.
func IsIDHeader(cell string) bool {
	c := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF")))
	for _, h := range idHeaders {
		if c == h {
			return true
		}
	}
	return false
}

// sniffDelimiter finds the delimiter from the header line: the character right after
// the identifier header. Counting delimiters over the whole head would be fooled by
// commas in names or by title rows above the header. idHeader is the --column id
// header, or "" for the standard names.
func sniffDelimiter(text []byte, idHeader string) string {
	names := idHeaders
	if idHeader != "" {
		names = []string{strings.ToLower(strings.TrimSpace(idHeader))}
	}
	lines := bytes.SplitN(text, []byte("\n"), 21)
	for i, line := range lines {
		if i == 20 {
			break
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		for _, cand := range []string{",", "\t", ";"} {
			for _, f := range splitQuoted(string(line), cand[0]) {
				f = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF")))
				for _, n := range names {
					if f == n && strings.Contains(string(line), cand) {
						return cand
					}
				}
			}
		}
	}
	// No header line with a delimiter (a one-column list, or no header at all, which
	// the header check reports): pick the most frequent candidate of the first line.
	first := lines[0]
	best, bestN := ",", 0
	for _, cand := range []string{",", "\t", ";"} {
		if n := bytes.Count(first, []byte(cand)); n > bestN {
			best, bestN = cand, n
		}
	}
	return best
}

// splitQuoted splits one line on sep, honouring double quotes well enough to find a
// header name; the real parsing is encoding/csv's.
func splitQuoted(line string, sep byte) []string {
	var out []string
	var b strings.Builder
	inQ := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			inQ = !inQ
		case c == sep && !inQ:
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// textProblem reports the first problem of a decoded text field: invalid UTF-8 or a NUL.
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "holds a NUL byte"
	}
	return ""
}
