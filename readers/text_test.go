package readers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// ---- helpers (prefixed txt: the XLSX tests of this package have their own) ----

const txtName = "export.csv" // the name messages use, as a user would have typed it

// txtWrite writes data to a new file called name and returns its path.
func txtWrite(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// txtUTF16 encodes s as UTF-16 with a byte-order mark when bom is set.
func txtUTF16(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	var b []byte
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func txtLE(s string) []byte { return txtUTF16(s, false, true) }
func txtBE(s string) []byte { return txtUTF16(s, true, true) }

// txtRows shows rows one a line: the row number, then each cell quoted.
func txtRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d:", r.Num)
		for _, c := range r.Cells {
			if c.Kind != KindText {
				fmt.Fprintf(&b, " <%s>", c.Kind)
			}
			fmt.Fprintf(&b, " %q", c.Text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// txtReadSource reads every row of data through OpenSource (copied: cells are reused),
// up to the first error.
func txtReadSource(t testing.TB, data []byte, opts Options) (string, Info, error) {
	t.Helper()
	return txtReadSourcePath(t, txtWrite(t, "in.csv", data), opts)
}

func txtReadSourcePath(t testing.TB, path string, opts Options) (string, Info, error) {
	t.Helper()
	src, err := OpenSource(path, txtName, opts)
	if err != nil {
		return "", Info{}, err
	}
	defer src.Close()
	var rows []Row
	for r, err := range src.Rows() {
		if err != nil {
			return txtRows(rows), src.Info(), err
		}
		rows = append(rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
	}
	return txtRows(rows), src.Info(), nil
}

// txtOpen opens data as a table (header check included) and reads the rows below the
// header; the error is Open's or the first of Rows.
func txtOpen(t testing.TB, data []byte, opts Options) (*Table, string, error) {
	t.Helper()
	return txtOpenPath(t, txtWrite(t, txtName, data), opts)
}

func txtOpenPath(t testing.TB, path string, opts Options) (*Table, string, error) {
	t.Helper()
	tab, err := Open(path, opts)
	if err != nil {
		return nil, "", err
	}
	defer tab.Close()
	var rows []Row
	for r, err := range tab.Rows() {
		if err != nil {
			return tab, txtRows(rows), err
		}
		rows = append(rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
	}
	return tab, txtRows(rows), nil
}

func txtLines(s ...string) string { return strings.Join(s, "\n") + "\n" }

// txtParseError fails unless err is a *ParseError for file at row that unwraps to
// ErrInput, says msg and has a hint.
func txtParseError(t *testing.T, err error, file string, row int, msg string) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *ParseError", err, err)
	}
	if !errors.Is(err, ErrInput) {
		t.Errorf("error %v does not unwrap to ErrInput", err)
	}
	if pe.File != file {
		t.Errorf("File = %q, want %q", pe.File, file)
	}
	if pe.Row != row {
		t.Errorf("Row = %d, want %d (%v)", pe.Row, row, err)
	}
	if !strings.Contains(pe.Msg, msg) {
		t.Errorf("Msg = %q, want it to contain %q", pe.Msg, msg)
	}
	if pe.Hint == "" {
		t.Errorf("error %v has no hint (what to do)", err)
	}
	return pe
}

// ---- reading text that is fine ----

func TestTextRows(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		opts      Options
		encoding  string
		delimiter string
		want      string
	}{
		{
			name: "utf-8 without BOM, LF", in: []byte("USERNAME,Expiry Date\n00012345,2021-05-31\n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Expiry Date"`, `2: "00012345" "2021-05-31"`),
		},
		{
			name: "utf-8 with BOM, CRLF", in: []byte("\xEF\xBB\xBFUSERNAME,Expiry Date\r\njdoe,2021-05-31\r\n"),
			encoding: "utf-8-bom", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Expiry Date"`, `2: "jdoe" "2021-05-31"`),
		},
		{
			name: "utf-16le with BOM, tabs, CRLF", in: txtLE("Primary Identifier\tExpiry Date\r\nj\u00f6rg\t2021-05-31\r\n"),
			encoding: "utf-16le", delimiter: "\t",
			want: txtLines(`1: "Primary Identifier" "Expiry Date"`, `2: "jörg" "2021-05-31"`),
		},
		{
			name: "utf-16be with BOM, tabs, LF", in: txtBE("Primary Identifier\tExpiry Date\n\U0001F600x\t2021-05-31\n"),
			encoding: "utf-16be", delimiter: "\t",
			want: txtLines(`1: "Primary Identifier" "Expiry Date"`, `2: "😀x" "2021-05-31"`),
		},
		{
			// The file is called .csv (txtReadSource writes in.csv) but holds tabs; the
			// comma in the name is data.
			name: ".csv full of tabs", in: []byte("Primary Identifier\tName\tExpiry Date\nj1\tDoe, Jane\t2021-05-31\n"),
			encoding: "utf-8", delimiter: "\t",
			want: txtLines(`1: "Primary Identifier" "Name" "Expiry Date"`, `2: "j1" "Doe, Jane" "2021-05-31"`),
		},
		{
			name: "semicolons, quoted header", in: []byte("\"USERNAME\";\"Name\";\"Expiry Date\"\r\nj1;\"Doe; Jane\";2021-05-31\r\n"),
			encoding: "utf-8", delimiter: ";",
			want: txtLines(`1: "USERNAME" "Name" "Expiry Date"`, `2: "j1" "Doe; Jane" "2021-05-31"`),
		},
		{
			// Title rows with commas stand above a tab-delimited header: the delimiter is
			// the header line's, not the most frequent one.
			name: "delimiter from the header line, not the title", in: []byte("Report, run 2024-07-01, all users\n\nUSERNAME\tExpiry Date\nj1\t2021-05-31\n"),
			encoding: "utf-8", delimiter: "\t",
			want: txtLines(`1: "Report, run 2024-07-01, all users"`, `2:`, `3: "USERNAME" "Expiry Date"`, `4: "j1" "2021-05-31"`),
		},
		{
			// A quoted field spanning lines is one row; an empty line is a row with no
			// cells; numbering goes on as a spreadsheet shows it.
			name: "embedded newlines and empty lines", in: []byte("USERNAME,Note\n\"j1\",\"line one\nline two\r\nline three\"\n\n\nj2,\"a \"\"quoted\"\" word\"\n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Note"`, `2: "j1" "line one\nline two\nline three"`, `3:`, `4:`,
				`5: "j2" "a \"quoted\" word"`),
		},
		{
			name: "empty lines at the top and bottom", in: []byte("\n\r\nUSERNAME,Expiry Date\nj1,2021-05-31\n\n\r\n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1:`, `2:`, `3: "USERNAME" "Expiry Date"`, `4: "j1" "2021-05-31"`, `5:`, `6:`),
		},
		{
			name: "no final line end", in: []byte("USERNAME,Expiry Date\r\nj1,2021-05-31"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Expiry Date"`, `2: "j1" "2021-05-31"`),
		},
		{
			// Values are read as they stand: no trimming, no number conversion.
			name: "values untouched", in: []byte("USERNAME,Expiry Date\n 1.23E+11 ,44712\n\u00a0j1,\n   \n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Expiry Date"`, `2: " 1.23E+11 " "44712"`, `3: "\u00a0j1" ""`, `4: "   "`),
		},
		{
			name: "ragged rows are yielded as they are", in: []byte("USERNAME,Group,Expiry Date\nj1\nj2,G,2021-05-31,extra\nj3,G,2021-05-31,,\n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME" "Group" "Expiry Date"`, `2: "j1"`, `3: "j2" "G" "2021-05-31" "extra"`, `4: "j3" "G" "2021-05-31" "" ""`),
		},
		{
			// Analytics' tab-delimited export does not quote: bare quotes in names stand.
			name: "tab-delimited with bare quotes (LazyQuotes)", in: []byte("USERNAME\tName\tExpiry Date\nj1\tRobert \"Bob\" Smith\t2021-05-31\nj2\t5\" floppy\t2021-05-31\n"),
			encoding: "utf-8", delimiter: "\t",
			want: txtLines(`1: "USERNAME" "Name" "Expiry Date"`, `2: "j1" "Robert \"Bob\" Smith" "2021-05-31"`, `3: "j2" "5\" floppy" "2021-05-31"`),
		},
		{
			name: "one column, no delimiter", in: []byte("USERNAME\nj1\nj,2\n"),
			encoding: "utf-8", delimiter: ",",
			want: txtLines(`1: "USERNAME"`, `2: "j1"`, `3: "j" "2"`),
		},
		{
			name: "a BOM inside the text is kept", in: []byte("\xEF\xBB\xBF\xEF\xBB\xBFUSERNAME\tExpiry Date\nj1\t2021-05-31\n"),
			encoding: "utf-8-bom", delimiter: "\t",
			want: txtLines(`1: "\ufeffUSERNAME" "Expiry Date"`, `2: "j1" "2021-05-31"`),
		},
		{
			name: "--column id header names the delimiter", in: []byte("Name;Barcode;Expiry Date\nDoe, Jane;b1;2021-05-31\n"),
			opts: Options{IDHeader: " barcode "}, encoding: "utf-8", delimiter: ";",
			want: txtLines(`1: "Name" "Barcode" "Expiry Date"`, `2: "Doe, Jane" "b1" "2021-05-31"`),
		},
		{
			// A protect list: one ID a line, commas, tabs and quotes included.
			name: "plain list", in: []byte("j1\nj2, x\n\nj\t3\nj \"4\"\n\n"), opts: Options{Plain: true},
			encoding: "utf-8", delimiter: "",
			want: txtLines(`1: "j1"`, `2: "j2, x"`, `3:`, `4: "j\t3"`, `5: "j \"4\""`, `6:`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, info, err := txtReadSource(t, tt.in, tt.opts)
			if err != nil {
				t.Fatalf("error: %v\nrows so far:\n%s", err, got)
			}
			if info.Format != "text" || info.Encoding != tt.encoding || info.Delimiter != tt.delimiter || info.Sheet != "" {
				t.Errorf("info = %+v, want text, %q, %q", info, tt.encoding, tt.delimiter)
			}
			if got != tt.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name, text, idHeader, want string
	}{
		{"comma", "USERNAME,Expiry Date\n", "", ","},
		{"tab", "Primary Identifier\tExpiry Date\n", "", "\t"},
		{"semicolon", "Primary ID;Expiry Date\n", "", ";"},
		{"header after a comma title", "Users, all of them\nUSERNAME\tGroup\n", "", "\t"},
		{"quoted header with inner comma", "\"USERNAME\";\"Group, code\"\n", "", ";"},
		{"header cell with a BOM", "Title, with comma\n\uFEFFUSERNAME\tGroup\n", "", "\t"},
		{"--column id", "Name,x\nName;Barcode;Expiry\n", "barcode", ";"},
		{"no header: the first line's most frequent", "a;b;c,d\n", "", ";"},
		{"nothing to go by", "USERNAME\n", "", ","},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffDelimiter([]byte(tt.text), tt.idHeader); got != tt.want {
				t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// ---- the header check and columns ----

func TestTextOpenHeader(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		opts      Options
		headerRow int
		preamble  int
		idCol     int
		header    string
		rows      string
	}{
		{
			name: "header on the first row", in: []byte("USERNAME,Expiry Date\nj1,2021-05-31\n"),
			headerRow: 1, header: "USERNAME|Expiry Date", rows: txtLines(`2: "j1" "2021-05-31"`),
		},
		{
			// Title rows and blank rows above the header count as preamble rows.
			name: "title rows before the header", in: []byte("\xEF\xBB\xBFExpired patrons report,,\nFilter: expiry < 2024-07-01,,\n\nPrimary Identifier,User Group,Expiry Date\nj1,Alumni,2021-05-31\n\nj2,Alumni,2021-05-31\n"),
			headerRow: 4, preamble: 3, header: "Primary Identifier|User Group|Expiry Date",
			rows: txtLines(`5: "j1" "Alumni" "2021-05-31"`, `6:`, `7: "j2" "Alumni" "2021-05-31"`),
		},
		{
			name: "utf-16 title rows", in: txtLE("Report\r\n\r\nPrimary ID\tExpiry Date\r\nj1\t2021-05-31\r\n"),
			headerRow: 3, preamble: 2, header: "Primary ID|Expiry Date", rows: txtLines(`4: "j1" "2021-05-31"`),
		},
		{
			name: "header in any case with spaces", in: []byte("  primary identifier ,Expiry Date\nj1,2021-05-31\n"),
			headerRow: 1, header: "primary identifier|Expiry Date", rows: txtLines(`2: "j1" "2021-05-31"`),
		},
		{
			// A second BOM (a file saved twice with one) stays in the cell; the header
			// check and the header names ignore it.
			name: "BOM-prefixed header cell", in: []byte("\xEF\xBB\xBF\xEF\xBB\xBFUSERNAME;Expiry Date\nj1;2021-05-31\n"),
			headerRow: 1, header: "USERNAME|Expiry Date", rows: txtLines(`2: "j1" "2021-05-31"`),
		},
		{
			name: "--column id anywhere", in: []byte("Title\nName,Barcode,Expiry Date\nDoe,b1,2021-05-31\n"),
			opts: Options{IDHeader: "barcode"}, headerRow: 2, preamble: 1, idCol: 1, header: "Name|Barcode|Expiry Date",
			rows: txtLines(`3: "Doe" "b1" "2021-05-31"`),
		},
		{
			name: "--column id with a BOM-prefixed header cell", in: []byte("\xEF\xBB\xBF\xEF\xBB\xBFBarcode,Expiry Date\nb1,2021-05-31\n"),
			opts: Options{IDHeader: "Barcode"}, headerRow: 1, header: "Barcode|Expiry Date", rows: txtLines(`2: "b1" "2021-05-31"`),
		},
		{
			name: "header only", in: []byte("USERNAME,Expiry Date\r\n"), headerRow: 1, header: "USERNAME|Expiry Date",
		},
		{
			name: "header on row 20", in: []byte(strings.Repeat("title\n", 19) + "USERNAME\nj1\n"),
			headerRow: 20, preamble: 19, header: "USERNAME", rows: txtLines(`21: "j1"`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, rows, err := txtOpen(t, tt.in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tab.HeaderRow != tt.headerRow || tab.Preamble != tt.preamble || tab.IDCol != tt.idCol {
				t.Errorf("header row %d, preamble %d, id column %d; want %d, %d, %d",
					tab.HeaderRow, tab.Preamble, tab.IDCol, tt.headerRow, tt.preamble, tt.idCol)
			}
			if got := strings.Join(tab.Header, "|"); got != tt.header {
				t.Errorf("header %q, want %q", got, tt.header)
			}
			if rows != tt.rows {
				t.Errorf("rows:\n%s\nwant:\n%s", rows, tt.rows)
			}
		})
	}
}

func TestTextResolveColumns(t *testing.T) {
	all := []Role{RoleExpiry, RoleGroup}
	tests := []struct {
		name      string
		header    string
		overrides map[Role]string
		required  []Role
		want      string // role=column ... or the error's message
		err       bool
	}{
		{name: "aliases, any case", header: "Primary Identifier,user group,EXPIRY DATE , Record Type,User Purge Date",
			required: all, want: "id=0 expiry=2 group=1 record_type=3 purge_date=4"},
		{name: "optional roles absent", header: "USERNAME,User Expiry Date", required: []Role{RoleExpiry},
			want: "id=0 expiry=1"},
		{name: "duplicate non-role column", header: "USERNAME,Name,Name,Expiry Date,User Group", required: all,
			want: "id=0 expiry=3 group=4"},
		{name: "duplicate role column", header: "USERNAME,Expiry Date,User Group,expiry date", required: all, err: true,
			want: `more than one column could be the expiry column: B ("Expiry Date"), D ("expiry date")`},
		{name: "two aliases of one role", header: "USERNAME,User Expiry Date,Expiration Date,User Group", required: all, err: true,
			want: "more than one column could be the expiry column"},
		{name: "duplicate optional column", header: "USERNAME,Expiry Date,Purge Date,Purge Date", err: true,
			want: "more than one column could be the purge_date column"},
		{name: "override picks one", header: "USERNAME,Expiry Date,User Expiry Date,User Group",
			overrides: map[Role]string{RoleExpiry: " user expiry date"}, required: all, want: "id=0 expiry=2 group=3"},
		{name: "override names its own header", header: "USERNAME,Ablaufdatum,Benutzergruppe",
			overrides: map[Role]string{RoleExpiry: "Ablaufdatum", RoleGroup: "Benutzergruppe"}, required: all,
			want: "id=0 expiry=1 group=2"},
		{name: "override of a duplicated header", header: "USERNAME,Expires,Expires,User Group",
			overrides: map[Role]string{RoleExpiry: "Expires"}, required: all, err: true,
			want: "more than one column could be the expiry column"},
		{name: "missing expiry", header: "USERNAME,User Group,Expires", required: all, err: true,
			want: `no expiry column: looked for a header named "Expiry Date" or "User Expiry Date" or "Expiration Date"`},
		{name: "missing group", header: "USERNAME,Expiry Date", required: all, err: true,
			want: `no group column: looked for a header named "User Group" or "User Group Code"`},
		{name: "missing overridden column", header: "USERNAME,Expiry Date,User Group",
			overrides: map[Role]string{RoleExpiry: "Ablaufdatum"}, required: all, err: true,
			want: `no expiry column: looked for a header named "Ablaufdatum"`},
		{name: "group not required", header: "USERNAME,Expiry Date", required: []Role{RoleExpiry}, want: "id=0 expiry=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte("Title\n" + tt.header + "\nj1\n")
			path := txtWrite(t, txtName, in)
			tab, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			cols, err := tab.ResolveColumns(tt.overrides, tt.required)
			if tt.err {
				pe := txtParseError(t, err, path, 2, tt.want)
				if !strings.Contains(pe.Hint, "--column") {
					t.Errorf("hint %q does not name --column", pe.Hint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range Roles {
				if c := cols.Col(r); c >= 0 {
					got = append(got, fmt.Sprintf("%s=%d", r, c))
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("columns %s, want %s", g, tt.want)
			}
		})
	}
}

// ---- input errors ----
