package readers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestXLSXWorkbookErrors(t *testing.T) {
	good := workbookParts(sheetDoc(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`))
	goodPath := writeZip(t, good)
	goodBytes, err := os.ReadFile(goodPath)
	if err != nil {
		t.Fatal(err)
	}
	// The sheet stored uncompressed with one digit changed: only the CRC tells.
	stored := replacePart(good, "xl/worksheets/sheet1.xml", "")
	for i := range stored {
		if stored[i].name == "xl/worksheets/sheet1.xml" {
			stored[i] = zipPart{name: stored[i].name, body: sheetDoc(`<row r="1"><c r="A1"><v>12345</v></c></row>`), store: true}
		}
	}
	damaged, err := os.ReadFile(writeZip(t, stored))
	if err != nil {
		t.Fatal(err)
	}
	damaged = bytes.Replace(damaged, []byte("<v>12345</v>"), []byte("<v>12346</v>"), 1)

	chart := replacePart(good, "xl/workbook.xml", workbookXML("", "Chart1", "Data"))
	chart = replacePart(chart, "xl/_rels/workbook.xml.rels", relsXML(rel("rId1", "chartsheet", "chartsheets/sheet1.xml"),
		rel("rId2", "worksheet", "/xl/worksheets/sheet1.xml"), rel("rId3", "sharedStrings", "sharedStrings.xml")))

	cases := []struct {
		name    string
		path    string
		sheet   string
		want    string // rows, when it reads
		wantErr string
	}{
		{name: "not a zip", path: writeFile(t, []byte("Primary Identifier,Expiry Date\n00123,2020-01-01\n")), wantErr: msgCorruptZip},
		{name: "empty file", path: writeFile(t, nil), wantErr: msgCorruptZip},
		{name: "truncated zip", path: writeFile(t, goodBytes[:len(goodBytes)/2]), wantErr: msgCorruptZip},
		{name: "damaged sheet data", path: writeFile(t, damaged), wantErr: msgCorruptZip},
		{name: "password-protected", path: writeFile(t, append(append([]byte(nil), oleSignature...), make([]byte, 504)...)), wantErr: "encrypted (password-protected)"},
		{name: "zip without workbook", path: writeZip(t, []zipPart{{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet"}, {name: "content.xml", body: "<x/>"}}),
			wantErr: "the file is an OpenDocument spreadsheet (.ods), not an XLSX workbook"},
		{name: "Word document", path: writeZip(t, []zipPart{{name: "word/document.xml", body: "<x/>"}}),
			wantErr: "the file is a Word document (.docx), not an XLSX workbook"},
		{name: "OpenDocument text", path: writeZip(t, []zipPart{{name: "mimetype", body: "application/vnd.oasis.opendocument.text"}}),
			wantErr: "the file is an OpenDocument text document (.odt), not an XLSX workbook"},
		{name: "other zip", path: writeZip(t, []zipPart{{name: "users.csv", body: "Primary ID\n"}}),
			wantErr: "the file is a zip archive, not an XLSX workbook"},
		{name: "binary workbook", path: writeZip(t, []zipPart{{name: "_rels/.rels", body: relsXML(rel("rId1", "officeDocument", "xl/workbook.bin"))}, {name: "xl/workbook.bin", body: "\x83\x01"}}),
			wantErr: "binary workbook (.xlsb)"},
		{name: "no sheets", path: writeZip(t, replacePart(good, "xl/workbook.xml", workbookXML(""))), wantErr: "the workbook has no sheets"},
		{name: "sheet XML missing", path: writeZip(t, dropPart(good, "xl/worksheets/sheet1.xml")),
			wantErr: `the workbook lists sheet "Sheet1" but its data (xl/worksheets/sheet1.xml) is missing`},
		{name: "relationships missing", path: writeZip(t, dropPart(good, "xl/_rels/workbook.xml.rels")), wantErr: "not where its data is"},
		{name: "sheet not found", path: goodPath, sheet: "Users", wantErr: `no sheet named "Users"; the workbook has "Sheet1"`},
		{name: "malformed workbook.xml", path: writeZip(t, replacePart(good, "xl/workbook.xml", `<workbook><sheets>`)),
			wantErr: "the workbook part xl/workbook.xml is malformed"},
		{name: "malformed shared strings", path: writeZip(t, replacePart(good, "xl/sharedStrings.xml", `<sst><si><t>a</si></sst>`)),
			wantErr: "the workbook part xl/sharedStrings.xml is malformed"},
		{name: "malformed styles", path: writeZip(t, replacePart(good, "xl/styles.xml", `<styleSheet><cellXfs>`)),
			wantErr: "the workbook part xl/styles.xml is malformed"},
		{name: "two entries of one name", path: writeZip(t, append(append([]zipPart(nil), good...), zipPart{name: "XL/worksheets/sheet1.xml", body: sheetDoc("")})),
			wantErr: "two entries named"},
		{name: "shared strings missing", path: writeZip(t, dropPart(good, "xl/sharedStrings.xml")),
			wantErr: `shared string index "0" is out of range (the workbook has 0 shared strings)`},
		{name: "chart sheet asked for", path: writeZip(t, chart), sheet: "Chart1", wantErr: `sheet "Chart1" is a chart or macro sheet`},

		{name: "first worksheet after a chart sheet", path: writeZip(t, chart), want: lines(`1: t"zero"`)},
		{name: "sheet name ignoring case", path: writeZip(t, chart), sheet: "data", want: lines(`1: t"zero"`)},
		{name: "styles missing: numbers stay numbers", path: writeZip(t, replacePart(dropPart(good, "xl/styles.xml"), "xl/worksheets/sheet1.xml", sheetDoc(`<row r="1"><c r="A1" s="1"><v>44712</v></c></row>`))),
			want: lines(`1: n"44712"`)},
		{name: "parts found without relationships", path: writeZip(t, replacePart(good, "xl/_rels/workbook.xml.rels", relsXML(rel("rId1", "worksheet", "worksheets/sheet1.xml")))),
			want: lines(`1: t"zero"`)},
		{name: "package relationships missing", path: writeZip(t, dropPart(good, "_rels/.rels")), want: lines(`1: t"zero"`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readXLSX(t, tc.path, tc.sheet)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
				}
				return
			}
			checkParseError(t, err, tc.wantErr)
		})
	}
}

func TestXLSXSheetNotFoundHint(t *testing.T) {
	parts := workbookParts(sheetDoc(""))
	parts = replacePart(parts, "xl/workbook.xml", workbookXML("", "Report", "Data", "DATA"))
	path := writeZip(t, parts)
	for _, want := range []string{"users", "data"} { // "data" matches two sheets ignoring case
		_, _, err := readXLSX(t, path, want)
		pe := checkParseError(t, err, fmt.Sprintf(`no sheet named %q; the workbook has "Report", "Data", "DATA"`, want))
		if pe.Hint != "pass --sheet with one of these" {
			t.Errorf("Hint = %q", pe.Hint)
		}
	}
}

func TestXLSXOpenMissingFile(t *testing.T) {
	_, err := OpenXLSX(filepath.Join(t.TempDir(), "nope.xlsx"), "export.xlsx", "")
	checkParseError(t, err, "cannot open the file: no such file or directory")
}

func TestXLSXDate1904Attribute(t *testing.T) {
	for _, tc := range []struct {
		pr   string
		want bool
	}{{`<workbookPr date1904="1"/>`, true}, {`<workbookPr date1904="true"/>`, true}, {`<workbookPr date1904="0"/>`, false},
		{`<workbookPr date1904="false"/>`, false}, {`<workbookPr/>`, false}, {``, false}} {
		path := writeZip(t, replacePart(workbookParts(sheetDoc("")), "xl/workbook.xml", workbookXML(tc.pr, "Sheet1")))
		_, info, err := readXLSX(t, path, "")
		if err != nil {
			t.Fatal(err)
		}
		if info.Date1904 != tc.want {
			t.Errorf("%s: Date1904 = %v, want %v", tc.pr, info.Date1904, tc.want)
		}
	}
}

func TestXLSXRowsSingleUseAndEarlyStop(t *testing.T) {
	path := writeZip(t, workbookParts(sheetDoc(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`)))
	src, err := OpenXLSX(path, "export.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range src.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		break
	}
	if n != 1 {
		t.Fatalf("read %d rows before break", n)
	}
	for _, err := range src.Rows() {
		if err == nil {
			t.Error("second Rows yielded a row, want an error")
		}
		break
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A zip entry with a name like ../x makes archive/zip return ErrInsecurePath along with a
// usable reader when GODEBUG has zipinsecurepath=0; nothing is extracted, so it reads.
func TestXLSXInsecureEntryName(t *testing.T) {
	t.Setenv("GODEBUG", "zipinsecurepath=0")
	parts := append(workbookParts(sheetDoc(`<row r="1"><c r="A1"><v>1</v></c></row>`)), zipPart{name: "../outside.txt", body: "x"})
	got, _, err := readXLSX(t, writeZip(t, parts), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := lines(`1: n"1"`); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func TestXLSXIsOLE(t *testing.T) {
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, true},
		{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A}, false},
		{[]byte("PK\x03\x04"), false},
		{nil, false},
	} {
		if got := IsOLE(tc.head); got != tc.want {
			t.Errorf("IsOLE(% x) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

func saveExcelize(t testing.TB, f *excelize.File) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "excelize.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newStyle(t testing.TB, f *excelize.File, st *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(st)
	must(t, err)
	return id
}

func TestXLSXExcelizeWorkbook(t *testing.T) {
	f := excelize.NewFile()
	custom := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	isoDate := newStyle(t, f, custom("yyyy-mm-dd"))
	zeros := newStyle(t, f, custom("000000"))
	hmm := newStyle(t, f, custom("h:mm"))
	builtinDate := newStyle(t, f, &excelize.Style{NumFmt: 14})
	integer := newStyle(t, f, &excelize.Style{NumFmt: 1})
	set := func(cell string, v any, style int) {
		must(t, f.SetCellValue("Sheet1", cell, v))
		if style != 0 {
			must(t, f.SetCellStyle("Sheet1", cell, cell, style))
		}
	}
	set("A1", "Patron report", 0) // title rows above the header; rows 3 and 4 stay empty
	set("A2", "User Group is Alumni", 0)
	for i, h := range []string{"Primary Identifier", "Expiry Date", "User Group", "Active", "Code", "Padded", "Time", "Built-in", "Count"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 5)
		set(cell, h, 0)
	}
	set("A6", "00123", 0)
	set("B6", time.Date(2022, 5, 31, 18, 0, 0, 0, time.UTC), 0) // excelize styles it as a date
	set("C6", "Alumni", 0)
	set("D6", true, 0)
	set("E6", 123, 0) // an ID 00123 that Excel turned into a number
	set("F6", 123, zeros)
	set("G6", 0.75, hmm)
	set("H6", 44712, builtinDate)
	set("I6", 3, integer)
	set("A9", 123, 0)
	set("B9", 44712, isoDate)
	set("D9", false, 0)
	path := saveExcelize(t, f)

	if !zipHas(t, path, "xl/sharedStrings.xml") {
		t.Fatal("excelize wrote no shared strings: the test no longer covers them")
	}
	got, info, err := readXLSX(t, path, "")
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`1: t"Patron report"`,
		`2: t"User Group is Alumni"`,
		`5: t"Primary Identifier" t"Expiry Date" t"User Group" t"Active" t"Code" t"Padded" t"Time" t"Built-in" t"Count"`,
		`6: t"00123" d"44712.75" t"Alumni" b"1" n"123" n"123" n"0.75" d"44712" n"3"`,
		`9: n"123" d"44712" t"" b"0"`,
	)
	if got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	if want := (Info{Format: "xlsx", Sheet: "Sheet1"}); info != want {
		t.Errorf("Info() = %+v, want %+v", info, want)
	}
	compareWithEncodingXML(t, zipEntry(t, path, "xl/worksheets/sheet1.xml"))
}

func TestXLSXExcelizeSheetByName(t *testing.T) {
	f := excelize.NewFile()
	must(t, f.SetCellValue("Sheet1", "A1", "Summary"))
	_, err := f.NewSheet("Users")
	must(t, err)
	must(t, f.SetCellValue("Users", "A1", "Primary Identifier"))
	must(t, f.SetCellValue("Users", "A2", "jdoe"))
	path := saveExcelize(t, f)

	for _, tc := range []struct{ sheet, wantSheet, want string }{
		{"", "Sheet1", lines(`1: t"Summary"`)},
		{"Users", "Users", lines(`1: t"Primary Identifier"`, `2: t"jdoe"`)},
		{"USERS", "Users", lines(`1: t"Primary Identifier"`, `2: t"jdoe"`)},
	} {
		got, info, err := readXLSX(t, path, tc.sheet)
		if err != nil {
			t.Fatalf("sheet %q: %v", tc.sheet, err)
		}
		if got != tc.want || info.Sheet != tc.wantSheet {
			t.Errorf("sheet %q: read %q:\n%s\nwant %q:\n%s", tc.sheet, info.Sheet, got, tc.wantSheet, tc.want)
		}
	}
}

func TestXLSXExcelize1904(t *testing.T) {
	f := excelize.NewFile()
	yes := true
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	must(t, f.SetCellValue("Sheet1", "A1", time.Date(2022, 5, 31, 0, 0, 0, 0, time.UTC)))
	path := saveExcelize(t, f)

	src, err := OpenXLSX(path, "export.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if !src.Info().Date1904 {
		t.Error("Info().Date1904 = false for a 1904 workbook")
	}
	n := 0
	for r, err := range src.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		c := r.Cells[0]
		if c.Kind != KindDate || c.Text != "43250" { // 44712 - 1462
			t.Fatalf("cell = %+v, want date 43250", c)
		}
		y, m, d, ok := ExcelSerialDate(c.Text, src.Info().Date1904)
		if !ok || y != 2022 || m != time.May || d != 31 {
			t.Errorf("ExcelSerialDate(%s, true) = %d-%d-%d %v, want 2022-05-31", c.Text, y, m, d, ok)
		}
	}
	if n != 1 {
		t.Errorf("read %d rows, want 1", n)
	}
}

func zipEntry(t testing.TB, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s has no %s", path, name)
	return nil
}

func zipHas(t testing.TB, path, name string) bool {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}
