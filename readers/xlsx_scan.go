package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// xmlScanner is a pull tokenizer for the part of XML that spreadsheet parts use. A sheet
// of a million rows is half a gigabyte of XML; encoding/xml allocates for every token and
// takes about eight times longer than this scanner, which works on a byte buffer and
// hands out slices of it.
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
	// Fill the buffer: a construct cut by the buffer's end is scanned again from its
	// start, so small reads would make long ones quadratic.
	start, zeros := s.end, 0
	for s.end < len(s.buf) && s.rerr == nil {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		s.rerr = err
		if n == 0 && err == nil {
			if zeros++; zeros > 100 {
				s.rerr = io.ErrNoProgress
			}
		}
	}
	if s.end > start {
		return nil
	}
	return s.rerr
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
