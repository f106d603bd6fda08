package audit

import (
	"context"
	"fmt"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
)

// InspectOptions are the options of run that change what the readers see and how IDs
// and dates are read; inspect takes the same ones so that its counts are run's.
type InspectOptions struct {
	Sheet            string
	Columns          map[readers.Role]string // --column ROLE=HEADER
	DateOrder        pipeline.DateOrder
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
	// Groups and RecordTypes are every value of those columns with its data rows, most
	// rows first, so that --group can be copied from what the export holds.
	Groups      []ValueCount `json:"groups"`
	RecordTypes []ValueCount `json:"record_types"`
	// IDShapes are the shapes of the non-blank IDs, most rows first, for --id-pattern.
	IDShapes []ShapeCount `json:"id_shapes"`
	Notes    []string     `json:"notes"` // what run will need
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
	DayFirstDot    int `json:"day_first_dot"`    // D.M.YYYY
	DayMonthSlash  int `json:"day_month_slash"`  // N/N/N: needs --date-order
	DateCells      int `json:"xlsx_date_cells"`  // XLSX numbers with a date style
	Numbers        int `json:"numbers_without_date_style"`
	Blank          int `json:"blank"`
	Unreadable     int `json:"unreadable"` // anything else, impossible dates included
}

// IDProblems counts data rows by the ID rules and the rules that need every row.
type IDProblems = pipeline.IDProblems

// Inspect reads every input as run would, and counts what it sees. An input that
// cannot be read ends the inspection with run's error (the inputs before it are
// returned). Inputs that can be read but that run would refuse (a missing expiry
// column, no data rows, slash dates without a date order) are inspected in full; the
// error returned is then the first such refusal, so that the command exits as run would.
func Inspect(ctx context.Context, paths []string, opts InspectOptions) (*Inspection, error) {
	res := &Inspection{}
	// The IDs across all inputs are counted only when there are several: for one
	// input they are its own counts, and a second table of a million IDs doubled
	// inspect's memory (issue 14: 2.3x run's).
	var all *pipeline.IDCounter
	if len(paths) > 1 {
		all = pipeline.NewIDCounter()
	}
	for _, path := range paths {
		in, err := inspectInput(ctx, path, opts, all)
		if err != nil {
			return res, err
		}
		res.Inputs = append(res.Inputs, *in)
	}
	if len(paths) > 1 {
		p := all.Problems()
		res.AllInputs = &p
	}
	for _, in := range res.Inputs {
		if len(in.stops) > 0 {
			return res, in.stops[0]
		}
	}
	return res, nil
}

func inspectInput(ctx context.Context, path string, opts InspectOptions, all *pipeline.IDCounter) (*InputInspection, error) {
	sc, err := pipeline.OpenScan(path, pipeline.ScanOptions{Sheet: opts.Sheet, Columns: opts.Columns,
		Required: []readers.Role{readers.RoleExpiry}, DateOrder: opts.DateOrder,
		AcceptNumericIDs: opts.AcceptNumericIDs, Lenient: true})
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	t, cols := sc.Table, sc.Cols
	in := &InputInspection{Path: path, Format: t.Info.Format, Encoding: t.Info.Encoding, Delimiter: t.Info.Delimiter,
		Sheet: t.Info.Sheet, HeaderRow: t.HeaderRow, PreambleRows: t.Preamble, Dates: map[string]DateForms{},
		MissingRoles: []string{}, Notes: []string{}, Stops: []string{}}
	if t.Info.Format == "xlsx" {
		in.DateSystem = "1900"
		if t.Info.Date1904 {
			in.DateSystem = "1904"
		}
	}
	in.describeColumns(t.Header, cols)
	dates := []struct {
		role  readers.Role
		forms DateForms
	}{{readers.RoleExpiry, DateForms{}}, {readers.RolePurgeDate, DateForms{}}}
	own := pipeline.NewIDCounter()
	var groups, types valueCounter
	var shapes shapeCounter
	hasGroup, hasType := cols.Col(readers.RoleGroup) >= 0, cols.Col(readers.RoleRecordType) >= 0
	err = sc.Each(ctx, func(row *pipeline.ScanRow) error {
		if hasGroup {
			groups.add(row.Group())
		}
		if hasType {
			types.add(row.RecordType())
		}
		shapes.add(row.ID())
		for i := range dates {
			if cols.Col(dates[i].role) >= 0 {
				dates[i].forms.see(pipeline.DateFormOf(row.Cell(dates[i].role), t.Info.Date1904))
			}
		}
		own.Add(row)
		if all != nil {
			all.Add(row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range dates {
		if cols.Col(d.role) >= 0 {
			in.Dates[string(d.role)] = d.forms
		}
	}
	in.DataRows, in.BlankRows, in.RaggedRows = sc.Input.DataRows, sc.Input.BlankRows, sc.Ragged
	in.IDs = own.Problems()
	in.Groups = groups.list("(other values, after the first 10000)")
	in.RecordTypes = types.list("(other values, after the first 10000)")
	in.IDShapes = shapes.list()
	for _, err := range sc.Stops {
		in.stop(err)
	}
	if sc.ColumnErr == nil {
		in.addNotes(cols)
	}
	return in, nil
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
func (d *DateForms) see(f pipeline.DateForm) {
	switch f {
	case pipeline.FormBlank:
		d.Blank++
	case pipeline.FormISO:
		d.ISO++
	case pipeline.FormYearFirstSlash:
		d.YearFirstSlash++
	case pipeline.FormDayFirstDot:
		d.DayFirstDot++
	case pipeline.FormDayMonthSlash:
		d.DayMonthSlash++
	case pipeline.FormDateCell:
		d.DateCells++
	case pipeline.FormNumber:
		d.Numbers++
	default:
		d.Unreadable++
	}
}
