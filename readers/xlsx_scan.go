package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// xmlScanner is a pull tokenizer for the part of XML that spreadsheet parts use. A sheet
// of a million rows is half a gigabyte of XML; encoding/xml allocates for every token and
// takes about ten times longer than this scanner, which works on a byte buffer and hands
// out slices of it.
//
// It checks what the data depends on as strictly as encoding/xml in Strict mode: tags
// nest and match, attributes are quoted, entities and characters of captured text are
// valid. It is lenient where nothing is read: text that is not captured is skipped
// unchecked, and so are comments and processing instructions other than the XML
// declaration. A DOCTYPE is refused (OOXML forbids it).
type xmlScanner struct {
	src      io.Reader
	buf      []byte
	pos, end int
	rerr     error // sticky error of src, io.EOF at the end

	// The current token. name and attribute spans point into buf and are valid until the
	// next call of next.
	name        []byte
	attrs       []attrSpan
	selfClosing bool
	pendingEnd  bool // the end token of a self-closing element is due

	stack []byte // names of the open elements, concatenated
	offs  []int  // start of each open element's name in stack

	// While capture is set, character data (entities decoded, line ends normalised as
	// XML requires) is appended to text.
	capture bool
	text    []byte
	lastCR  bool // text ended in a \r turned into \n: skip a \n that follows
	scratch []byte
}

type tokKind uint8

const (
	tokNone tokKind = iota // comment, PI or CDATA: nothing for the caller
	tokStart
	tokEnd
	tokEOF
)

type attrSpan struct{ ns, ne, vs, ve int }

// xmlSyntaxError is a well-formedness problem. Its text is lower case, for ParseError.Msg.
type xmlSyntaxError struct{ msg string }

func (e *xmlSyntaxError) Error() string { return e.msg }

func syntaxErr(format string, args ...any) error {
	return &xmlSyntaxError{fmt.Sprintf(format, args...)}
}

const (
	scanBufSize = 256 << 10
	maxScanBuf  = 64 << 20 // longest tag, comment or CDATA section accepted
	maxEntity   = 1024     // longest character reference accepted (leading zeros are legal)
)

var (
	isNameByte  [256]bool
	isNameStart [256]bool
	isSpaceByte [256]bool
)

func init() {
	for c := 0; c < 256; c++ {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':' || c >= utf8.RuneSelf
		isNameStart[c] = letter
		isNameByte[c] = letter || '0' <= c && c <= '9' || c == '-' || c == '.'
	}
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		isSpaceByte[c] = true
	}
}

func newXMLScanner(src io.Reader) *xmlScanner { return newXMLScannerSize(src, scanBufSize) }

// newXMLScannerSize starts with a buffer of size bytes (it grows for longer tags);
// tests use tiny buffers to cross buffer boundaries everywhere.
func newXMLScannerSize(src io.Reader, size int) *xmlScanner {
	return &xmlScanner{src: src, buf: make([]byte, max(size, 16))}
}

func (s *xmlScanner) depth() int { return len(s.offs) }

// next returns the next start or end tag, or tokEOF at the end of a well-formed document.
// A self-closing element gives a start and then an end token.
func (s *xmlScanner) next() (tokKind, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		s.pop()
		return tokEnd, nil
	}
	cont := false // the text segment goes on from the previous buffer
	for {
		i := 0
		if s.pos == s.end || s.buf[s.pos] != '<' { // tags mostly follow tags: skip the call
			i = bytes.IndexByte(s.buf[s.pos:s.end], '<')
		}
		if i < 0 {
			if err := s.textTail(cont); err != nil {
				return tokNone, err
			}
			cont = true
			if err := s.fill(); err != nil {
				if err != io.EOF {
					return tokNone, err
				}
				if len(s.offs) > 0 || s.pos < s.end {
					return tokNone, syntaxErr("unexpected end of the XML (the file is cut short)")
				}
				return tokEOF, nil
			}
			continue
		}
		if i > 0 {
			if s.capture {
				if err := s.addText(s.buf[s.pos:s.pos+i], cont, false); err != nil {
					return tokNone, err
				}
			}
			s.pos += i
		}
		cont = false
		tok, ok, err := s.markup()
		if err != nil {
			return tokNone, err
		}
		if !ok { // the markup goes on past the buffer
			if err := s.fill(); err != nil {
				if err == io.EOF {
					return tokNone, syntaxErr("unexpected end of the XML (the file is cut short)")
				}
				return tokNone, err
			}
			continue
		}
		if tok != tokNone {
			return tok, nil
		}
	}
}

