package readers

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textTail handles text that runs to the end of the buffer, keeping an unfinished
// character reference for the next round.
func (s *xmlScanner) textTail(cont bool) error {
	seg := s.buf[s.pos:s.end]
	if !s.capture {
		s.pos = s.end
		return nil
	}
	keep := 0
	if j := bytes.LastIndexByte(seg, '&'); j >= 0 && bytes.IndexByte(seg[j:], ';') < 0 {
		keep = len(seg) - j
		if keep > maxEntity {
			return syntaxErr("invalid character entity (no semicolon)")
		}
	}
	err := s.addText(seg[:len(seg)-keep], cont, false)
	s.pos = s.end - keep
	return err
}

// addText appends character data to s.text. cont says seg continues the previous
// segment (a \r\n may be split between them); cdata says it is a CDATA section.
func (s *xmlScanner) addText(seg []byte, cont, cdata bool) error {
	if !cont {
		s.lastCR = false
	}
	if len(seg) == 0 {
		return nil
	}
	if s.lastCR && seg[0] == '\n' {
		seg = seg[1:]
	}
	s.lastCR = false
	if (cdata || bytes.IndexByte(seg, '&') < 0) && bytes.IndexByte(seg, '\r') < 0 {
		s.text = append(s.text, seg...)
		return nil
	}
	for i := 0; i < len(seg); {
		switch c := seg[i]; {
		case c == '\r':
			s.text = append(s.text, '\n')
			i++
			if i == len(seg) {
				s.lastCR = true
			} else if seg[i] == '\n' {
				i++
			}
		case c == '&' && !cdata:
			j := bytes.IndexByte(seg[i:], ';')
			if j < 0 {
				return syntaxErr("invalid character entity (no semicolon)")
			}
			r, ok := entityRune(seg[i+1 : i+j])
			if !ok { // not quoted: it may be part of a name
				return syntaxErr("invalid character entity (only &amp; &lt; &gt; &quot; &apos; and &#N; exist)")
			}
			s.text = utf8.AppendRune(s.text, r)
			i += j + 1
		default:
			k := i + 1
			for k < len(seg) && seg[k] != '\r' && (cdata || seg[k] != '&') {
				k++
			}
			s.text = append(s.text, seg[i:k]...)
			i = k
		}
	}
	return nil
}

// entityRune decodes the five predefined entities and character references, as
// encoding/xml does (a reference to a surrogate gives U+FFFD).
func entityRune(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	digits, base := name[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(string(digits), base, 64)
	if err != nil || n > unicode.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// validText reports whether b is UTF-8 made only of characters XML allows, the check
// encoding/xml makes on all character data.
func validText(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return syntaxErr("illegal character code %U", rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return syntaxErr("invalid UTF-8")
		}
		if r > 0xD7FF && r < 0xE000 || r == 0xFFFE || r == 0xFFFF {
			return syntaxErr("illegal character code %U", r)
		}
		i += size
	}
	return nil
}

// unescapeX decodes the _xHHHH_ escapes with which OOXML stores characters XML cannot
// hold (ECMA-376 ST_Xstring): "_x000D_" is a carriage return, "_x005F_" an underscore.
func unescapeX(b []byte) []byte {
	i := bytes.Index(b, []byte("_x"))
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i >= 0 {
		out = append(out, b[:i]...)
		b = b[i:]
		r, ok := xEscape(b)
		if !ok {
			out = append(out, b[:2]...)
			b = b[2:]
		} else {
			b = b[7:]
			if 0xD800 <= r && r < 0xDC00 { // a UTF-16 surrogate pair is two escapes
				if lo, ok := xEscape(b); ok && 0xDC00 <= lo && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					b = b[7:]
				}
			}
			out = utf8.AppendRune(out, r) // a lone surrogate becomes U+FFFD
		}
		i = bytes.Index(b, []byte("_x"))
	}
	return append(out, b...)
}

func xEscape(b []byte) (rune, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// attr returns the value of the unprefixed attribute name of the current start tag
// (the first one, should it repeat), entities decoded.
func (s *xmlScanner) attr(name string) (val []byte, found bool, err error) {
	for i, a := range s.attrs {
		if string(s.buf[a.ns:a.ne]) == name {
			return s.attrValue(i)
		}
	}
	return nil, false, nil
}

// attrValue is the value of the i-th attribute, entities decoded. A decoded value is
// valid until the next call.
func (s *xmlScanner) attrValue(i int) ([]byte, bool, error) {
	a := s.attrs[i]
	v := s.buf[a.vs:a.ve]
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return v, true, nil
	}
	saved, savedCR := s.text, s.lastCR
	s.text = s.scratch[:0]
	err := s.addText(v, false, false)
	v, s.scratch = s.text, s.text
	s.text, s.lastCR = saved, savedCR
	return v, true, err
}

// procInstParam finds param="value" in the XML declaration the way encoding/xml does, so
// that both accept the same declarations.
func procInstParam(param, s string) string {
	param += "="
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || len(param)+k >= len(sub) {
			return ""
		}
		i += len(param) + k + 1
		if c := sub[len(param)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// parseIndex parses a non-negative decimal integer without sign or spaces.
func parseIndex(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 1<<31-1
}

// parseCellRef splits "B57" into column index 1 and row 57.
func parseCellRef(ref []byte) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && i < 4 {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		i++
	}
	if i == 0 {
		return 0, 0, false
	}
	row, ok = parseIndex(ref[i:])
	if !ok || row < 1 {
		return 0, 0, false
	}
	return col - 1, row, true
}

// cellName is the A1 name of 0-based column col in row.
func cellName(col, row int) string {
	var letters [8]byte
	i := len(letters)
	for n := col + 1; n > 0 && i > 0; n = (n - 1) / 26 {
		i--
		letters[i] = byte('A' + (n-1)%26)
	}
	return string(letters[i:]) + strconv.Itoa(row)
}
