package pipeline

import (
	"context"
	"fmt"
	"regexp"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// ScanOptions say how the first pass reads one input. run, inspect and reconcile all
// read through Scan, so that what they see of an export is the same.
type ScanOptions struct {
	Sheet            string
	Columns          map[readers.Role]string // --column ROLE=HEADER
	Required         []readers.Role          // roles whose column must be found
	DateOrder        DateOrder
	AcceptNumericIDs bool
	IDPattern        *regexp.Regexp // --id-pattern, compiled by Config.Validate; nil for none
	ArchiveColumns   []string
	// Lenient collects what run stops at (a missing column, a ragged row, slash dates,
	// no data rows) in Stops and reads on: inspect shows every problem at once.
	Lenient bool
	// IDOnly reads the identifier column alone (reconcile): no other role is looked
	// for, so nothing about the other columns can stop the read.
	IDOnly bool
	// Progress, when set, is told now and then how far reading is.
	Progress func(input string, rows, done, total int64)
}

// Scan is one input being read as run's first pass reads it.
type Scan struct {
	Table *readers.Table
	Cols  readers.Columns
	Input writers.Input // format, header, columns and row counts (no size or hash)
	Stops []error       // Lenient: what run would have stopped at, first first
	// ColumnErr is why the columns could not be resolved (Lenient: the scan then reads
	// the identifier column alone).
	ColumnErr error
	Ragged    int // text rows with more filled fields than the header

	mojibake bool           // a cell went through the wrong character set (reported once)
	order    *orderEvidence // under --date-order: what the slash dates say of it
	opts     ScanOptions
	norm     *normaliser
	extra    []int
	exp, pur *dateColumn
	row      ScanRow
	ncfg     Config // what normalising a row needs of the options
	// prep, when set, works out more of each non-blank row on the normalising
	// goroutines (run: the row-local rules and the index key); it must be safe for
	// concurrent use.
	prep func(*spilled)
}

// ScanRow is one data row: its cells and its normalised fields. Both are reused for the
// next row; copy what you keep.
type ScanRow struct {
	Num   int
	Cells []readers.Cell
	rec   *spilled
	cols  *readers.Columns
}

// ID is the row's trimmed identifier.
func (r *ScanRow) ID() string { return r.rec.f.id }

// IDReason is Expired when the ID passed the ID rules, else the rule that excludes it.
func (r *ScanRow) IDReason() Reason { return r.rec.f.idReason }

// Group is the row's trimmed user group.
func (r *ScanRow) Group() string { return r.rec.f.group }

// RecordType is the row's trimmed record type.
func (r *ScanRow) RecordType() string { return r.rec.f.recordType }

// Purge is the row's purge date: its trimmed text, the date and whether the text
// parsed (a blank cell is "" and not ok).
func (r *ScanRow) Purge() (text string, d Date, ok bool) {
	return r.rec.f.purgeText, r.rec.f.purge, r.rec.f.purgeOK
}

// Cell is the row's cell for a role (empty when the input has no such column).
func (r *ScanRow) Cell(role readers.Role) readers.Cell { return cellAt(r.Cells, r.cols.Col(role)) }

// OpenScan opens an input, finds its header and resolves its columns.
func OpenScan(path string, opts ScanOptions) (*Scan, error) {
	return openScan(path, opts, &normaliser{})
}

func openScan(path string, opts ScanOptions, norm *normaliser) (*Scan, error) {
	t, err := readers.Open(path, readers.Options{Sheet: opts.Sheet, IDHeader: opts.Columns[readers.RoleID]})
	if err != nil {
		return nil, err
	}
	s := &Scan{Table: t, opts: opts, norm: norm}
	if opts.IDOnly {
		s.Cols = readers.Columns{readers.RoleID: t.IDCol}
	} else if s.Cols, err = t.ResolveColumns(opts.Columns, opts.Required); err != nil {
		if !opts.Lenient {
			t.Close()
			return nil, err
		}
		s.Stops, s.ColumnErr = append(s.Stops, err), err
		s.Cols = readers.Columns{readers.RoleID: t.IDCol} // read the IDs all the same
	}
	if s.extra, err = archiveColumns(t, opts.ArchiveColumns); err != nil {
		t.Close()
		return nil, err
	}
	s.Input = writers.Input{Path: path, Format: t.Info.Format, Encoding: t.Info.Encoding, Delimiter: t.Info.Delimiter,
		Sheet: t.Info.Sheet, HeaderRow: t.HeaderRow, PreambleRows: t.Preamble, Columns: map[string]string{}}
	for _, role := range readers.Roles {
		if c := s.Cols.Col(role); c >= 0 {
			s.Input.Columns[string(role)] = t.Header[c]
		}
	}
	for i, h := range t.Header {
		if readers.Mojibake(h) {
			err := readers.MojibakeError(path, t.HeaderRow, readers.ColumnName(i))
			if !opts.Lenient {
				t.Close()
				return nil, err
			}
			s.Stops, s.mojibake = append(s.Stops, err), true
			break
		}
	}
	s.exp = &dateColumn{header: s.Input.Columns["expiry"], col: s.Cols.Col(readers.RoleExpiry)}
	s.pur = &dateColumn{header: s.Input.Columns["purge_date"], col: s.Cols.Col(readers.RolePurgeDate)}
	if opts.DateOrder != OrderNone {
		s.order = &orderEvidence{order: opts.DateOrder}
		s.exp.order, s.pur.order = s.order, s.order
	}
	s.row.cols = &s.Cols
	return s, nil
}

// Close releases the reader.
func (s *Scan) Close() error { return s.Table.Close() }

// Each reads every data row in order and hands it to fn, then checks what needs the
// whole input (slash dates, no data rows). Blank rows are counted and skipped. Rows are
// parsed and normalised on other goroutines (normalisers); what depends on the rows
// before (counts, the first problem, the date evidence, fn) happens here, in order.
func (s *Scan) Each(ctx context.Context, fn func(*ScanRow) error) error {
	t, path := s.Table, s.Input.Path
	xlsx := t.Info.Format == "xlsx"
	s.ncfg = Config{DateOrder: s.opts.DateOrder, AcceptNumericIDs: s.opts.AcceptNumericIDs, idPattern: s.opts.IDPattern}
	r := &s.row
	n := newNormalisers(t, s.prepare)
	defer n.close()
	for nb := n.next(); nb != nil; nb = n.next() {
		for i, row := range nb.b.Rows {
			if row.Num%4096 == 0 {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if s.opts.Progress != nil {
					done, total := t.Progress()
					s.opts.Progress(path, int64(s.Input.DataRows), done, total)
				}
			}
			if nb.blank[i] {
				s.Input.BlankRows++
				continue
			}
			if !s.mojibake && nb.mojibake[i] >= 0 {
				if err := s.charsetErr(row, nb.mojibake[i]); err != nil {
					return err
				}
			}
			if !xlsx && len(row.Cells) > len(t.Header) && !blankRow(row.Cells[len(t.Header):]) {
				if s.Ragged++; s.Ragged == 1 || !s.opts.Lenient {
					err := &readers.ParseError{File: path, Row: row.Num,
						Msg:  fmt.Sprintf("the row has %d fields but the header has %d", len(row.Cells), len(t.Header)),
						Hint: "a delimiter inside an unquoted value shifted the columns: fix the row (quote the value) or export again"}
					if err := s.stop(err); err != nil {
						return err
					}
				}
			}
			s.Input.DataRows++
			s.exp.see(cellAt(row.Cells, s.exp.col), row.Num, xlsx)
			s.pur.see(cellAt(row.Cells, s.pur.col), row.Num, xlsx)
			rec := &nb.recs[i]
			if rec.f.purgeText != "" && !rec.f.purgeOK {
				s.norm.badPurge++
			}
			r.Num, r.Cells, r.rec = row.Num, row.Cells, rec
			if err := fn(r); err != nil {
				return err
			}
		}
		err := nb.b.Err
		n.done(nb)
		if err != nil {
			return err
		}
	}
	for _, dc := range []*dateColumn{s.exp, s.pur} {
		if err := dc.check(path, s.opts.DateOrder); err != nil {
			if err := s.stop(err); err != nil {
				return err
			}
		}
	}
	if s.order != nil {
		if err := s.order.check(path); err != nil {
			if err := s.stop(err); err != nil {
				return err
			}
		}
	}
	if s.Input.DataRows == 0 && !s.opts.IDOnly {
		return s.stop(&readers.ParseError{File: path, Msg: "no data rows below the header",
			Hint: "an empty export usually means the Analytics report failed or its filter matched nobody: check the report and export again"})
	}
	return nil
}

// charsetErr stops at the first cell that went through the wrong character set
// (SPEC §8), naming file, row and column but not the value.
func (s *Scan) charsetErr(row readers.Row, i int) error {
	s.mojibake = true
	col := readers.ColumnName(i)
	if i < len(s.Table.Header) && s.Table.Header[i] != "" {
		col = s.Table.Header[i]
	}
	return s.stop(readers.MojibakeError(s.Input.Path, row.Num, col))
}

// prepare works out what each row of a batch says by itself; it runs on several
// goroutines at once, so it reads the Scan's settings and writes only the batch.
func (s *Scan) prepare(nb *normBatch, dates *dateCache) {
	rows := nb.b.Rows
	if cap(nb.recs) < len(rows) { // batches are reused: this happens once or twice a run
		nb.recs, nb.blank, nb.mojibake = make([]spilled, len(rows)), make([]bool, len(rows)), make([]int, len(rows))
	}
	nb.recs, nb.blank, nb.mojibake = nb.recs[:len(rows)], nb.blank[:len(rows)], nb.mojibake[:len(rows)]
	date1904 := s.Table.Info.Date1904
	for i := range rows {
		cells := rows[i].Cells
		nb.blank[i], nb.mojibake[i] = blankRow(cells), -1
		if nb.blank[i] {
			continue
		}
		for j := range cells {
			if readers.Mojibake(cells[j].Text) {
				nb.mojibake[i] = j
				break
			}
		}
		normalise(&nb.recs[i], s.ncfg, date1904, s.Cols, s.extra, cells, dates)
		if s.prep != nil {
			s.prep(&nb.recs[i])
		}
	}
}

// stop returns err, or in lenient mode keeps it and returns nil.
func (s *Scan) stop(err error) error {
	if !s.opts.Lenient {
		return err
	}
	s.Stops = append(s.Stops, err)
	return nil
}

// Date1904 reports an XLSX workbook's 1904 date system.
func (s *Scan) Date1904() bool { return s.Table.Info.Date1904 }
