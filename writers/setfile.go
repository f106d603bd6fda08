package writers

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// SetOptions shape the set files Alma uploads (SPEC §5).
type SetOptions struct {
	Format string // "xlsx", "txt" or "both"
	Header string // first cell, USERNAME by default
	Split  int    // at most this many IDs per file
}

// SetWriter writes the included IDs, in order, into set-001, set-002, … files. It
// buffers at most one part's IDs, since a part is written once its size is known to
// be final; the default 100,000 IDs is a few MB.
type SetWriter struct {
	stage *Stage
	opts  SetOptions
	part  []string
	parts int
	total int
}

func NewSetWriter(stage *Stage, opts SetOptions) *SetWriter {
	return &SetWriter{stage: stage, opts: opts}
}

// Add appends one included ID.
func (w *SetWriter) Add(id string) error {
	w.part = append(w.part, strings.Clone(id)) // id may pin a larger buffer of the caller's
	w.total++
	if len(w.part) >= w.opts.Split {
		return w.flush()
	}
	return nil
}

// Close writes the last part. No file at all when nothing was included.
func (w *SetWriter) Close() error {
	if len(w.part) > 0 {
		return w.flush()
	}
	return nil
}

// Total is the number of IDs added.
func (w *SetWriter) Total() int { return w.total }

func (w *SetWriter) flush() error {
	w.parts++
	base := fmt.Sprintf("set-%03d", w.parts)
	if w.opts.Format == "xlsx" || w.opts.Format == "both" {
		if err := w.writeXLSX(base+".xlsx", w.part); err != nil {
			return err
		}
	}
	if w.opts.Format == "txt" || w.opts.Format == "both" {
		if err := w.writeTXT(base+".txt", w.part); err != nil {
			return err
		}
	}
	w.part = w.part[:0]
	return nil
}

// writeTXT: UTF-8 without BOM, \n line ends, header then one ID a line.
func (w *SetWriter) writeTXT(name string, ids []string) error {
	f, err := w.stage.Create(name)
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(f, 256<<10)
	b.WriteString(w.opts.Header)
	b.WriteByte('\n')
	for _, id := range ids {
		b.WriteString(id)
		b.WriteByte('\n')
	}
	if err := b.Flush(); err != nil {
		f.f.Close()
		return err
	}
	f.SetIDs(len(ids))
	return f.Close()
}

// writeXLSX writes column A of the first sheet as text cells, so that an ID such as
// 00123 stays text when Alma (or a person) opens it.
func (w *SetWriter) writeXLSX(name string, ids []string) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	// Number format 49 is Excel's "Text" (@): a person who opens the file and edits a
	// cell keeps text, so 00123 cannot turn into 123 on the way to Alma.
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := sw.SetColWidth(1, 1, 24); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: text, Value: w.opts.Header}}); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	cellv := excelize.Cell{StyleID: text}
	row := []any{nil}
	for i, id := range ids {
		cellv.Value = id
		row[0] = cellv
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
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
	f.SetIDs(len(ids))
	return f.Close()
}
