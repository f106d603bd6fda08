package readers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"unicode/utf8"
)

// maxLine bounds one physical line and one row (a record whose quoted value spans
// lines), so a damaged file (a lost quote, a binary blob)
// fails with a message instead of buffering gigabytes.
const maxLine = 16 << 20

var errLineTooLong = errors.New("line too long")

// textBuffer is the buffer between the decoding layers and encoding/csv.
const textBuffer = 256 << 10

// textSource reads delimited UTF-8 or UTF-16 text with encoding/csv (RFC 4180:
// quoting, embedded newlines, CRLF).
type textSource struct {
	name string
	f    *os.File
	info Info
	csv  *csv.Reader
	br   *bufio.Reader
	ll   *lineLimit
	fast fastLines // lines without quotes, read past encoding/csv (textfast.go)
}

func openText(f *os.File, name string, head []byte, opts Options) (*textSource, error) {
	return openTextSize(f, name, head, opts, textBuffer)
}

// openTextSize is openText with a buffer of size bytes: tests make it small to cross
// the buffer's edges often.
func openTextSize(f *os.File, name string, head []byte, opts Options, size int) (*textSource, error) {
	enc, bom := encodingOf(head)
	if _, err := f.Seek(int64(bom), io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek %s: %w", name, err)
	}
	var r io.Reader = f
	switch enc {
	case "utf-16le":
		r = newUTF16Reader(f, false)
	case "utf-16be":
		r = newUTF16Reader(f, true)
	default:
		if looksUTF16NoBOM(head) {
			return nil, &ParseError{File: name, Msg: "the file looks like UTF-16 text without a byte-order mark",
				Hint: "export it again as UTF-8 (or as UTF-16 with a byte-order mark)"}
		}
	}
	ll := &lineLimit{r: r}
	br := bufio.NewReaderSize(ll, size)
	peek, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		// Damage within the first 64 KiB (bad UTF-16, a huge line) is reported by Rows,
		// which knows the row: the error is sticky, so reading meets it again there.
		if !contentErr(err) || len(peek) == 0 {
			row := 0
			if contentErr(err) {
				row = 1
			}
			return nil, textErr(name, row, err)
		}
	}
	if len(peek) == 0 {
		msg := "the file is empty"
		if bom > 0 {
			msg = "the file holds only a byte-order mark"
		}
		return nil, &ParseError{File: name, Msg: msg,
			Hint: "an empty export usually means the Analytics report failed: run it and export again"}
	}
	if bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(bytes.TrimRight(peek, "\r"), '\r') >= 0 {
		// encoding/csv would read the whole file as one line: a header that finds no
		// columns, or, worse, a protect list that is one long "ID" and protects nobody.
		return nil, &ParseError{File: name, Msg: "the lines end with a carriage return (CR) alone, as old Mac programs write them",
			Hint: "export it again from Analytics, or save it as \"CSV UTF-8\" (not \"CSV (Macintosh)\") or with Windows or Unix line ends"}
	}
	s := &textSource{name: name, f: f, br: br, ll: ll}
	s.info = Info{Format: "text", Encoding: enc, Delimiter: sniffDelimiter(peek, opts.IDHeader)}
	s.csv = csv.NewReader(br)
	s.csv.Comma = rune(s.info.Delimiter[0])
	if s.info.Delimiter == "\t" {
		// Analytics' tab-delimited export does not quote, so a name such as
		// Robert "Bob" holds bare quotes; they are taken as they stand. A field spanning
		// lines is refused below: it may be a lone quote that swallowed rows.
		s.csv.LazyQuotes = true
	}
	if opts.Plain {
		// A control character no list holds, and quotes taken as they stand.
		s.info.Delimiter = ""
		s.csv.Comma = '\x1f'
		s.csv.LazyQuotes = true
	}
	s.csv.FieldsPerRecord = -1 // ragged rows are judged by the header check, with a row number
	s.csv.ReuseRecord = true
	s.fast.init(s.csv, br)
	return s, nil
}

func (s *textSource) Info() Info   { return s.info }
func (s *textSource) Close() error { return s.f.Close() }

func (s *textSource) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		var cells []Cell
		row, lastLine := 0, 0
		for {
			rec, start, end, clean, err := s.read()
			if err == io.EOF {
				// encoding/csv skips empty lines at the end too; they are blank rows.
				for ; lastLine < s.ll.lines; lastLine++ {
					row++
					if !yield(Row{Num: row}, nil) {
						return
					}
				}
				return
			}
			if err != nil {
				// Empty lines before the failing record are rows too.
				yield(Row{}, textErr(s.name, row+s.errLine(rec, err, lastLine)-lastLine, err))
				return
			}
			// encoding/csv skips empty lines; a spreadsheet shows each as a row.
			for ; lastLine+1 < start; lastLine++ {
				row++
				if !yield(Row{Num: row}, nil) {
					return
				}
			}
			row++
			lastLine = end
			cells = cells[:0]
			for i, f := range rec {
				if !clean && !plainField(f) {
					if e := s.fieldErr(row, i, f); e != nil {
						yield(Row{}, e)
						return
					}
				}
				cells = append(cells, Cell{Text: f})
			}
			s.ll.recStart = s.csv.InputOffset() + s.fast.bytes // the next record starts here
			if !yield(Row{Num: row, Cells: cells}, nil) {
				return
			}
		}
	}
}

