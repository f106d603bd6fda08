package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Builders for the bad-input catalogue's inputs (see bad_cases_test.go).

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
	// unprivileged cases test permission bits, which root ignores: as root they run
	// again as the user nobody (asNobody).
	unprivileged bool
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
