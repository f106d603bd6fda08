package writers

import (
	"bufio"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// SetOptions shape the set files Alma uploads (SPEC §5).
type SetOptions struct {
	Format string // "xlsx", "txt" or "both"
	Header string // first cell, USERNAME by default
	Split  int    // at most this many IDs per file
}

// SetWriter writes the included IDs, in order, into set-001, set-002, … files, each
// part streamed as the IDs arrive: memory does not grow with the set.
type SetWriter struct {
	stage *Stage
	opts  SetOptions
	parts int
	total int
	n     int // IDs in the open part

	txt    *File
	txtBuf *bufio.Writer
	xl     *excelize.File
	sheet  *excelize.StreamWriter
	cell   excelize.Cell
	row    []any
}

func NewSetWriter(stage *Stage, opts SetOptions) *SetWriter {
	return &SetWriter{stage: stage, opts: opts, row: make([]any, 1)}
}

func (w *SetWriter) wantTXT() bool  { return w.opts.Format == "txt" || w.opts.Format == "both" }
func (w *SetWriter) wantXLSX() bool { return w.opts.Format == "xlsx" || w.opts.Format == "both" }

// Add appends one included ID.
func (w *SetWriter) Add(id string) error {
	if w.n == 0 {
		if err := w.open(); err != nil {
			return err
		}
	}
	if w.txt != nil {
		w.txtBuf.WriteString(id)
		w.txtBuf.WriteByte('\n')
	}
	if w.sheet != nil {
		w.cell.Value = id
		w.row[0] = w.cell
		ref, _ := excelize.CoordinatesToCellName(1, w.n+2)
		if err := w.sheet.SetRow(ref, w.row); err != nil {
			return fmt.Errorf("%s: %w", w.name(".xlsx"), err)
		}
	}
	w.n++
	w.total++
	if w.n == w.opts.Split {
		return w.closePart()
	}
	return nil
}

// Close writes the last part. No file at all when nothing was included.
func (w *SetWriter) Close() error {
	if w.n > 0 {
		return w.closePart()
	}
	return nil
}

// Abort drops an open part; excelize keeps a large sheet in a temporary file of its
// own, which holds IDs and must not outlive a failed run.
func (w *SetWriter) Abort() {
	if w.xl != nil {
		w.xl.Close()
		w.xl, w.sheet = nil, nil
	}
	if w.txt != nil {
		w.txt.f.Close()
		w.txt = nil
	}
}

// Total is the number of IDs added.
func (w *SetWriter) Total() int { return w.total }

func (w *SetWriter) name(ext string) string { return fmt.Sprintf("set-%03d%s", w.parts, ext) }

func (w *SetWriter) open() error {
	w.parts++
	if w.wantTXT() {
		f, err := w.stage.Create(w.name(".txt"))
		if err != nil {
			return err
		}
		// UTF-8 without BOM, \n line ends: the header, then one ID a line.
		w.txt, w.txtBuf = f, bufio.NewWriterSize(f, 256<<10)
		w.txtBuf.WriteString(w.opts.Header)
		w.txtBuf.WriteByte('\n')
	}
	if w.wantXLSX() {
		return w.openXLSX()
	}
	return nil
}

// openXLSX starts column A of the first sheet as text cells, so that an ID such as
// 00123 stays text when Alma (or a person) opens it.
func (w *SetWriter) openXLSX() error {
	name := w.name(".xlsx")
	x := excelize.NewFile()
	w.xl = x
	// Number format 49 is Excel's "Text" (@): a person who opens the file and edits a
	// cell keeps text, so 00123 cannot turn into 123 on the way to Alma.
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	sw, err := x.NewStreamWriter(x.GetSheetName(0))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := sw.SetColWidth(1, 1, 24); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: text, Value: w.opts.Header}}); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	w.sheet, w.cell = sw, excelize.Cell{StyleID: text}
	return nil
}

func (w *SetWriter) closePart() error {
	n := w.n
	w.n = 0
	if w.txt != nil {
		f := w.txt
		w.txt = nil
		if err := w.txtBuf.Flush(); err != nil {
			f.f.Close()
			return err
		}
		f.SetIDs(n)
		if err := f.Close(); err != nil {
			return err
		}
	}
	if w.xl != nil {
		return w.closeXLSX(n)
	}
	return nil
}

func (w *SetWriter) closeXLSX(n int) error {
	x, sw := w.xl, w.sheet
	w.xl, w.sheet = nil, nil
	defer x.Close()
	name := w.name(".xlsx")
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f, err := w.stage.Create(name)
	if err != nil {
		return err
	}
	if _, err := x.WriteTo(f); err != nil {
		f.f.Close()
		return err
	}
	f.SetIDs(n)
	return f.Close()
}