// fieldErr checks field i of row in full: a value spanning lines in text read with
// LazyQuotes, invalid text in the detected encoding, a NUL byte.
func (s *textSource) fieldErr(row, i int, f string) error {
	if s.csv.LazyQuotes && strings.IndexByte(f, '\n') >= 0 {
		e := &ParseError{File: s.name, Row: row, Msg: fmt.Sprintf("field %d spans several lines in tab-delimited text", i+1),
			Hint: "tab-delimited exports do not quote values, so a quote (\") at the start of a value may have swallowed the rows after it: remove the quote or the line break and export again, or export CSV"}
		if s.info.Delimiter == "" { // a plain list
			e.Msg = "a quote (\") at the start of the line opens a value that runs over several lines"
			e.Hint = "a plain list holds one ID a line: remove the quote, or close it at the end of its line"
		}
		return e
	}
	if p := textProblem(f); p != "" {
		e := &ParseError{File: s.name, Row: row, Field: i + 1, Msg: fmt.Sprintf("field %d %s", i+1, p),
			Hint: "the file is damaged or not text in the detected encoding (" + s.info.Encoding + "); export it again"}
		if !utf8.ValidString(f) && strings.HasPrefix(s.info.Encoding, "utf-8") {
			// The usual cause: Excel's "CSV (Comma delimited)" writes Windows-1252.
			e.Msg = fmt.Sprintf("field %d is not valid UTF-8 text: the file was saved in another character set, such as Windows-1252, which Excel's \"CSV (Comma delimited)\" writes", i+1)
			e.Hint = "export it again from Analytics, or in Excel save it as \"CSV UTF-8 (Comma delimited)\""
		}
		return e
	}
	return nil
}

// errLine is the physical line on which the record that failed to read starts.
func (s *textSource) errLine(rec []string, err error, lastLine int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return max(pe.StartLine+s.fast.lines, lastLine+1)
	}
	if len(rec) > 0 { // a reader error: encoding/csv returns what it read of the record
		if l, _ := s.csv.FieldPos(0); l+s.fast.lines > lastLine {
			return l + s.fast.lines
		}
	}
	return lastLine + 1
}

// contentErr reports the errors of the decoding layers below encoding/csv that the
// file's content causes.
func contentErr(err error) bool {
	return errors.Is(err, errBadUTF16) || errors.Is(err, errLineTooLong)
}

// textErr turns a reading failure into a ParseError when the content is at fault.
func textErr(name string, row int, err error) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote):
		return &ParseError{File: name, Row: row, Msg: "a quote (\") inside an unquoted field",
			Hint: "the export is damaged: put quotes around the field and double the inner quote, or export again"}
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
		return &ParseError{File: name, Row: row, Msg: "a quoted field is never closed or has text after its closing quote",
			Hint: "the export is damaged or cut off: export it again"}
	case errors.Is(err, errBadUTF16):
		return &ParseError{File: name, Row: row, Msg: "invalid UTF-16 (an unpaired surrogate or an odd number of bytes)",
			Hint: "the file is damaged or cut off: export it again"}
	case errors.Is(err, errLineTooLong):
		return &ParseError{File: name, Row: row, Msg: fmt.Sprintf("a line or row longer than %d MiB", maxLine>>20),
			Hint: "this is not a user export, or a quote (\") was lost and the rest of the file became one value: check the row, or export it again"}
	case errors.As(err, &pe):
		return &ParseError{File: name, Row: row, Msg: pe.Err.Error(), Hint: "export it again"}
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// lineLimit fails once a physical line grows past maxLine bytes, or once it has read
// more than maxLine bytes (plus what a bufio.Reader reads ahead) past recStart, where
// Rows says the record being parsed starts: encoding/csv would otherwise hold the rest
// of the file in memory after a lost quote. It also counts the line ends it read.
type lineLimit struct {
	r        io.Reader
	run      int
	lines    int
	read     int64
	recStart int64
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	chunk := p[:n]
	l.lines += bytes.Count(chunk, []byte{'\n'})
	for len(chunk) > 0 {
		i := indexNL(chunk)
		if i < 0 {
			l.run += len(chunk)
			break
		}
		l.run = 0
		chunk = chunk[i+1:]
	}
	l.read += int64(n)
	if l.run > maxLine || l.read-l.recStart > maxLine+textBuffer {
		return n, errLineTooLong
	}
	return n, err
}

func indexNL(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return i
		}
	}
	return -1
}
