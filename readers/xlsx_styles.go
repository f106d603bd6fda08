package readers

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// readDateStyles reads styles.xml and tells, for each cell format (the index a cell's s
// attribute gives into <cellXfs>), whether its number format shows a date.
func readDateStyles(r io.Reader) ([]bool, error) {
	codes := map[int]string{} // custom <numFmts>
	var numFmts []int         // numFmtId of each <cellXfs><xf>
	dec := xml.NewDecoder(r)
	depth, inCellXfs, inNumFmts := 0, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 2:
				inCellXfs = t.Name.Local == "cellXfs"
				inNumFmts = t.Name.Local == "numFmts"
			case depth == 3 && inCellXfs && t.Name.Local == "xf":
				id, _ := strconv.Atoi(xmlAttr(t, "numFmtId"))
				numFmts = append(numFmts, id)
			case depth == 3 && inNumFmts && t.Name.Local == "numFmt":
				if id, err := strconv.Atoi(xmlAttr(t, "numFmtId")); err == nil {
					codes[id] = xmlAttr(t, "formatCode")
				}
			}
		case xml.EndElement:
			if depth == 2 {
				inCellXfs, inNumFmts = false, false
			}
			depth--
		}
	}
	dates := make([]bool, len(numFmts))
	for i, id := range numFmts {
		dates[i] = isDateFormat(id, codes[id])
	}
	return dates, nil
}

// xmlAttr is the value of the unprefixed attribute name of a start element.
func xmlAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// isDateFormat reports whether number format id, with its format code when the workbook
// defines one (code is "" for a built-in format), shows a date. Time-only formats are
// not dates: their cells hold no day.
//
// Built-in ids 14-17 and 22 are dates, 27-36 and 50-58 are East Asian date formats.
// A format code is a date when it has a day, month or year token (d, m, y) outside
// "quoted text", [brackets] and escapes (\x, _x, *x). As in Excel, m right after an hour
// token or right before a second token is minutes, so h:mm and mm:ss are times. Era
// tokens (e, g, b) are not looked for: a format made only of them is so rare that
// reading it as a number (which the pipeline then reports) is the safer mistake.
func isDateFormat(id int, code string) bool {
	if code == "" {
		return id >= 14 && id <= 17 || id == 22 || id >= 27 && id <= 36 || id >= 50 && id <= 58
	}
	s := strings.ToLower(code)
	afterHour := false
	for i := 0; i < len(s); {
		if s[i] == ';' { // sections (positive;negative;zero;text) stand alone
			afterHour = false
		}
		n, tok := formatToken(s, i)
		switch tok {
		case 'd', 'y':
			return true
		case 'h':
			afterHour = true
		case 's':
			afterHour = false
		case 'm':
			if !afterHour {
				if next, _ := nextFormatToken(s, n); next != 's' {
					return true
				}
			}
			afterHour = false
		}
		i = n
	}
	return false
}

// formatToken reads one element of the lower-cased format code s at i and returns the
// index after it and, for a date or time token, its letter (d, m, y, h or s; an elapsed
// time in brackets such as [h] or [mm] counts as its letter); 0 for anything else.
func formatToken(s string, i int) (next int, tok byte) {
	switch c := s[i]; c {
	case '"':
		if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
			return i + j + 2, 0
		}
		return len(s), 0
	case '\\', '_', '*':
		return min(i+2, len(s)), 0
	case '[':
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return len(s), 0
		}
		inner := s[i+1 : i+j]
		if inner != "" && strings.Trim(inner, inner[:1]) == "" && strings.Contains("hms", inner[:1]) {
			return i + j + 1, inner[0]
		}
		return i + j + 1, 0
	case 'a':
		for _, w := range []string{"am/pm", "a/p"} {
			if strings.HasPrefix(s[i:], w) {
				return i + len(w), 0
			}
		}
	case 'g':
		if strings.HasPrefix(s[i:], "general") {
			return i + len("general"), 0
		}
	case 'd', 'm', 'y', 'h', 's':
		j := i + 1
		for j < len(s) && s[j] == c {
			j++
		}
		return j, c
	}
	return i + 1, 0
}

// nextFormatToken is the next date or time token at or after i in the same section, or 0.
func nextFormatToken(s string, i int) (byte, int) {
	for i < len(s) && s[i] != ';' {
		n, tok := formatToken(s, i)
		if tok != 0 {
			return tok, n
		}
		i = n
	}
	return 0, i
}
