package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/purgeset/purgeset/readers"
)

// InspectOptions are the options of run that change what the readers see and how IDs
// and dates are read; inspect takes the same ones so that its counts are run's.
type InspectOptions struct {
	Sheet            string
	Columns          map[readers.Role]string // --column ROLE=HEADER
	DateOrder        DateOrder
	AcceptNumericIDs bool
}

// Inspection is what the readers see in each input (SPEC §7 inspect). It holds no ID.
type Inspection struct {
	Inputs []InputInspection `json:"inputs"`
	// AllInputs counts the ID problems of all inputs read as one stream, as run
	// decides them (duplicates across files); set only when there are several inputs.
	AllInputs *IDProblems `json:"all_inputs,omitempty"`
}

// InputInspection describes one input.
type InputInspection struct {
	Path         string               `json:"path"`
	Format       string               `json:"format"`
	Encoding     string               `json:"encoding"`
	Delimiter    string               `json:"delimiter"`
	Sheet        string               `json:"sheet"`
	DateSystem   string               `json:"date_system,omitempty"` // "1900" or "1904" (XLSX)
	HeaderRow    int                  `json:"header_row"`
	PreambleRows int                  `json:"preamble_rows"`
	Columns      []ColumnInfo         `json:"columns"`
	MissingRoles []string             `json:"missing_roles"` // roles no column got
	DataRows     int                  `json:"data_rows"`
	BlankRows    int                  `json:"blank_rows"`
	RaggedRows   int                  `json:"ragged_rows"` // text rows with more filled fields than the header
	Dates        map[string]DateForms `json:"dates"`       // by role: expiry, purge_date
	IDs          IDProblems           `json:"ids"`
	Notes        []string             `json:"notes"` // what run will need
	// Stops are the messages with which run would refuse this input, first first.
	Stops []string `json:"stops"`
	stops []error
}

// ColumnInfo is one header cell and the role purgeset gave it ("" for none).
type ColumnInfo struct {
	Column string `json:"column"` // spreadsheet letter: A, B, …
	Header string `json:"header"`
	Role   string `json:"role"`
}

// DateForms counts the forms of the values of one date column, over the data rows.
type DateForms struct {
	ISO            int `json:"iso"`              // YYYY-MM-DD (a time part allowed)
	YearFirstSlash int `json:"year_first_slash"` // YYYY/MM/DD
	DayMonthSlash  int `json:"day_month_slash"`  // N/N/N: needs --date-order
	DateCells      int `json:"xlsx_date_cells"`  // XLSX numbers with a date style
	Numbers        int `json:"numbers_without_date_style"`
	Blank          int `json:"blank"`
	Unreadable     int `json:"unreadable"` // anything else, impossible dates included
}

// IDProblems counts data rows by the ID rules and the rules that need every row
// (SPEC §3.1): each count is the number of rows run excludes with that reason.
type IDProblems struct {
	Blank                int `json:"blank_id"`
	Malformed            int `json:"malformed_id"`
	Numeric              int `json:"numeric_id"`
	ConflictingDuplicate int `json:"conflicting_duplicate"`
	Duplicate            int `json:"duplicate"`
	CaseCollision        int `json:"case_collision"`
}

// Inspect reads every input as run would, and counts what it sees. An input that
// cannot be read ends the inspection with run's error (the inputs before it are
// returned). Inputs that can be read but that run would refuse (a missing expiry
// column, no data rows, slash dates without a date order) are inspected in full; the
// error returned is then the first such refusal, so that the command exits as run would.
func Inspect(ctx context.Context, paths []string, opts InspectOptions) (*Inspection, error) {
	res := &Inspection{}
	all := newIDCounter()
	for _, path := range paths {
		in, err := inspectInput(ctx, path, opts, all)
		if err != nil {
			return res, err
		}
		res.Inputs = append(res.Inputs, *in)
	}
	if len(paths) > 1 {
		p := all.problems()
		res.AllInputs = &p
	}
	for _, in := range res.Inputs {
		if len(in.stops) > 0 {
			return res, in.stops[0]
		}
	}
	return res, nil
}

