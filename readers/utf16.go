package readers

import (
	"bufio"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// errBadUTF16 is returned by utf16Reader for an unpaired surrogate or an odd byte
// count; Open turns it into a ParseError with the row reached.
var errBadUTF16 = errors.New("invalid UTF-16")

// utf16Reader decodes UTF-16 (after its BOM) to UTF-8 as a stream. It fails on
// undecodable input instead of inventing U+FFFD, because a replaced character in an ID
// would silently make it another ID.
type utf16Reader struct {
	src       *bufio.Reader
	bigEndian bool
	pending   []byte // encoded UTF-8 not yet returned
	buf       [4]byte
	err       error
}

func newUTF16Reader(r io.Reader, bigEndian bool) *utf16Reader {
	return &utf16Reader{src: bufio.NewReaderSize(r, 64<<10), bigEndian: bigEndian}
}

// unit reads one UTF-16 code unit. Byte by byte from the bufio.Reader: a [2]byte
// passed to io.ReadFull would escape and cost an allocation per character.
func (u *utf16Reader) unit() (uint16, error) {
	b0, err := u.src.ReadByte()
	if err != nil {
		return 0, err
	}
	b1, err := u.src.ReadByte()
	if err == io.EOF {
		return 0, errBadUTF16 // an odd number of bytes
	}
	if err != nil {
		return 0, err
	}
	if u.bigEndian {
		return uint16(b0)<<8 | uint16(b1), nil
	}
	return uint16(b1)<<8 | uint16(b0), nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(u.pending) > 0 {
			c := copy(p[n:], u.pending)
			u.pending = u.pending[c:]
			n += c
			continue
		}
		if u.err != nil {
			break
		}
		// Stop before blocking once something is returned: the caller buffers anyway.
		if n > 0 && u.src.Buffered() < 2 {
			break
		}
		r, err := u.next()
		if err != nil {
			u.err = err
			break
		}
		if r < utf8.RuneSelf && n < len(p) {
			p[n] = byte(r)
			n++
			continue
		}
		w := utf8.EncodeRune(u.buf[:], r)
		u.pending = u.buf[:w]
	}
	if n > 0 {
		return n, nil
	}
	return 0, u.err
}

func (u *utf16Reader) next() (rune, error) {
	c, err := u.unit()
	if err != nil {
		return 0, err
	}
	switch {
	case c < 0xD800 || c > 0xDFFF:
		return rune(c), nil
	case c >= 0xDC00:
		return 0, errBadUTF16
	}
	c2, err := u.unit()
	if err == io.EOF {
		return 0, errBadUTF16
	}
	if err != nil {
		return 0, err
	}
	r := utf16.DecodeRune(rune(c), rune(c2))
	if r == utf8.RuneError {
		return 0, errBadUTF16
	}
	return r, nil
}
