package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// firstPass is what reading all inputs leaves for the later passes.
type firstPass struct {
	inputs []writers.Input
	index  *index
	spill  *spill
	idRule [][numReasons]int // per input: rows excluded by an ID rule
	normaliser
	groups   *valueCounts // user groups of all data rows; nil under --all-groups
	rtypes   *valueCounts // record types, when explicit ones are to be checked
	hasRType bool         // some input has a record type column
	// longestDigits is the longest all-digit ID of any data row; patterned, that
	// --id-pattern states the ID format (short_numeric_id then has nothing to say).
	longestDigits int
	patterned     bool
}

// normaliser holds what normalising finds across every input of a run.
type normaliser struct {
	badPurge int // rows whose purge date is filled but unreadable
}

// dateColumn watches one date column of one input for the locale traps of SPEC §4.
type dateColumn struct {
	header    string
	col       int
	slashRow  int
	slashCell string
	slashText string
	dateCells bool
	order     *orderEvidence // under --date-order: the input's evidence, shared by its date columns
}

func (d *dateColumn) see(c readers.Cell, row int, xlsx bool) {
	switch {
	case c.Kind == readers.KindDate:
		d.dateCells = true
	case c.Kind == readers.KindText:
		if d.slashRow != 0 && (d.order == nil || d.order.done()) {
			return
		}
		text := strings.TrimSpace(c.Text)
		if !isSlashDate(text) {
			return
		}
		cell := ""
		if xlsx {
			cell = fmt.Sprintf("%s%d", readers.ColumnName(d.col), row)
		}
		if d.slashRow == 0 {
			d.slashRow, d.slashText, d.slashCell = row, text, cell
		}
		if d.order != nil {
			d.order.see(text, row, d.header, cell)
		}
	}
}

// check stops the run on slash dates: always when they sit beside real date cells (a
// workbook re-saved under another locale, some dates already swapped), and without
// --date-order otherwise.
func (d *dateColumn) check(name string, order DateOrder) error {
	if d.slashRow == 0 {
		return nil
	}
	e := &readers.ParseError{File: name, Row: d.slashRow, Cell: d.slashCell, Column: d.header, Found: d.slashText}
	if d.dateCells {
		e.Msg = "this column holds both date cells and slash dates typed as text: the workbook was re-saved under another locale and some dates may already be swapped"
		e.Hint = "export the report from Analytics again; do not re-save it in Excel"
		return e
	}
	if order == OrderNone {
		e.Msg = "a slash date, which reads differently in different locales"
		e.Hint = "pass --date-order dmy (day first, 31/05/2023) or --date-order mdy (month first, 05/31/2023)"
		return e
	}
	return nil
}

// readAll is the first pass: read every input in order as one stream, check headers,
// normalise each row, apply the ID rules, index the IDs and keep the rows in the spill.
func readAll(ctx context.Context, cfg Config, r *rules) (*firstPass, error) {
	sp, err := newSpill(cfg.TempDir)
	if err != nil {
		return nil, err
	}
	x, err := newIndex(cfg.Inputs, estimateRows(cfg.Inputs))
	if err != nil {
		sp.Close()
		return nil, err
	}
	p := &firstPass{index: x, spill: sp, patterned: cfg.idPattern != nil}
	if !cfg.AllGroups {
		p.groups = newValueCounts()
	}
	if cfg.RecordTypesGiven {
		p.rtypes = newValueCounts()
	}
	for i, path := range cfg.Inputs {
		p.idRule = append(p.idRule, [numReasons]int{})
		st, err := p.readInput(ctx, cfg, r, int32(i), path)
		if err != nil {
			sp.Close()
			p.index.free()
			return nil, err
		}
		p.inputs = append(p.inputs, st)
	}
	return p, nil
}

func (p *firstPass) readInput(ctx context.Context, cfg Config, r *rules, src int32, path string) (writers.Input, error) {
	hashed := make(chan hashResult, 1)
	go func() { hashed <- hashFile(path) }() // the second core hashes while this one parses
	st, err := p.parseInput(ctx, cfg, r, src, path)
	h := <-hashed
	if err != nil {
		return writers.Input{}, err
	}
	if h.err != nil {
		return writers.Input{}, h.err
	}
	st.Size, st.SHA256 = h.size, h.sum
	return st, nil
}