func inspectInput(ctx context.Context, path string, opts InspectOptions, all *idCounter) (*InputInspection, error) {
	t, err := readers.Open(path, readers.Options{Sheet: opts.Sheet, IDHeader: opts.Columns[readers.RoleID]})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	in := &InputInspection{Path: path, Format: t.Info.Format, Encoding: t.Info.Encoding, Delimiter: t.Info.Delimiter,
		Sheet: t.Info.Sheet, HeaderRow: t.HeaderRow, PreambleRows: t.Preamble, Dates: map[string]DateForms{},
		MissingRoles: []string{}, Notes: []string{}, Stops: []string{}}
	xlsx := t.Info.Format == "xlsx"
	if xlsx {
		in.DateSystem = "1900"
		if t.Info.Date1904 {
			in.DateSystem = "1904"
		}
	}
	cols, colErr := t.ResolveColumns(opts.Columns, []readers.Role{readers.RoleExpiry})
	if err := colErr; err != nil {
		in.stop(err)
		cols = readers.Columns{readers.RoleID: t.IDCol} // inspect the IDs all the same
	}
	in.describeColumns(t.Header, cols)

	cfg := Config{DateOrder: opts.DateOrder, AcceptNumericIDs: opts.AcceptNumericIDs}
	expCol := &dateColumn{header: headerOf(t, cols, readers.RoleExpiry), col: cols.Col(readers.RoleExpiry)}
	purCol := &dateColumn{header: headerOf(t, cols, readers.RolePurgeDate), col: cols.Col(readers.RolePurgeDate)}
	var expForms, purForms DateForms
	own := newIDCounter()
	norm := &firstPass{} // normalise exactly as run does
	var rec spilled
	for row, err := range t.Rows() {
		if err != nil {
			return nil, err
		}
		if row.Num%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if blankRow(row.Cells) {
			in.BlankRows++
			continue
		}
		if !xlsx && len(row.Cells) > len(t.Header) && !blankRow(row.Cells[len(t.Header):]) {
			if in.RaggedRows++; in.RaggedRows == 1 {
				in.stop(&readers.ParseError{File: path, Row: row.Num,
					Msg:  fmt.Sprintf("the row has %d fields but the header has %d", len(row.Cells), len(t.Header)),
					Hint: "a delimiter inside an unquoted value shifted the columns: fix the row (quote the value) or export again"})
			}
		}
		in.DataRows++
		for _, dc := range []struct {
			col   *dateColumn
			forms *DateForms
		}{{expCol, &expForms}, {purCol, &purForms}} {
			if dc.col.col >= 0 {
				c := cellAt(row.Cells, dc.col.col)
				dc.col.see(c, row.Num, xlsx)
				dc.forms.see(c, t.Info.Date1904)
			}
		}
		norm.normalise(&rec, cfg, t.Info.Date1904, cols, nil, row.Cells)
		own.add(&rec.f)
		all.add(&rec.f)
	}
	if expCol.col >= 0 {
		in.Dates[string(readers.RoleExpiry)] = expForms
	}
	if purCol.col >= 0 {
		in.Dates[string(readers.RolePurgeDate)] = purForms
	}
	in.IDs = own.problems()
	for _, dc := range []*dateColumn{expCol, purCol} {
		if err := dc.check(path, opts.DateOrder); err != nil {
			in.stop(err)
		}
	}
	if in.DataRows == 0 {
		in.stop(&readers.ParseError{File: path, Msg: "no data rows below the header",
			Hint: "an empty export usually means the Analytics report failed or its filter matched nobody: check the report and export again"})
	}
	if colErr == nil {
		in.addNotes(cols)
	}
	return in, nil
}

func headerOf(t *readers.Table, cols readers.Columns, role readers.Role) string {
	if c := cols.Col(role); c >= 0 {
		return t.Header[c]
	}
	return ""
}

func (in *InputInspection) stop(err error) {
	in.stops = append(in.stops, err)
	in.Stops = append(in.Stops, err.Error()) // never holds an ID: personal values are left out
}

