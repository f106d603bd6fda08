package readers

import (
	"bytes"
	"unicode/utf8"
)

// The fast path reads a whole <row> of the shapes Excel and excelize write straight from
// the scanner's buffer:
//
//	<row r="2"><c r="A2" t="s"><v>12</v></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>
//
// without a token per tag, the element stack or a copy of each value. It accepts a
// subset of what the general path reads (rows of <c> cells holding one <v> or one
// <is><t>, whitespace between tags, any other attributes) and makes the same checks on
// it; anything else — a formula, rich text runs, CDATA, a comment, a prefixed name, an
// entity in an attribute it reads, an error the builder would report, a row cut by the
// end of the buffer — makes it give up before consuming a byte, and the general path
// reads that row from its start. So the general path still decides every refusal and
// every message.

// fastTopUp is how many unread bytes the fast path wants in the buffer before a row: a
// row cut by the buffer's end goes to the general path, so the buffer is refilled
// first when little is left.
const fastTopUp = 32 << 10

// fastAttrs are the one-letter attributes the builder reads, as cellAttrs picks them:
// the first of each name.
type fastAttrs struct {
	r, s, t          []byte
	hasR, hasS, hasT bool
}

// fastRows reads rows with the fast path while it can. It returns stop when emit asked
// to stop.
func (b *sheetBuilder) fastRows(sc *xmlScanner, emit func(Row) bool) (stop bool) {
	for {
		if sc.end-sc.pos < fastTopUp && sc.pos > 0 && sc.rerr == nil {
			// Ignoring the error is safe: it is sticky, and next meets it when it
			// needs more bytes.
			_ = sc.fill()
		}
		n, ok := b.fastRow(sc.buf[sc.pos:sc.end], sc)
		if !ok {
			return false
		}
		sc.pos += n
		b.fastCount++
		if !emit(b.endRow()) {
			return true
		}
	}
}

// fastRow reads one row from the start of p into the builder and returns its length
// in bytes. When ok is false the builder is as before and the general path must read p.
func (b *sheetBuilder) fastRow(p []byte, sc *xmlScanner) (n int, ok bool) {
	savedNum := b.rowNum
	n, ok = b.fastRowBody(p, sc)
	if !ok {
		b.inRow, b.rowNum, b.cells = false, savedNum, b.cells[:0]
		b.rowText, b.pending = b.rowText[:0], b.pending[:0]
	}
	return n, ok
}

func (b *sheetBuilder) fastRowBody(p []byte, sc *xmlScanner) (int, bool) {
	i := skipSpace(p, 0)
	i, ok := fastName(p, i, "row")
	if !ok {
		return 0, false
	}
	var a fastAttrs
	i, selfClosing, ok := scanFastAttrs(p, i, &a)
	if !ok || selfClosing || b.startRow(a.r, a.hasR) != nil {
		return 0, false
	}
	for {
		i = skipSpace(p, i)
		if hasPrefixAt(p, i, "</row>") {
			return i + len("</row>"), true
		}
		if i, ok = b.fastCell(p, i, sc); !ok {
			return 0, false
		}
	}
}

// fastCell reads one <c> element starting at p[i].
func (b *sheetBuilder) fastCell(p []byte, i int, sc *xmlScanner) (int, bool) {
	i, ok := fastName(p, i, "c")
	if !ok {
		return 0, false
	}
	var a fastAttrs
	i, selfClosing, ok := scanFastAttrs(p, i, &a)
	if !ok || b.startCell(a.r, a.hasR, a.s, a.hasS, a.t) != nil {
		return 0, false
	}
	var v, is []byte
	var hasV, hasIs bool
	if !selfClosing {
		i = skipSpace(p, i)
		switch {
		case hasPrefixAt(p, i, "</c>"):
		case hasPrefixAt(p, i, "<v"):
			if v, i, ok = b.fastText(p, i, "v", sc); !ok {
				return 0, false
			}
			hasV = true
		case hasPrefixAt(p, i, "<is"):
			if i, ok = fastName(p, i, "is"); !ok {
				return 0, false
			}
			if i, selfClosing, ok = scanFastAttrs(p, i, &fastAttrs{}); !ok || selfClosing {
				return 0, false
			}
			if is, i, ok = b.fastText(p, skipSpace(p, i), "t", sc); !ok {
				return 0, false
			}
			i = skipSpace(p, i)
			if !hasPrefixAt(p, i, "</is>") {
				return 0, false
			}
			i += len("</is>")
			hasIs = true
		default:
			return 0, false
		}
		i = skipSpace(p, i)
		if !hasPrefixAt(p, i, "</c>") {
			return 0, false
		}
		i += len("</c>")
	}
	if b.endCell(v, hasV, is, hasIs) != nil {
		return 0, false
	}
	return i, true
}