func (p *firstPass) parseInput(ctx context.Context, cfg Config, r *rules, src int32, path string) (writers.Input, error) {
	required := []readers.Role{readers.RoleExpiry}
	if !cfg.AllGroups {
		required = append(required, readers.RoleGroup)
	}
	s, err := openScan(path, ScanOptions{Sheet: cfg.Sheet, Columns: cfg.Columns, Required: required,
		DateOrder: cfg.DateOrder, AcceptNumericIDs: cfg.AcceptNumericIDs, IDPattern: cfg.idPattern, ArchiveColumns: cfg.ArchiveColumns,
		Progress: cfg.Progress}, &p.normaliser)
	if err != nil {
		return writers.Input{}, err
	}
	defer s.Close()
	if s.Cols.Col(readers.RoleRecordType) >= 0 {
		p.hasRType = true
	}
	s.prep = func(rec *spilled) { // on the normalising goroutines: reads only r and the index's seed
		rec.local, rec.detail, rec.entry = rec.f.idReason, rec.f.idDetail, -1
		if rec.f.idReason == Expired {
			rec.local, rec.detail = r.local(&rec.f)
			p.index.key(&rec.key, rec.f.id)
			rec.key.fp = fingerprint(&rec.f)
		}
	}
	err = s.Each(ctx, func(row *ScanRow) error {
		rec := row.rec
		if p.groups != nil {
			p.groups.add(rec.f.group)
		}
		if id := rec.f.id; len(id) > p.longestDigits && AllDigits(id) {
			p.longestDigits = len(id)
		}
		if p.rtypes != nil && rec.f.hasRType {
			p.rtypes.add(rec.f.recordType)
		}
		rec.ref = rowRef{src: src, row: int32(row.Num)}
		if rec.f.idReason == Expired {
			var err error
			rec.entry, err = p.index.add(rec.f.id, &rec.key, rec.ref, rec.local, rec.f.purgeText == "")
			if err != nil {
				return err
			}
		} else {
			p.idRule[src][rec.local]++
		}
		if err := p.spill.put(rec); err != nil {
			return fmt.Errorf("write temporary file: %w", err)
		}
		return nil
	})
	if err != nil {
		return writers.Input{}, err
	}
	return s.Input, nil
}

// normalise fills rec.f from a row's cells.
func normalise(rec *spilled, cfg Config, date1904 bool, cols readers.Columns, extra []int, cells []readers.Cell, dates *dateCache) {
	f := &rec.f
	idCell := cellAt(cells, cols.Col(readers.RoleID))
	f.id = strings.TrimSpace(idCell.Text)
	f.idReason, f.idDetail = checkID(idCell, f.id, cfg.AcceptNumericIDs, cfg.idPattern)
	f.group = strings.TrimSpace(cellAt(cells, cols.Col(readers.RoleGroup)).Text)
	f.hasRType = cols.Col(readers.RoleRecordType) >= 0
	f.recordType = strings.TrimSpace(cellAt(cells, cols.Col(readers.RoleRecordType)).Text)
	f.expiryText, f.expiry, f.expiryBad = dateCell(cellAt(cells, cols.Col(readers.RoleExpiry)), date1904, cfg.DateOrder, dates)
	f.expiryOK = f.expiryText != "" && f.expiryBad == dateOK
	var purgeBad dateProblem
	f.purgeText, f.purge, purgeBad = dateCell(cellAt(cells, cols.Col(readers.RolePurgeDate)), date1904, cfg.DateOrder, dates)
	f.purgeOK = f.purgeText != "" && purgeBad == dateOK
	f.extra = f.extra[:0]
	for _, c := range extra {
		f.extra = append(f.extra, strings.TrimSpace(cellAt(cells, c).Text))
	}
}

// archiveColumns finds each --archive-column in this input's header.
func archiveColumns(t *readers.Table, names []string) ([]int, error) {
	var out []int
	for _, n := range names {
		col := -1
		for i, h := range t.Header {
			if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(n)) {
				col = i
				break
			}
		}
		if col < 0 {
			// An option the header contradicts (exit 2), found before any row is decided.
			return nil, &OptionError{File: t.Name, Row: t.HeaderRow, Msg: fmt.Sprintf("no column named %q for --archive-column: check the spelling against the export's header (%s), or drop the option", n, strings.Join(t.Header, ", "))}
		}
		out = append(out, col)
	}
	return out, nil
}

// estimateRows guesses how many rows the inputs hold from their sizes: an Analytics
// user row is rarely under 64 bytes, and zipped XLSX rows are about that size too.
func estimateRows(paths []string) int {
	var total int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return int(min(total/64, 1<<26))
}

type hashResult struct {
	size int64
	sum  string
	err  error
}

func hashFile(path string) hashResult {
	f, err := readers.OpenRegular(path)
	if err != nil {
		return hashResult{err: fmt.Errorf("hash %s: %w", path, err)}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return hashResult{err: fmt.Errorf("hash %s: %w", path, err)}
	}
	return hashResult{size: n, sum: hex.EncodeToString(h.Sum(nil))}
}