func (in *InputInspection) describeColumns(header []string, cols readers.Columns) {
	roleOf := map[int]string{}
	for _, role := range readers.Roles {
		if c := cols.Col(role); c >= 0 {
			roleOf[c] = string(role)
		} else {
			in.MissingRoles = append(in.MissingRoles, string(role))
		}
	}
	for i, h := range header {
		in.Columns = append(in.Columns, ColumnInfo{Column: readers.ColumnName(i), Header: h, Role: roleOf[i]})
	}
}

// addNotes says what run will need that inspect cannot decide alone.
func (in *InputInspection) addNotes(cols readers.Columns) {
	if cols.Col(readers.RoleGroup) < 0 {
		in.Notes = append(in.Notes, "no user group column: run needs --all-groups (or --column group=HEADER)")
	}
	if cols.Col(readers.RoleRecordType) < 0 {
		in.Notes = append(in.Notes, "no record type column: every row counts as an eligible record type; add User Record Type to the report to keep staff and contacts out")
	}
	if cols.Col(readers.RolePurgeDate) < 0 {
		in.Notes = append(in.Notes, "no purge date column: included rows get the no_purge_date warning")
	}
	if f, ok := in.Dates[string(readers.RoleExpiry)]; ok && f.Numbers > 0 {
		in.Notes = append(in.Notes, fmt.Sprintf("expiry values that are numbers without a date style: %d; run excludes those rows as bad_date", f.Numbers))
	}
	if in.IDs.Numeric > 0 {
		in.Notes = append(in.Notes, fmt.Sprintf("IDs stored as numbers: %d; run excludes those rows as numeric_id unless --accept-numeric-ids", in.IDs.Numeric))
	}
}

// see counts the form of one date cell.
func (d *DateForms) see(c readers.Cell, date1904 bool) {
	text := strings.TrimSpace(c.Text)
	switch c.Kind {
	case readers.KindDate:
		if _, _, _, ok := readers.ExcelSerialDate(text, date1904); ok {
			d.DateCells++
		} else {
			d.Unreadable++
		}
	case readers.KindNumber:
		d.Numbers++
	case readers.KindText:
		switch {
		case text == "":
			d.Blank++
		case isSlashDate(text):
			d.DayMonthSlash++
		default:
			if _, problem := parseTextDate(text, OrderNone); problem != dateOK {
				d.Unreadable++
			} else if datePart, _, _ := splitTime(text); strings.Contains(datePart, "/") {
				d.YearFirstSlash++
			} else {
				d.ISO++
			}
		}
	default: // booleans, error values
		if text == "" {
			d.Blank++
		} else {
			d.Unreadable++
		}
	}
}

// idCounter counts the ID problems of a stream of rows. It keeps its own maps rather
// than run's index (which is tuned for the write path), but uses run's normalisation,
// ID rules and fingerprint, so that the counts are those run decides.
type idCounter struct {
	ids   map[string]*idStat
	folds map[string]int // case-folded ID → distinct exact IDs with it
	p     IDProblems
}

type idStat struct {
	fp       uint64 // fingerprint of the first row's decision fields
	rows     int
	conflict bool
	fold     string
}

func newIDCounter() *idCounter {
	return &idCounter{ids: map[string]*idStat{}, folds: map[string]int{}}
}

func (c *idCounter) add(f *fields) {
	switch f.idReason {
	case BlankID:
		c.p.Blank++
		return
	case MalformedID:
		c.p.Malformed++
		return
	case NumericID:
		c.p.Numeric++
		return
	}
	fp := fingerprint(f)
	if st, ok := c.ids[f.id]; ok {
		st.rows++
		st.conflict = st.conflict || st.fp != fp
		return
	}
	id := strings.Clone(f.id) // the reader may reuse its buffers
	fold := foldID(id)
	c.ids[id] = &idStat{fp: fp, rows: 1, fold: fold}
	c.folds[fold]++
}

// problems applies the rules of SPEC §3.1 to whole IDs, as run's index does: every
// row of a conflicting ID, every later row of any other ID, and the first row of an
// ID that another ID equals but for letter case.
func (c *idCounter) problems() IDProblems {
	p := c.p
	for _, st := range c.ids {
		if st.conflict {
			p.ConflictingDuplicate += st.rows
			continue
		}
		p.Duplicate += st.rows - 1
		if c.folds[st.fold] > 1 {
			p.CaseCollision++
		}
	}
	return p
}
