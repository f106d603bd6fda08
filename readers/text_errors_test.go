package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTextErrors(t *testing.T) {
	// Big inputs are made when their case runs: prefix, then n bytes without a line end.
	big := func(prefix string, n int) func() []byte {
		return func() []byte { return append([]byte(prefix), bytes.Repeat([]byte{'x'}, n)...) }
	}
	highAlone := append(txtLE("USERNAME\tExpiry Date\r\nj1\t2021-05-31\r\nj"), 0x3D, 0xD8, 'x', 0)
	lowAlone := append(txtLE("USERNAME\tExpiry Date\r\nj"), 0x00, 0xDC)
	highAtEOF := append(txtLE("USERNAME\tExpiry Date\r\n\r\nj1"), 0x3D, 0xD8)
	tests := []struct {
		name     string
		in       []byte
		big      func() []byte // instead of in
		opts     Options
		row      int
		msg      string
		noHeader bool
	}{
		{name: "empty file", in: nil, msg: "the file is empty"},
		{name: "BOM-only file", in: []byte("\xEF\xBB\xBF"), msg: "only a byte-order mark"},
		{name: "UTF-16 BOM only", in: []byte{0xFF, 0xFE}, msg: "only a byte-order mark"},
		{name: "bare quote in a comma CSV", in: []byte("USERNAME,Name,Expiry Date\nj1,Robert \"Bob\" Smith,2021-05-31\n"),
			row: 2, msg: `a quote (") inside an unquoted field`},
		{name: "bare quote after empty lines and a multi-line field",
			in:  []byte("USERNAME,Name,Expiry Date\n\"j1\",\"two\nlines\",2021-05-31\n\n\nj2,x\"y,2021-05-31\n"),
			row: 5, msg: `a quote (") inside an unquoted field`},
		{name: "unterminated quote", in: []byte("USERNAME,Name,Expiry Date\nj1,x,2021-05-31\n\nj2,\"Doe, Jane,2021-05-31\nj3,y,2021-05-31\n"),
			row: 4, msg: "a quoted field is never closed"},
		{name: "text after a closing quote", in: []byte("USERNAME,Name,Expiry Date\nj1,\"Doe\" Jane,2021-05-31\n"),
			row: 2, msg: "a quoted field is never closed or has text after its closing quote"},
		{name: "invalid UTF-8", in: []byte("USERNAME,Name,Expiry Date\nj1,Doe,2021-05-31\n\nj2,M\xfcller,2021-05-31\n"),
			row: 4, msg: "field 2 is not valid UTF-8"},
		{name: "invalid UTF-8 in the header", in: []byte("USERNAME,Gr\xfcppe\nj1,x\n"), row: 1, msg: "field 2 is not valid UTF-8"},
		{name: "NUL byte", in: []byte("USERNAME,Expiry Date\nj1,2021-05-31\nj\x002,2021-05-31\n"), row: 3, msg: "field 1 holds a NUL byte"},
		{name: "UTF-16LE without BOM", in: txtUTF16("USERNAME\tExpiry Date\r\nj1\t2021-05-31\r\n", false, false),
			msg: "UTF-16 text without a byte-order mark"},
		{name: "UTF-16BE without BOM", in: txtUTF16("USERNAME\tExpiry Date\r\nj1\t2021-05-31\r\n", true, false),
			msg: "UTF-16 text without a byte-order mark"},
		{name: "UTF-16 odd byte count", in: append(txtLE("USERNAME\tExpiry Date\r\nj1\t2021-05-31\r\n"), 'x'), row: 3, msg: "invalid UTF-16"},
		{name: "UTF-16 odd byte count, one byte", in: []byte{0xFF, 0xFE, 'x'}, row: 1, msg: "invalid UTF-16"},
		{name: "UTF-16 unpaired high surrogate", in: highAlone, row: 3, msg: "invalid UTF-16"},
		{name: "UTF-16 lone low surrogate", in: lowAlone, row: 2, msg: "invalid UTF-16"},
		{name: "UTF-16 high surrogate at the end", in: highAtEOF, row: 3, msg: "invalid UTF-16"},
		{name: "17 MiB single line", big: big("", 17<<20), row: 1, msg: "longer than 16 MiB"},
		{name: "17 MiB line after rows", big: big("USERNAME,Expiry Date\nj1,2021-05-31\n\n", 17<<20), row: 4, msg: "longer than 16 MiB"},
		{name: "17 MiB UTF-16 line", row: 2, msg: "longer than 16 MiB", big: func() []byte {
			return append(txtLE("USERNAME\tExpiry Date\r\n"), bytes.Repeat([]byte{'y', 0}, 17<<20)...)
		}},
		// A lost quote makes the rest of the file one value of short lines: the row
		// limit stops it, instead of encoding/csv holding the whole file in memory.
		{name: "lost quote in a big CSV", row: 3, msg: "longer than 16 MiB", big: func() []byte {
			return []byte("USERNAME,Name\nj1,Doe\nj2,\"Smith, Robert\n" + strings.Repeat("j3,Doe\n", 17<<20/7))
		}},
		{name: "lost quote in big tab-delimited text", row: 3, msg: "longer than 16 MiB", big: func() []byte {
			return []byte("USERNAME\tName\n\nj2\t\"Bob\n" + strings.Repeat("j3\tDoe\n", 17<<20/7))
		}},
		{name: "tab-delimited field spanning lines", in: []byte("USERNAME\tName\tExpiry Date\nj1\tx\t2021-05-31\n\nj2\t\"Doe\n\nj3\tx\t2021-05-31\n"),
			row: 4, msg: "field 2 spans several lines in tab-delimited text"},
		{name: "CR-only line ends", in: []byte("USERNAME,Expiry Date\rj1,2021-05-31\rj2,2021-05-31\r"), msg: "carriage return (CR) alone"},
		{name: "CR-only plain list", in: []byte("j1\rj2\r"), opts: Options{Plain: true}, msg: "carriage return (CR) alone"},
		{name: "no header", in: []byte("Users,Expiry Date\nj1,2021-05-31\n"), row: 1, noHeader: true,
			msg: `the first column must be headed "USERNAME", "Primary ID" or "Primary Identifier"`},
		{name: "header below row 20", in: []byte(strings.Repeat("title\n", 20) + "USERNAME\nj1\n"), row: 1, noHeader: true,
			msg: "no header row in the first 20 rows"},
		{name: "header in another column", in: []byte("\n\nName,Primary Identifier\nDoe,j1\n"), row: 3, noHeader: true,
			msg: `the identifier header "Primary Identifier" is in column B, not the first column`},
		{name: "--column id not found", in: []byte("USERNAME,Expiry Date\nj1,2021-05-31\n"), opts: Options{IDHeader: "Barcode"},
			row: 1, noHeader: true, msg: `"Barcode" (from --column id)`},
		{name: "only empty lines", in: []byte("\n\n\r\n"), noHeader: true, msg: "no data at all"},
		{name: "only blank lines", in: []byte(" \n\t\n,,\n"), noHeader: true, msg: "no data at all"},
		{name: "20 empty lines, then the header", in: []byte(strings.Repeat("\n", 20) + "USERNAME\nj1\n"), noHeader: true,
			msg: "no header row in the first 20 rows"},
		{name: "quote in a plain list", in: []byte("j1\n\"j2, x\nj3\n"), opts: Options{Plain: true}, row: 2,
			msg: "a quote (\") at the start of the line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.big != nil {
				in = tt.big()
			}
			path := txtWrite(t, txtName, in)
			var err error
			file := path // Open names the file by its path as given
			if tt.opts.Plain {
				_, _, err = txtReadSourcePath(t, path, tt.opts)
				file = txtName
			} else {
				_, _, err = txtOpenPath(t, path, tt.opts)
			}
			if err == nil {
				t.Fatal("no error")
			}
			pe := txtParseError(t, err, file, tt.row, tt.msg)
			if pe.NoHeader != tt.noHeader {
				t.Errorf("NoHeader = %v, want %v", pe.NoHeader, tt.noHeader)
			}
		})
	}
}

