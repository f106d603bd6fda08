package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
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
