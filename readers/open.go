package readers

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
)

// headerScan is how many rows may stand above the header (report titles, filters).
const headerScan = 20

// Options steer Open.
type Options struct {
	Sheet    string // XLSX sheet; "" for the first
	IDHeader string // --column id=HEADER; "" for the standard identifier headers
	// Plain reads text one line a field: no delimiter, no quoting (protect lists).
	Plain bool
}

// Table is one input after the header check: its header and the rows below it.
type Table struct {
	Name      string // path as given
	Info      Info
	Header    []string
	HeaderRow int // spreadsheet row number of the header
	Preamble  int // rows above the header
	IDCol     int // column of the identifier header

	src   Source
	feed  *feed
	cur   *Batch // the batch the header search is in
	pos   int    // its rows not yet handed out start here
	ended bool   // the last batch was handed out
}

// Open sniffs the file's format from its content, finds the header row and leaves the
// table positioned just below it.
func Open(path string, opts Options) (*Table, error) {
	src, err := OpenSource(path, path, opts)
	if err != nil {
		return nil, err
	}
	t := &Table{Name: path, Info: src.Info(), src: src}
	t.feed = startFeed(src.Rows())
	if err := t.findHeader(opts.IDHeader); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// OpenSource opens one file as a Source of all its rows; name is used in messages.
func OpenSource(path, name string, opts Options) (Source, error) {
	f, err := OpenRegular(path)
	if err != nil {
		if pe := notRegularError(name, err); pe != nil {
			return nil, pe
		}
		return nil, &ParseError{File: name, Msg: "cannot open the file: " + errText(err),
			Hint: "check the path and that you may read it"}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		f.Close()
		return nil, &ParseError{File: name, Msg: "cannot read the file: " + errText(err), Hint: "check the path and that you may read it"}
	}
	head = head[:n]
	if what := notAnExport(head); what != "" {
		f.Close()
		return nil, &ParseError{File: name, Msg: "the file is " + what + ", not an export", Hint: hintExportFile}
	}
	switch sniffKind(head) {
	case sniffXLSX:
		f.Close()
		return OpenXLSX(path, name, opts.Sheet)
	case sniffOLE:
		f.Close()
		return nil, &ParseError{File: name, Msg: "the file is a password-protected workbook or an old .xls file",
			Hint: "open it in Excel, remove the password and save it as .xlsx, or export CSV from Analytics"}
	}
	src, err := openText(f, name, head, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Rows yields the rows below the header. Single use; a row's cells are reused for
// the next row.
func (t *Table) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for b := t.NextBatch(); b != nil; b = t.NextBatch() {
			for _, row := range b.Rows {
				if !yield(row, nil) {
					b.Release()
					return
				}
			}
			err := b.Err
			b.Release()
			if err != nil {
				yield(Row{}, err)
				return
			}
		}
	}
}

// NextBatch is the next batch of the rows below the header, in order, or nil at the
// end of the table (after a batch with Err set, too). The caller releases each batch
// when done with it; batches and Rows are not mixed.
func (t *Table) NextBatch() *Batch {
	b := t.cur
	if b != nil { // what the header search left of its batch
		t.cur = nil
		if b.Rows = b.Rows[t.pos:]; len(b.Rows) == 0 && b.Err == nil {
			b.Release()
			b = nil
		}
	}
	if b == nil {
		if t.ended {
			return nil
		}
		if b = t.feed.next(); b == nil {
			t.ended = true
			return nil
		}
	}
	if b.Err != nil {
		b.Err, t.ended = t.nameField(b.Err), true
	}
	return b
}

// next is the next row for the header search: (row, nil, true), (Row{}, err, true) at
// an error, or ok false at the end of the table.
func (t *Table) next() (Row, error, bool) {
	for t.cur == nil || t.pos == len(t.cur.Rows) {
		if t.cur != nil && t.cur.Err != nil {
			return Row{}, t.cur.Err, true
		}
		t.cur.Release() // nil-safe
		t.cur = nil     // so that NextBatch takes the next batch from the feed
		if t.cur, t.pos = t.NextBatch(), 0; t.cur == nil {
			return Row{}, nil, false
		}
	}
	t.pos++
	return t.cur.Rows[t.pos-1], nil, true
}

// nameField names the column of a text field error by its header.
func (t *Table) nameField(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) && pe.Field > 0 && pe.Column == "" && pe.Field <= len(t.Header) {
		pe.Column = t.Header[pe.Field-1]
	}
	return err
}

