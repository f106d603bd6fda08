package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The bad-input catalogue: every kind of damaged, awkward or wrong input we know of, run
// through the CLI in-process. An input error must exit with the right code, name the
// file (and row or cell), say what to do, and leave nothing behind; an input that is
// not an error must get the right row decisions. Small text inputs are in
// testdata/bad/; binary and large ones are made here from Go code.

// badInput is one file a case needs, by the name the command line uses.
type badInput struct {
	name string
	data func(t *testing.T) []byte
}

type badCase struct {
	name   string
	inputs []badInput
	args   []string // the command line; the output directory is "out" (see badArgs)
	exit   int
	stderr []string           // fragments the error message must hold: file, row or cell, what to do
	hidden []string           // values that must not reach stderr: IDs (stderr is not a terminal)
	rows   []string           // exit 0: "ROW REASON" for each line of decisions.csv, in order
	detail []string           // exit 0: "ROW: text" that the row's detail must hold
	setup  func(t *testing.T) // runs in the case's directory before the command
	skip   string             // a known bug, described in the report; the case is skipped
}

// badArgs is `purgeset run` with the usual cutoff into ./out, then extra.
func badArgs(extra ...string) []string {
	return append([]string{"run", "--cutoff", "2024-07-01", "--out", "out"}, extra...)
}

// badFixtureUsed lists the files of testdata/bad that some case reads.
var badFixtureUsed = map[string]bool{}

// badFixture is a committed file of testdata/bad.
func badFixture(name string) func(*testing.T) []byte {
	badFixtureUsed[name] = true
	return func(t *testing.T) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(badDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func badText(s string) func(*testing.T) []byte {
	return func(*testing.T) []byte { return []byte(s) }
}

// badUTF16 encodes s as UTF-16 little-endian (big-endian when be), with a BOM when bom.
func badUTF16(s string, be, bom bool) func(*testing.T) []byte {
	return func(*testing.T) []byte {
		var out []byte
		if bom {
			s = "\uFEFF" + s
		}
		for _, r := range s {
			units := []rune{r}
			if r >= 0x10000 {
				r -= 0x10000
				units = []rune{0xD800 + r>>10, 0xDC00 + r&0x3FF}
			}
			for _, u := range units {
				if be {
					out = append(out, byte(u>>8), byte(u))
				} else {
					out = append(out, byte(u), byte(u>>8))
				}
			}
		}
		return out
	}
}

func badConcat(parts ...func(*testing.T) []byte) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p(t)...)
		}
		return b
	}
}

// ---- workbooks ----

// badBook is a workbook written by excelize.
func badBook(build func(t *testing.T, f *excelize.File)) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		t.Helper()
		f := excelize.NewFile()
		defer f.Close()
		build(t, f)
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
}

func badMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// badPutRows writes rows from row first on; nil cells are left out.
func badPutRows(t *testing.T, f *excelize.File, sheet string, first int, rows ...[]any) {
	t.Helper()
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(j+1, first+i)
			badMust(t, err)
			badMust(t, f.SetCellValue(sheet, cell, v))
		}
	}
}

// badPutDates writes serials styled as dates (built-in format 14) into cells.
func badPutDates(t *testing.T, f *excelize.File, sheet string, cells map[string]float64) {
	t.Helper()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	badMust(t, err)
	for cell, v := range cells {
		badMust(t, f.SetCellValue(sheet, cell, v))
		badMust(t, f.SetCellStyle(sheet, cell, cell, style))
	}
}