// fill moves the unread bytes to the front of the buffer, growing it when they fill it,
// and reads more.
func (s *xmlScanner) fill() error {
	if s.rerr != nil {
		return s.rerr
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxScanBuf {
			return syntaxErr("a tag or text section longer than %d MB", maxScanBuf>>20)
		}
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for range 100 {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

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
			if !ok {
				return syntaxErr("invalid character entity %q", seg[i:i+j+1])
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

// markup reads the construct starting with '<' at s.pos. ok is false when it does not
// end inside the buffer.
func (s *xmlScanner) markup() (tok tokKind, ok bool, err error) {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return tokNone, false, nil
	}
	switch b[1] {
	case '/':
		return s.endTag(b)
	case '?':
		return s.procInst(b)
	case '!':
		return s.bang(b)
	}
	return s.startTag(b)
}

// scanName returns the end of the name starting at b[i], or -1 when it is not a valid
// name (encoding/xml refuses names with more than one colon).
func scanName(b []byte, i int) int {
	if i >= len(b) || !isNameStart[b[i]] {
		return -1
	}
	colons := 0
	for ; i < len(b) && isNameByte[b[i]]; i++ {
		if b[i] == ':' {
			colons++
		}
	}
	if colons > 1 {
		return -1
	}
	return i
}

func (s *xmlScanner) startTag(b []byte) (tokKind, bool, error) {
	i := 1
	ne := scanName(b, i)
	if ne == len(b) {
		return tokNone, false, nil
	}
	if ne < 0 {
		return tokNone, false, syntaxErr("invalid element name after <")
	}
	s.attrs = s.attrs[:0]
	i = ne
	for {
		for i < len(b) && isSpaceByte[b[i]] {
			i++
		}
		if i == len(b) {
			return tokNone, false, nil
		}
		if b[i] == '>' {
			s.selfClosing = false
			i++
			break
		}
		if b[i] == '/' {
			if i+1 == len(b) {
				return tokNone, false, nil
			}
			if b[i+1] != '>' {
				return tokNone, false, syntaxErr("expected /> in element <%s>", b[1:ne])
			}
			s.selfClosing = true
			i += 2
			break
		}
		as := i
		ae := scanName(b, i)
		if ae == len(b) {
			return tokNone, false, nil
		}
		if ae < 0 {
			return tokNone, false, syntaxErr("invalid attribute name in element <%s>", b[1:ne])
		}
		for i = ae; i < len(b) && isSpaceByte[b[i]]; i++ {
		}
		if i < len(b) && b[i] != '=' {
			return tokNone, false, syntaxErr("attribute %s without a value in element <%s>", b[as:ae], b[1:ne])
		}
		for i++; i < len(b) && isSpaceByte[b[i]]; i++ {
		}
		if i >= len(b) {
			return tokNone, false, nil
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return tokNone, false, syntaxErr("unquoted value of attribute %s in element <%s>", b[as:ae], b[1:ne])
		}
		j := i + 1 // values are short: a loop beats two IndexByte calls
		for j < len(b) && b[j] != q && b[j] != '<' {
			j++
		}
		if j == len(b) {
			return tokNone, false, nil
		}
		if b[j] == '<' {
			return tokNone, false, syntaxErr("unescaped < in attribute %s of element <%s>", b[as:ae], b[1:ne])
		}
		s.attrs = append(s.attrs, attrSpan{s.pos + as, s.pos + ae, s.pos + i + 1, s.pos + j})
		i = j + 1
	}
	s.name = s.buf[s.pos+1 : s.pos+ne]
	s.offs = append(s.offs, len(s.stack))
	s.stack = append(s.stack, s.name...)
	s.pendingEnd = s.selfClosing
	s.pos += i
	return tokStart, true, nil
}

func (s *xmlScanner) endTag(b []byte) (tokKind, bool, error) {
	if n := len(s.offs); n > 0 { // fast path: </name> of the open element
		top := s.stack[s.offs[n-1]:]
		if len(b) > len(top)+2 && b[len(top)+2] == '>' && string(b[2:len(top)+2]) == string(top) {
			s.name = b[2 : len(top)+2]
			s.pop()
			s.pos += len(top) + 3
			return tokEnd, true, nil
		}
	}
	j := bytes.IndexByte(b, '>')
	if j < 0 {
		return tokNone, false, nil
	}
	ne := scanName(b[:j], 2)
	if ne < 0 {
		return tokNone, false, syntaxErr("invalid element name after </")
	}
	for k := ne; k < j; k++ {
		if !isSpaceByte[b[k]] {
			return tokNone, false, syntaxErr("invalid characters in end tag </%s>", b[2:ne])
		}
	}
	name := b[2:ne]
	if len(s.offs) == 0 {
		return tokNone, false, syntaxErr("unexpected end tag </%s>", name)
	}
	if top := s.stack[s.offs[len(s.offs)-1]:]; !bytes.Equal(top, name) {
		return tokNone, false, syntaxErr("element <%s> closed by </%s>", top, name)
	}
	s.pop()
	s.name = name
	s.pos += j + 1
	return tokEnd, true, nil
}

func (s *xmlScanner) pop() {
	n := len(s.offs) - 1
	s.stack = s.stack[:s.offs[n]]
	s.offs = s.offs[:n]
}

// procInst skips a processing instruction, checking the XML declaration as
// encoding/xml does: only version 1.0 and UTF-8 can be read.
func (s *xmlScanner) procInst(b []byte) (tokKind, bool, error) {
	j := bytes.Index(b[2:], []byte("?>"))
	if j < 0 {
		return tokNone, false, nil
	}
	body := b[2 : 2+j]
	ne := scanName(body, 0)
	if ne < 0 {
		return tokNone, false, syntaxErr("invalid processing instruction")
	}
	if string(body[:ne]) == "xml" {
		content := string(body[ne:])
		if v := procInstParam("version", content); v != "" && v != "1.0" {
			return tokNone, false, syntaxErr("unsupported XML version %q", v)
		}
		if enc := procInstParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return tokNone, false, syntaxErr("unsupported XML encoding %q (only UTF-8 can be read)", enc)
		}
	}
	s.pos += 2 + j + 2
	return tokNone, true, nil
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

var (
	cdataOpen   = []byte("<![CDATA[")
	commentOpen = []byte("<!--")
)

// bang handles <!-- comments --> and <![CDATA[sections]]>, and refuses DOCTYPE and
// other declarations.
func (s *xmlScanner) bang(b []byte) (tokKind, bool, error) {
	switch {
	case bytes.HasPrefix(b, commentOpen):
		j := bytes.Index(b[4:], []byte("-->"))
		if j < 0 {
			return tokNone, false, nil
		}
		s.pos += 4 + j + 3
		return tokNone, true, nil
	case bytes.HasPrefix(b, cdataOpen):
		j := bytes.Index(b[9:], []byte("]]>"))
		if j < 0 {
			return tokNone, false, nil
		}
		if s.capture {
			if err := s.addText(b[9:9+j], false, true); err != nil {
				return tokNone, false, err
			}
		}
		s.pos += 9 + j + 3
		return tokNone, true, nil
	case len(b) < len(cdataOpen) && (bytes.HasPrefix(cdataOpen, b) || bytes.HasPrefix(commentOpen, b)):
		return tokNone, false, nil
	}
	return tokNone, false, syntaxErr("DOCTYPE and other <! declarations are not allowed")
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

// localName is the name without its namespace prefix, split as encoding/xml does.
func localName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i > 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

// isSyntax reports whether err is a well-formedness problem (as opposed to a read error).
func isSyntax(err error) bool {
	var se *xmlSyntaxError
	return errors.As(err, &se)
}

// readAhead inflates a zip entry in its own goroutine, a few buffers ahead of the
// scanner: inflating is about a quarter of the work of reading a sheet, and that
// quarter then runs on another core. It is bounded (three buffers) and stopped by close.
type readAhead struct {
	chunks chan readChunk
	free   chan []byte
	stop   chan struct{}
	done   chan struct{}
	cur    readChunk
	off    int
}

type readChunk struct {
	b   []byte
	err error
}

const readAheadBufs = 3

func newReadAhead(src io.Reader) *readAhead {
	r := &readAhead{
		chunks: make(chan readChunk, readAheadBufs),
		free:   make(chan []byte, readAheadBufs),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for range readAheadBufs {
		r.free <- make([]byte, scanBufSize)
	}
	go r.run(src)
	return r
}

func (r *readAhead) run(src io.Reader) {
	defer close(r.done)
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.stop:
			return
		}
		n, zeros := 0, 0
		var err error
		for n < len(buf) && err == nil {
			var k int
			k, err = src.Read(buf[n:])
			n += k
			if k == 0 && err == nil {
				if zeros++; zeros > 100 {
					err = io.ErrNoProgress
				}
			}
		}
		select {
		case r.chunks <- readChunk{buf[:n], err}:
		case <-r.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (r *readAhead) Read(p []byte) (int, error) {
	for r.off == len(r.cur.b) {
		if r.cur.err != nil {
			return 0, r.cur.err
		}
		if r.cur.b != nil {
			r.free <- r.cur.b[:cap(r.cur.b)] // never blocks: there are only readAheadBufs buffers
		}
		r.cur, r.off = <-r.chunks, 0
	}
	n := copy(p, r.cur.b[r.off:])
	r.off += n
	return n, nil
}

// close stops the goroutine and waits for it, so that the entry can then be closed.
func (r *readAhead) close() {
	close(r.stop)
	<-r.done
}