func (t *Table) Close() error {
	t.feed.stop()
	return t.src.Close()
}

func (t *Table) findHeader(idHeader string) error {
	var seen []Row // copies of the rows above the header, for the message
	for i := 0; i < headerScan; i++ {
		row, err, ok := t.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if col := headerColumn(row.Cells, idHeader); col >= 0 {
			t.Header = make([]string, len(row.Cells))
			for j, c := range row.Cells {
				t.Header[j] = strings.TrimSpace(strings.TrimPrefix(c.Text, "\uFEFF"))
			}
			t.HeaderRow, t.IDCol = row.Num, col
			return nil
		}
		t.Preamble++
		seen = append(seen, Row{Num: row.Num, Cells: append([]Cell(nil), row.Cells...)})
	}
	return headerError(t.Name, t.Info.Sheet, seen, idHeader)
}

// headerColumn is the identifier column of a header row, or -1. The standard headers
// count only in the first column (Alma reads only the first column of a set); a header
// named with --column id may stand anywhere.
func headerColumn(cells []Cell, idHeader string) int {
	if idHeader != "" {
		for i, c := range cells {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(c.Text, "\uFEFF")), strings.TrimSpace(idHeader)) {
				return i
			}
		}
		return -1
	}
	if len(cells) > 0 && IsIDHeader(cells[0].Text) {
		return 0
	}
	return -1
}

func headerError(name, sheet string, seen []Row, idHeader string) error {
	e := &ParseError{File: name, Personal: true, NoHeader: true}
	want := `"USERNAME", "Primary ID" or "Primary Identifier"`
	if idHeader != "" {
		want = fmt.Sprintf("%q (from --column id)", idHeader)
	}
	e.Msg = fmt.Sprintf("no header row in the first %d rows: the first column must be headed %s", headerScan, want)
	e.Hint = "export the report with the primary identifier as its first column"
	empty := true
	for _, r := range seen {
		for _, c := range r.Cells {
			if strings.TrimSpace(c.Text) != "" {
				empty = false
			}
		}
	}
	if empty && len(seen) < headerScan { // no rows, or only empty ones
		e.Msg = "no data at all (no rows in the file or sheet)"
		e.Hint = "an empty export usually means the Analytics report failed: run it and export again"
		if sheet != "" {
			e.Msg = fmt.Sprintf("no data at all: sheet %q is empty", sheet)
			e.Hint += "; if the export is on another sheet, pass --sheet with its name"
		}
		return e
	}
	for _, r := range seen {
		if len(r.Cells) > 0 && e.Found == "" && strings.TrimSpace(r.Cells[0].Text) != "" {
			e.Found, e.Row = r.Cells[0].Text, r.Num
		}
		if len(r.Cells) > 0 && strings.HasPrefix(r.Cells[0].Text, "ï»¿") {
			e.Row = r.Num
			e.Hint = "the file was re-saved with the wrong character set (its UTF-8 byte-order mark shows as \"ï»¿\"): export it again, or save it as \"CSV UTF-8\""
			return e
		}
		for i, c := range r.Cells {
			if i > 0 && IsIDHeader(c.Text) && idHeader == "" {
				e.Row = r.Num
				e.Msg = fmt.Sprintf("the identifier header %q is in column %s, not the first column", strings.TrimSpace(c.Text), ColumnName(i))
				e.Hint = fmt.Sprintf("move that column first (Alma reads the first column of a set), or pass --column id=%q", strings.TrimSpace(c.Text))
				e.Found = ""
				return e
			}
		}
	}
	return e
}

// ColumnName is a spreadsheet column name: 0 → A, 25 → Z, 26 → AA.
func ColumnName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