// badRawBook is a workbook written by hand, for what excelize does not write: no sheets,
// formulas with cached values, error cells. sheetData is the rows' XML; "" with
// noSheet leaves the sheet out. Style 1 is a date (built-in format 14).
func badRawBook(sheetData string, noSheet bool) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		t.Helper()
		const (
			decl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
			ns   = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
			rels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
			typ  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		)
		sheets := `<sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets>`
		if noSheet {
			sheets = `<sheets/>`
		}
		parts := []struct{ name, body string }{
			{"[Content_Types].xml", decl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
			{"_rels/.rels", decl + rels + `<Relationship Id="rId1" Type="` + typ + `officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{"xl/workbook.xml", decl + `<workbook ` + ns + `><workbookPr/>` + sheets + `</workbook>`},
			{"xl/_rels/workbook.xml.rels", decl + rels + `<Relationship Id="rId1" Type="` + typ + `worksheet" Target="worksheets/sheet1.xml"/>` +
				`<Relationship Id="rId2" Type="` + typ + `styles" Target="styles.xml"/></Relationships>`},
			{"xl/styles.xml", decl + `<styleSheet ` + ns + `><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`},
		}
		if !noSheet {
			parts = append(parts, struct{ name, body string }{"xl/worksheets/sheet1.xml",
				decl + `<worksheet ` + ns + `><sheetData>` + sheetData + `</sheetData></worksheet>`})
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, p := range parts {
			w, err := zw.Create(p.name)
			badMust(t, err)
			_, err = io.WriteString(w, p.body)
			badMust(t, err)
		}
		badMust(t, zw.Close())
		return buf.Bytes()
	}
}

// badInline is an inline string cell.
func badInline(ref, s string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, s)
}

// badRawHeader is row 1 of a raw sheet: Primary Identifier, Expiry Date.
const badRawHeader = `<row r="1">` + `<c r="A1" t="inlineStr"><is><t>Primary Identifier</t></is></c>` +
	`<c r="B1" t="inlineStr"><is><t>Expiry Date</t></is></c></row>`

// badUsersBook is a plain good workbook: the header on row 1, then rows.
func badUsersBook(rows ...[]any) func(*testing.T) []byte {
	return badBook(func(t *testing.T, f *excelize.File) {
		badPutRows(t, f, "Sheet1", 1, append([][]any{{"Primary Identifier", "User Group", "Expiry Date"}}, rows...)...)
	})
}

// ---- big inputs ----

// badRepeat repeats one byte forever.
type badRepeat byte

func (r badRepeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// badWideCSV is a header and rows of n columns.
func badWideCSV(n int) func(*testing.T) []byte {
	return func(*testing.T) []byte {
		var b bytes.Buffer
		b.WriteString("Primary Identifier,User Group,Expiry Date")
		for i := 4; i <= n; i++ {
			fmt.Fprintf(&b, ",Extra %d", i)
		}
		b.WriteString("\r\n") // the header line is longer than the 64 KiB the sniffer sees
		for r, exp := range []string{"2020-01-01", "2030-01-01"} {
			fmt.Fprintf(&b, "jdoe%02d,Alumni,%s", r+1, exp)
			for i := 4; i <= n; i++ {
				fmt.Fprintf(&b, ",v%d", i)
			}
			b.WriteString("\r\n")
		}
		return b.Bytes()
	}
}

// badWideSheet is a raw sheet of n columns.
func badWideSheet(n int) func(*testing.T) []byte {
	var b strings.Builder
	for r, row := range [][2]string{{"Primary Identifier", "Expiry Date"}, {"jdoe01", "2020-01-01"}, {"jdoe02", "2030-01-01"}} {
		fmt.Fprintf(&b, `<row r="%d">`, r+1)
		for c := 0; c < n; c++ {
			v := fmt.Sprintf("x%d", c)
			if c < 2 {
				v = row[c]
			}
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			b.WriteString(badInline(name, v))
		}
		b.WriteString(`</row>`)
	}
	return badRawBook(b.String(), false)
}

// ---- the catalogue ----

const badDir = "testdata/bad"

var badCases = []badCase{
	// -- empty or nearly empty files --
	{
		name:   "empty file",
		inputs: []badInput{{"users.csv", badText("")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file is empty", "export again"},
	},
	{
		name:   "header only",
		inputs: []badInput{{"users.csv", badFixture("header-only.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: no data rows below the header", "export again"},
	},
	{
		name:   "BOM-only file",
		inputs: []badInput{{"users.csv", badText("\xEF\xBB\xBF")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file holds only a byte-order mark", "export again"},
	},
	{
		name:   "only empty lines",
		inputs: []badInput{{"users.csv", badText("\r\n\r\n\r\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: no data at all", "export again"},
	},

	// -- the header check and columns --
	{
		name:   "wrong first header",
		inputs: []badInput{{"users.csv", badFixture("wrong-first-header.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `the first column must be headed "USERNAME", "Primary ID" or "Primary Identifier"`,
			"export the report with the primary identifier as its first column"},
		hidden: []string{"jdoe01"},
	},
	{
		name:   "accepted header in another column",
		inputs: []badInput{{"users.csv", badFixture("id-header-in-column-b.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `"Primary Identifier" is in column B`, "move that column first", `--column id="Primary Identifier"`},
	},
	{
		name:   "accepted header in another column, --column id",
		inputs: []badInput{{"users.csv", badFixture("id-header-in-column-b.csv")}},
		args:   badArgs("--all-groups", "--column", "id=Primary Identifier", "users.csv"),
		rows:   []string{"2 expired"},
	},
	{
		name:   "BOM re-read as Windows-1252 (mojibake)",
		inputs: []badInput{{"users.csv", badText("\u00ef\u00bb\u00bfPrimary Identifier,Expiry Date\njdoe01,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", "wrong character set", `save it as "CSV UTF-8"`},
	},
	{
		name:   "HTML saved as .xls",
		inputs: []badInput{{"users.xls", badFixture("html-saved-as-xls.xls")}},
		args:   badArgs("--all-groups", "users.xls"),
		exit:   3, stderr: []string{"users.xls row 1", "no header row in the first 20 rows", "export the report"},
	},
	{
		name:   "duplicate column names",
		inputs: []badInput{{"users.csv", badFixture("duplicate-columns.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `more than one column could be the expiry column: C ("Expiry Date"), E ("Expiry Date")`,
			"--column expiry=HEADER"},
	},
	{
		name:   "missing expiry column",
		inputs: []badInput{{"users.csv", badFixture("missing-expiry-column.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `no expiry column: looked for a header named "Expiry Date"`, "--column expiry=HEADER"},
	},
	{
		name:   "missing group column with --group",
		inputs: []badInput{{"users.csv", badFixture("missing-group-column.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `no group column: looked for a header named "User Group"`, "--column group=HEADER"},
	},
	{
		name:   "missing group column with --all-groups",
		inputs: []badInput{{"users.csv", badFixture("missing-group-column.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		rows:   []string{"2 expired"},
	},

	// -- text structure --
	{
		name:   "ragged row with more fields than the header",
		inputs: []badInput{{"users.csv", badFixture("ragged-more-fields.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "the row has 5 fields but the header has 3", "quote the value) or export again"},
	},
	{
		// README "Ragged text rows": fewer fields are empty cells; extra empty fields are
		// a trailing delimiter.
		name:   "ragged rows with fewer fields than the header",
		inputs: []badInput{{"users.csv", badFixture("ragged-fewer-fields.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 missing_expiry", "4 group_not_selected", "5 expired"},
	},
	{
		name:   "bare quote",
		inputs: []badInput{{"users.csv", badFixture("bare-quote.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 5", `a quote (") inside an unquoted field`, "export again"},
	},
	{
		name:   "unterminated quote",
		inputs: []badInput{{"users.csv", badFixture("unterminated-quote.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "a quoted field is never closed", "export it again"},
	},
	{
		name:   "NUL bytes",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Expiry Date\njdoe01,2020-01-01\njdoe\x0002,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "field 1 holds a NUL byte", "export it again"},
	},
	{
		name:   "invalid UTF-8",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Name,Expiry Date\njdoe01,Doe,2020-01-01\n\njdoe02,M\xfcller,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 4", "field 2 is not valid UTF-8", "export it again"},
	},
	{
		name:   "UTF-16 without BOM",
		inputs: []badInput{{"users.txt", badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\n", false, false)}},
		args:   badArgs("--all-groups", "users.txt"),
		exit:   3, stderr: []string{"users.txt: the file looks like UTF-16 text without a byte-order mark", "export it again as UTF-8"},
	},
	{
		name: "UTF-16 LE and BE with BOM",
		inputs: []badInput{
			{"le.txt", badUTF16("Primary Identifier\tExpiry Date\r\nj\u00f6rg\t2020-01-01\r\n\r\n\U0001F600\t2030-01-01\r\n", false, true)},
			{"be.txt", badUTF16("Primary Identifier\tExpiry Date\r\nanna\t2020-01-01\r\n", true, true)},
		},
		args: badArgs("--all-groups", "le.txt", "be.txt"),
		rows: []string{"2 expired", "4 not_expired", "2 expired"},
	},
	{
		name:   "UTF-16 odd byte count",
		inputs: []badInput{{"users.txt", badConcat(badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\n", false, true), badText("x"))}},
		args:   badArgs("--all-groups", "users.txt"),
		exit:   3, stderr: []string{"users.txt row 3", "invalid UTF-16", "export it again"},
	},
	{
		name: "UTF-16 unpaired surrogate",
		inputs: []badInput{{"users.txt", badConcat(badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\njdoe", false, true),
			badText("\x3D\xD8"), badUTF16("02\t2020-01-01\r\n", false, false))}},
		args: badArgs("--all-groups", "users.txt"),
		exit: 3, stderr: []string{"users.txt row 3", "invalid UTF-16", "export it again"},
	},
	{
		// README "Ragged text rows": a row in another delimiter is one field, so its
		// group and expiry are empty (or its ID holds tabs); never included.
		name:   "mixed delimiters",
		inputs: []badInput{{"users.csv", badFixture("mixed-delimiters.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 group_not_selected", "4 malformed_id", "5 expired"},
	},
	{
		name:   "a .csv full of tabs",
		inputs: []badInput{{"users.csv", badFixture("tabs-in-csv.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "CR-only line ends",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Expiry Date\rjdoe01,2020-01-01\rjdoe02,2020-01-01\r")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the lines end with a carriage return (CR) alone", `save it as "CSV UTF-8"`},
	},
	{
		// Far more than a user export's line; a real 1 GB line fails the same way, at
		// 16 MiB, without reading on.
		name: "a 1 GB single line (20 MB here)",
		setup: func(t *testing.T) { // streamed to disk, never held in memory
			f, err := os.Create("users.csv")
			badMust(t, err)
			_, err = io.Copy(f, io.LimitReader(badRepeat('x'), 20<<20))
			badMust(t, err)
			badMust(t, f.Close())
		},
		args: badArgs("--all-groups", "users.csv"),
		exit: 3, stderr: []string{"users.csv row 1", "a line or row longer than 16 MiB", "export it again"},
	},
	{
		// A lost quote turns the rest of the file into one value of short lines: the
		// same limit stops it, with the row of the quote, long before the end.
		name: "lost quote in a big CSV",
		inputs: []badInput{{"users.csv", func(*testing.T) []byte {
			return []byte("Primary Identifier,Name,Expiry Date\njdoe01,Doe,2020-01-01\njdoe02,\"Smith, Robert,2020-01-01\n" +
				strings.Repeat("jdoe03,Doe,2020-01-01\n", 20<<20/22))
		}}},
		args: badArgs("--all-groups", "users.csv"),
		exit: 3, stderr: []string{"users.csv row 3", "longer than 16 MiB", `a quote (") was lost`},
	},
	{
		name:   "10,000 columns",
		inputs: []badInput{{"users.csv", badWideCSV(10000)}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "10,000 columns in a workbook",
		inputs: []badInput{{"users.xlsx", badWideSheet(10000)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		rows:   []string{"2 expired", "3 not_expired"},
	},

	// -- formats by content, not by name --
	{
		name:   "a .xlsx that is a CSV",
		inputs: []badInput{{"users.xlsx", badFixture("csv-named-xlsx.xlsx")}},
		args:   badArgs("--group", "Alumni", "users.xlsx"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "a CSV that is an XLSX",
		inputs: []badInput{{"users.csv", badUsersBook([]any{"jdoe01", "Alumni", "2020-01-01"}, []any{"jdoe02", "Alumni", "2030-01-01"})}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name: "truncated zip",
		inputs: []badInput{{"users.xlsx", func(t *testing.T) []byte {
			b := badUsersBook([]any{"jdoe01", "Alumni", "2020-01-01"})(t)
			return b[:len(b)/2]
		}}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: the file is not a readable XLSX workbook (truncated or corrupt zip)", "export it again"},
	},
	{
		// Excel wraps a password-protected workbook in an OLE compound file.
		name: "encrypted XLSX",
		inputs: []badInput{{"users.xlsx", func(*testing.T) []byte {
			b := make([]byte, 4096)
			copy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
			copy(b[0x200:], "E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")
			return b
		}}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: the file is a password-protected workbook or an old .xls file", "remove the password"},
	},
	{
		name:   "XLSX with no sheets",
		inputs: []badInput{{"users.xlsx", badRawBook("", true)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		exit:   3, stderr: []string{"users.xlsx: the workbook has no sheets", "export it again"},
	},
	{
		name: "XLSX with an empty first sheet",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			_, err := f.NewSheet("Users")
			badMust(t, err)
			badPutRows(t, f, "Users", 1, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: no data at all", `sheet "Sheet1" is empty`, "pass --sheet"},
	},
	{
		name: "XLSX with an empty first sheet, --sheet",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			_, err := f.NewSheet("Users")
			badMust(t, err)
			badPutRows(t, f, "Users", 1, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "--sheet", "Users", "users.xlsx"),
		rows: []string{"2 expired"},
	},
	{
		name: "XLSX with the header on row 25",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			for r := 1; r <= 24; r++ {
				badPutRows(t, f, "Sheet1", r, []any{fmt.Sprintf("Report line %d", r)})
			}
			badPutRows(t, f, "Sheet1", 25, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx row 1", "no header row in the first 20 rows", "export the report with the primary identifier as its first column"},
	},
	{
		// Rows missing from the sheet XML are not rows (SPEC §2): a title on row 1 and
		// the header on row 25 is a header on the second row there is.
		name: "XLSX with the header on row 25 below empty rows",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1, []any{"Expired patrons"})
			badPutRows(t, f, "Sheet1", 25, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"26 expired"},
	},
	{
		name: "formulas and error cells in the ID and date columns",
		inputs: []badInput{{"users.xlsx", badRawBook(badRawHeader+
			`<row r="2"><c r="A2" t="e"><f>VLOOKUP(X2,Y:Z,2,0)</f><v>#N/A</v></c><c r="B2" s="1"><v>43831</v></c></row>`+
			`<row r="3"><c r="A3" t="str"><f>TRIM(X3)</f><v>jdoe03</v></c><c r="B3" s="1"><f>DATE(2020,1,1)</f><v>43831</v></c></row>`+
			`<row r="4">`+badInline("A4", "jdoe04")+`<c r="B4" t="e"><f>VLOOKUP(X4,Y:Z,2,0)</f><v>#N/A</v></c></row>`+
			`<row r="5">`+badInline("A5", "#N/A")+`<c r="B5" s="1"><v>43831</v></c></row>`+
			`<row r="6">`+badInline("A6", "jdoe06")+`<c r="B6" t="str"><f>TEXT(X6,"yyyy-mm-dd")</f><v>2020-01-01</v></c></row>`+
			`<row r="7">`+badInline("A7", "jdoe07")+`<c r="B7" s="1"><f>X7+1</f></c></row>`+
			`<row r="8"><c r="A8" t="e"><v>#REF!</v></c><c r="B8" s="1"><v>43831</v></c></row>`+
			`<row r="9">`+badInline("A9", "jdoe09")+`<c r="B9" t="e"><v>#VALUE!</v></c></row>`+
			`<row r="10">`+badInline("A10", "jdoe10")+`<c r="B10" s="1"><v>60</v></c></row>`, false)}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 malformed_id", "3 expired", "4 bad_date", "5 malformed_id", "6 expired", "7 missing_expiry",
			"8 malformed_id", "9 bad_date", "10 bad_date"},
	},
	{
		name: "error cell in the date column: the detail",
		inputs: []badInput{{"users.xlsx", badRawBook(badRawHeader+
			`<row r="2">`+badInline("A2", "jdoe02")+`<c r="B2" t="e"><f>VLOOKUP(X2,Y:Z,2,0)</f><v>#N/A</v></c></row>`, false)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		rows:   []string{"2 bad_date"},
		detail: []string{`2: is an error cell, not a date`},
	},
	{
		name: "merged cells",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Expired patrons, all groups"},
				[]any{"Primary Identifier", "User Group", "Expiry Date", "User Record Type"},
				[]any{"jdoe03", "Alumni", "2020-01-01", "Public"},
				[]any{"jdoe04", nil, "2020-01-01", "Public"},
				[]any{"jdoe05", nil, "2020-01-01", "Public"},
				[]any{"jdoe06", "Alumni", "2020-01-01", "Public"},
				[]any{"jdoe07", "Alumni", nil, "Public"},
			)
			badMust(t, f.MergeCell("Sheet1", "A1", "D1"))
			badMust(t, f.MergeCell("Sheet1", "B3", "B5"))
			badMust(t, f.MergeCell("Sheet1", "C6", "C7"))
		})}},
		args: badArgs("--group", "Alumni", "users.xlsx"),
		rows: []string{"3 expired", "4 group_not_selected", "5 group_not_selected", "6 expired", "7 missing_expiry"},
	},
	{
		name: "hidden rows",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "User Group", "Expiry Date"},
				[]any{"jdoe02", "Alumni", "2020-01-01"},
				[]any{"jdoe03", "Alumni", "2020-01-01"},
				[]any{"jdoe04", "Alumni", "2030-01-01"},
				[]any{"jdoe05", "Staff", "2020-01-01"},
			)
			badMust(t, f.SetRowVisible("Sheet1", 3, false))
			badMust(t, f.SetRowVisible("Sheet1", 4, false))
		})}},
		args: badArgs("--group", "Alumni", "users.xlsx"),
		rows: []string{"2 expired", "3 expired", "4 not_expired", "5 group_not_selected"},
	},
	{
		name: "dates as text in an XLSX",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "Expiry Date"},
				[]any{"jdoe02", "2020-01-01"},
				[]any{"jdoe03", "2020-01-01 13:45:00"},
				[]any{"jdoe04", "2020/01/31"},
				[]any{"jdoe05", "31.01.2020"},
				[]any{"jdoe06", "2030-01-01"},
				[]any{"jdoe07", nil},
				[]any{"jdoe08", 43831},
			)
			badPutDates(t, f, "Sheet1", map[string]float64{"B7": 43831})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 expired", "3 expired", "4 expired", "5 bad_date", "6 not_expired", "7 expired", "8 bad_date"},
	},
	{
		name: "numeric IDs in an XLSX",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "Expiry Date"},
				[]any{12345, "2020-01-01"},
				[]any{"00012345", "2020-01-01"},
				[]any{1.5, "2020-01-01"},
			)
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 numeric_id", "3 expired", "4 numeric_id"},
	},

	// -- dates --
	{
		name:   "Excel serial dates in a CSV",
		inputs: []badInput{{"users.csv", badFixture("excel-serial-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 bad_date", "3 expired"},
	},
	{
		name:   "impossible dates",
		inputs: []badInput{{"users.csv", badFixture("impossible-dates.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired", "5 bad_date", "6 bad_date", "7 bad_date", "8 bad_date"},
	},
	{
		name:   "two-digit years",
		inputs: []badInput{{"users.csv", badFixture("two-digit-years.csv")}},
		args:   badArgs("--group", "Alumni", "--date-order", "dmy", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired"},
	},
	{
		name:   "two-digit years without --date-order",
		inputs: []badInput{{"users.csv", badFixture("two-digit-years.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Expiry Date"`, "a slash date", "--date-order dmy"},
	},
	{
		name:   "far-future and pre-1900 dates",
		inputs: []badInput{{"users.csv", badFixture("far-future-and-pre-1900.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 not_expired", "3 expired", "4 expired"},
	},
	{
		name:   "--date-order with dates impossible in that order",
		inputs: []badInput{{"users.csv", badFixture("date-order-impossible.csv")}},
		args:   badArgs("--group", "Alumni", "--date-order", "dmy", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired", "5 bad_date", "6 expired"},
	},
	{
		name:   "slash date in the expiry column without --date-order",
		inputs: []badInput{{"users.csv", badFixture("slash-expiry-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Expiry Date"`, "a slash date", "--date-order dmy", "--date-order mdy"},
	},
	{
		name:   "slash date in the purge date column without --date-order",
		inputs: []badInput{{"users.csv", badFixture("slash-purge-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Purge Date"`, "a slash date", "--date-order dmy"},
	},
	{
		name: "XLSX date cells and slash text in one column",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "User Group", "Expiry Date"},
				[]any{"jdoe02", "Alumni", nil},
				[]any{"jdoe03", "Alumni", "31/05/2023"},
			)
			badPutDates(t, f, "Sheet1", map[string]float64{"C2": 44289})
		})}},
		args: badArgs("--group", "Alumni", "--date-order", "dmy", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx row 3 (cell C3)", `column "Expiry Date"`, "both date cells and slash dates",
			"export the report from Analytics again"},
	},

	// -- IDs --
	{
		name:   "IDs damaged by Excel",
		inputs: []badInput{{"users.csv", badFixture("ids-excel-damage.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows: []string{"2 malformed_id", "3 malformed_id", "4 malformed_id", "5 malformed_id", "6 expired",
			"7 malformed_id", "8 malformed_id", "9 malformed_id", "10 blank_id"},
	},
	{
		name: "IDs with inner spaces or invisible characters",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\n" +
			"jdoe\u200b01,Alumni,2020-01-01\n" + // zero-width space
			"\ufeffjdoe02,Alumni,2020-01-01\n" + // a BOM inside the text
			"jdoe\u00a003,Alumni,2020-01-01\n" + // no-break space inside
			"jdoe\t04,Alumni,2020-01-01\n" +
			"\u00a0jdoe05\u00a0,Alumni,2020-01-01\n" + // trimmed at both ends: fine
			"jdoe\u200d06,Alumni,2020-01-01\n" + // zero-width joiner
			"jdoe\x0107,Alumni,2020-01-01\n")}}, // a control character
		args: badArgs("--group", "Alumni", "users.csv"),
		rows: []string{"2 malformed_id", "3 malformed_id", "4 malformed_id", "5 malformed_id", "6 expired", "7 malformed_id", "8 malformed_id"},
	},

	// -- usage errors (exit 2) --
	{
		name:   "unknown flag",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutof", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{"unknown flag: --cutof"},
	},
	{
		name:   "unknown flag names the right one",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutof", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{"--cutoff"},
		skip: "an unknown flag gets no suggestion: `run --cutof` prints only `unknown flag: --cutof`; " +
			"expected a hint such as `did you mean --cutoff?` or `see purgeset run --help` (cmd/purgeset/app.go SetFlagErrorFunc)",
	},
	{
		name:   "unknown command",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"runn", "--cutoff", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{`unknown command "runn"`, "run"},
	},
	{
		name:   "impossible --cutoff",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutoff", "2024-02-30", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{`--cutoff "2024-02-30" is not a valid date`, "want YYYY-MM-DD"},
	},
	{
		name:   "both --group and --all-groups",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   badArgs("--group", "Alumni", "--all-groups", "users.csv"),
		exit:   2, stderr: []string{"--group and --all-groups exclude each other"},
	},
	{
		name:   "non-empty --out without --force",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		setup: func(t *testing.T) {
			badMust(t, os.Mkdir("out", 0o755))
			badMust(t, os.WriteFile(filepath.Join("out", "notes.txt"), []byte("keep me\n"), 0o644))
		},
		args: badArgs("--group", "Alumni", "users.csv"),
		exit: 2, stderr: []string{"--out out is not empty", "pass --force"},
	},
	{
		name:   "--out naming an input file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutoff", "2024-07-01", "--group", "Alumni", "--out", "users.csv", "users.csv"},
		exit:   2, stderr: []string{"--out users.csv is one of the inputs", "name a new directory"},
	},
	{
		name:   "empty --out made beforehand",
		inputs: []badInput{{"users.csv", badText("")}},
		setup:  func(t *testing.T) { badMust(t, os.Mkdir("out", 0o755)) },
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file is empty"},
	},

	// -- protect lists --
	{
		name:   "empty protect file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badText("")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: the file is empty", "export again"},
	},
	{
		name:   "protect export with no IDs",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badFixture("protect-header-only.csv")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: the protect list holds no IDs", "check the report it came from"},
	},
	{
		name:   "missing protect file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: cannot open the file", "check the path"},
	},
	{
		name:   "unreadable protect file (a directory)",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		setup:  func(t *testing.T) { badMust(t, os.Mkdir("fines.csv", 0o755)) },
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: cannot read the file", "check the path and that you may read it"},
	},
	{
		name:   "unreadable protect file (no permission)",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badText("jdoe01\n")}},
		setup: func(t *testing.T) {
			if os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			badMust(t, os.Chmod("fines.csv", 0))
		},
		args: badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit: 3, stderr: []string{"fines.csv: cannot open the file", "that you may read it"},
	},
	{
		// A plain list with old Mac line ends would be one "ID" that protects nobody.
		name:   "protect list with CR-only line ends",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("jdoe01\rjdoe02\r")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		exit:   3, stderr: []string{"fines.txt: the lines end with a carriage return (CR) alone"},
	},
	{
		name:   "protect plain list",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("\n jdoe01 \n\n")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		rows:   []string{"2 protected", "3 not_expired", "4 group_not_selected"},
	},
}

// TestBadInputs runs every case of the catalogue through run, in a fresh directory.
func TestBadInputs(t *testing.T) {
	kinds := 0
	for _, c := range badCases {
		if c.skip == "" {
			kinds++
		}
	}
	if kinds < 35 {
		t.Errorf("the catalogue has %d runnable kinds, want at least 35", kinds)
	}
	fixtures, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		if f.Name() != "README.md" && !badFixtureUsed[f.Name()] {
			t.Errorf("%s/%s is not used by any case", badDir, f.Name())
		}
	}
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) { runBad(t, c) })
	}
}

func runBad(t *testing.T, c badCase) {
	if c.skip != "" {
		t.Skip("known bug: " + c.skip)
	}
	dir := t.TempDir()
	inputs := map[string][]byte{}
	for _, in := range c.inputs {
		b := in.data(t) // before Chdir: fixtures are relative to the package
		inputs[in.name] = b
		if err := os.WriteFile(filepath.Join(dir, in.name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tmp := filepath.Join(dir, "tmp") // the spill goes here: it must not outlive the run
	badMust(t, os.Mkdir(tmp, 0o700))
	t.Setenv("TMPDIR", tmp)
	if c.setup != nil {
		c.setup(t)
	}
	out := "out"
	for i, a := range c.args {
		if a == "--out" && i+1 < len(c.args) {
			out = c.args[i+1]
		}
	}
	before := badSnapshot(t, out)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, c.args, &stdout, &stderr)
	code := exitCode(err)
	if code != c.exit {
		t.Errorf("exit code %d, want %d (error: %v)\nstderr:\n%s", code, c.exit, err, stderr.String())
	}
	for _, f := range c.stderr {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("stderr lacks %q:\n%s", f, stderr.String())
		}
	}
	for _, f := range c.hidden {
		if strings.Contains(stderr.String(), f) {
			t.Errorf("stderr shows %q, which may be an ID, though it is not a terminal:\n%s", f, stderr.String())
		}
	}
	// Nothing temporary is left anywhere: no stage, no temporary file, no spill.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".purgeset-") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("left behind in TMPDIR: %v", entries)
	}
	// The inputs are never touched.
	for name, b := range inputs {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err == nil && !bytes.Equal(got, b) {
			t.Errorf("input %s was changed", name)
		}
	}
	if c.exit != 0 {
		if after := badSnapshot(t, out); after != before {
			t.Errorf("--out changed on error:\nbefore: %s\nafter:  %s", before, after)
		}
		if c.rows != nil {
			t.Error("a failing case lists row decisions")
		}
		return
	}
	if code != 0 {
		return
	}
	got, details := badDecisions(t, filepath.Join(out, "decisions.csv"))
	if strings.Join(got, "\n") != strings.Join(c.rows, "\n") {
		t.Errorf("decisions:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.rows, "\n  "))
	}
	for _, d := range c.detail {
		row, text, _ := strings.Cut(d, ": ")
		if !strings.Contains(details[row], text) {
			t.Errorf("row %s: detail %q lacks %q", row, details[row], text)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Errorf("no manifest: %v", err)
	}
}

// badSnapshot describes what is at path: nothing, a file's hash, or a directory's entries
// with their hashes.
func badSnapshot(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		return "absent"
	}
	if !fi.IsDir() {
		b, _ := os.ReadFile(path)
		return fmt.Sprintf("file %x", sha256.Sum256(b))
	}
	var parts []string
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == path {
			return nil
		}
		s := p + "/"
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			s = fmt.Sprintf("%s %x", p, sha256.Sum256(b))
		}
		parts = append(parts, s)
		return nil
	})
	return fmt.Sprintf("dir %v", parts)
}

// badDecisions is "ROW REASON" for each line of decisions.csv, and each row's detail.
func badDecisions(t *testing.T, path string) ([]string, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "source,row,id,user_group,expiry_date,decision,reason,detail" {
		t.Fatalf("decisions.csv header %v", recs)
	}
	var out []string
	details := map[string]string{}
	for _, r := range recs[1:] {
		out = append(out, r[1]+" "+r[6])
		details[r[1]] = r[7]
	}
	return out, details
}