// fastText reads <name ...>text</name> starting at p[i]: text without markup, entities
// decoded and line ends normalised (into a buffer of the builder's when needed) and
// checked as the general path checks captured text.
func (b *sheetBuilder) fastText(p []byte, i int, name string, sc *xmlScanner) (text []byte, next int, ok bool) {
	if i, ok = fastName(p, i, name); !ok {
		return nil, 0, false
	}
	var selfClosing bool
	if i, selfClosing, ok = scanFastAttrs(p, i, &fastAttrs{}); !ok || selfClosing {
		return nil, 0, false
	}
	// One pass finds the end of the text and whether it is plain: printable ASCII
	// without entities, which needs neither decoding nor validText.
	j, plain := i, true
	for j < len(p) && p[j] != '<' {
		if c := p[j]; c < 0x20 || c == '&' || c >= utf8.RuneSelf {
			plain = false
		}
		j++
	}
	if j == len(p) {
		return nil, 0, false
	}
	text, next = p[i:j], j
	// the end tag: exactly </name>
	if !hasPrefixAt(p, next, "</") || !hasPrefixAt(p, next+2, name) || !hasPrefixAt(p, next+2+len(name), ">") {
		return nil, 0, false
	}
	next += 3 + len(name)
	if plain {
		return text, next, true
	}
	if bytes.IndexByte(text, '&') >= 0 || bytes.IndexByte(text, '\r') >= 0 {
		saved, savedCR := sc.text, sc.lastCR
		sc.text = b.fastBuf[:0]
		err := sc.addText(text, false, false)
		text, b.fastBuf = sc.text, sc.text
		sc.text, sc.lastCR = saved, savedCR
		if err != nil {
			return nil, 0, false
		}
	}
	if validText(text) != nil {
		return nil, 0, false
	}
	return text, next, true
}

// fastName checks that p[i:] starts with <name followed by a byte that ends a name, and
// returns the index after the name.
func fastName(p []byte, i int, name string) (int, bool) {
	e := i + 1 + len(name)
	if e >= len(p) || p[i] != '<' || string(p[i+1:e]) != name || isNameByte[p[e]] {
		return 0, false
	}
	return e, true
}

// scanFastAttrs reads the attributes of a start tag from p[i], just after its name, up
// to and including its > or />, with startTag's checks. It records the first r, s and t
// in a; one of them holding an entity or a \r is left to the general path.
func scanFastAttrs(p []byte, i int, a *fastAttrs) (next int, selfClosing, ok bool) {
	for {
		for i < len(p) && isSpaceByte[p[i]] {
			i++
		}
		if i == len(p) {
			return 0, false, false
		}
		switch p[i] {
		case '>':
			return i + 1, false, true
		case '/':
			if i+1 < len(p) && p[i+1] == '>' {
				return i + 2, true, true
			}
			return 0, false, false
		}
		as := i
		ae := scanName(p, i)
		if ae < 0 || ae == len(p) {
			return 0, false, false
		}
		for i = ae; i < len(p) && isSpaceByte[p[i]]; i++ {
		}
		if i == len(p) || p[i] != '=' {
			return 0, false, false
		}
		for i++; i < len(p) && isSpaceByte[p[i]]; i++ {
		}
		if i == len(p) || p[i] != '"' && p[i] != '\'' {
			return 0, false, false
		}
		q := p[i]
		j, plain := i+1, true // plain: no entity or \r to decode
		for ; j < len(p); j++ {
			c := p[j]
			if c == q || c == '<' {
				break
			}
			if c == '&' || c == '\r' {
				plain = false
			}
		}
		if j == len(p) || p[j] == '<' {
			return 0, false, false
		}
		if ae-as == 1 {
			val := p[i+1 : j]
			var dst *[]byte
			switch {
			case p[as] == 'r' && !a.hasR:
				dst, a.hasR = &a.r, true
			case p[as] == 's' && !a.hasS:
				dst, a.hasS = &a.s, true
			case p[as] == 't' && !a.hasT:
				dst, a.hasT = &a.t, true
			}
			if dst != nil {
				if !plain {
					return 0, false, false
				}
				*dst = val
			}
		}
		i = j + 1
	}
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && isSpaceByte[p[i]] {
		i++
	}
	return i
}

func hasPrefixAt(p []byte, i int, s string) bool {
	return i <= len(p) && len(p)-i >= len(s) && string(p[i:i+len(s)]) == s
}