// The row limit is per row: a file of many short rows reads to the end, however long.
func TestTextManyRowsPastTheLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("USERNAME,Note\n")
	n := 0
	for b.Len() < 20<<20 {
		n++
		fmt.Fprintf(&b, "j%07d,\"two\nlines\"\n", n)
	}
	tab, err := Open(txtWrite(t, txtName, b.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	rows, last := 0, 0
	for r, err := range tab.Rows() {
		if err != nil {
			t.Fatalf("after %d rows: %v", rows, err)
		}
		rows, last = rows+1, r.Num
	}
	if rows != n || last != n+1 {
		t.Errorf("%d rows, the last numbered %d; want %d and %d", rows, last, n, n+1)
	}
}

// Values that may be IDs are quoted only by Verbose (for a terminal).
func TestTextHeaderErrorHidesValue(t *testing.T) {
	_, _, err := txtOpen(t, []byte("jdoe42,2021-05-31\n"), Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || !pe.Personal || pe.Found != "jdoe42" {
		t.Fatalf("error %v, want a personal ParseError that found jdoe42", err)
	}
	if strings.Contains(pe.Error(), "jdoe42") {
		t.Errorf("Error() shows the value: %s", pe.Error())
	}
	if !strings.Contains(pe.Verbose(), `found "jdoe42"`) {
		t.Errorf("Verbose() does not show the value: %s", pe.Verbose())
	}
}

// The header check's message when the UTF-8 BOM was re-read as Windows-1252 text.
func TestTextHeaderMojibakeBOM(t *testing.T) {
	_, _, err := txtOpen(t, []byte("\u00ef\u00bb\u00bfUSERNAME,Expiry Date\nj1,2021-05-31\n"), Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(pe.Hint, "wrong character set") {
		t.Fatalf("error %v, want the character set hint", err)
	}
}

func TestTextRowsEarlyStop(t *testing.T) {
	path := txtWrite(t, txtName, []byte("USERNAME\nj1\nj2\nj3\n"))
	tab, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for r, err := range tab.Rows() {
		if err != nil || r.Num != 2 {
			t.Fatalf("first row %d, %v", r.Num, err)
		}
		break
	}
	if err := tab.Close(); err != nil {
		t.Fatal(err)
	}
}

// ---- the UTF-16 decoder ----

func TestUTF16Reader(t *testing.T) {
	texts := []string{
		"",
		"USERNAME\tExpiry Date\r\n",
		"j\u00f6rg \u20ac \u4e2d\u6587 \U0001F600 \U0001F468\u200D\U0001F469 \U0010FFFF \uFFFD end",
		strings.Repeat("\U0001F600a", 50000), // longer than the 64 KiB buffer, pairs across reads
	}
	for _, text := range texts {
		for _, bigEndian := range []bool{false, true} {
			name := fmt.Sprintf("%.12q/be=%v", text, bigEndian)
			t.Run(name, func(t *testing.T) {
				enc := txtUTF16(text, bigEndian, false)
				got, err := io.ReadAll(newUTF16Reader(bytes.NewReader(enc), bigEndian))
				if err != nil || string(got) != text {
					t.Fatalf("ReadAll = %.40q, %v; want %.40q", got, err, text)
				}
				// Short reads and one-byte reads from below, and the io.Reader contract above.
				r := newUTF16Reader(iotest.HalfReader(iotest.OneByteReader(bytes.NewReader(enc))), bigEndian)
				if err := iotest.TestReader(r, []byte(text)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestUTF16ReaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte // little-endian
		decoded string // what comes out before the error
	}{
		{"odd byte count", []byte{'a', 0, 'b'}, "a"},
		{"lone low surrogate", []byte{'a', 0, 0x00, 0xDC, 'b', 0}, "a"},
		{"high surrogate then a letter", []byte{'a', 0, 0x3D, 0xD8, 'b', 0}, "a"},
		{"high surrogate then a high surrogate", []byte{0x3D, 0xD8, 0x3D, 0xD8, 0x00, 0xDE}, ""},
		{"high surrogate at the end", []byte{'a', 0, 0x3D, 0xD8}, "a"},
		{"high surrogate and half a unit", []byte{'a', 0, 0x3D, 0xD8, 0x00}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := io.ReadAll(newUTF16Reader(bytes.NewReader(tt.in), false))
			if !errors.Is(err, errBadUTF16) {
				t.Fatalf("error %v, want errBadUTF16", err)
			}
			if string(got) != tt.decoded {
				t.Errorf("decoded %q before the error, want %q", got, tt.decoded)
			}
		})
	}
	// A read error of the machine passes through as it is.
	boom := errors.New("disk on fire")
	_, err := io.ReadAll(newUTF16Reader(io.MultiReader(bytes.NewReader([]byte{'a', 0}), iotest.ErrReader(boom)), false))
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}
