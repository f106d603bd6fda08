package readers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 50000

// BenchmarkXLSXRead reads a 50,000-row, 10-column sheet: "inline" as excelize's
// StreamWriter writes it (inline strings, date cells), "shared" with shared strings.
func BenchmarkXLSXRead(b *testing.B) {
	b.Run("inline", func(b *testing.B) { benchRead(b, benchInlineWorkbook(b)) })
	b.Run("shared", func(b *testing.B) { benchRead(b, benchSharedWorkbook(b)) })
}

func benchRead(b *testing.B, path string) {
	b.ReportAllocs()
	for b.Loop() {
		src, err := OpenXLSX(path, "bench.xlsx", "")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r, err := range src.Rows() {
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Cells) != 10 {
				b.Fatalf("row %d has %d cells", r.Num, len(r.Cells))
			}
			n++
		}
		src.Close()
		if n != benchRows+1 {
			b.Fatalf("read %d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows+1)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

var benchHeader = []string{"Primary Identifier", "First Name", "Last Name", "Email", "User Group", "User Record Type", "Expiry Date", "Purge Date", "Status", "Campus"}

func benchInlineWorkbook(b *testing.B) string {
	f := excelize.NewFile()
	dateFmt := "yyyy-mm-dd"
	dateStyle := newStyle(b, f, &excelize.Style{CustomNumFmt: &dateFmt})
	sw, err := f.NewStreamWriter("Sheet1")
	must(b, err)
	row := make([]any, 10)
	for i, h := range benchHeader {
		row[i] = h
	}
	must(b, sw.SetRow("A1", row))
	groups := []string{"Undergraduate", "Graduate", "Alumni", "Staff", "Faculty"}
	for i := range benchRows {
		row = []any{fmt.Sprintf("%08d", 12345+7*i), fmt.Sprintf("First%d", i%977), fmt.Sprintf("Last%d", i%1931),
			fmt.Sprintf("user%d@example.edu", i), groups[i%5], "Public",
			excelize.Cell{StyleID: dateStyle, Value: 40000 + i%5000}, excelize.Cell{StyleID: dateStyle, Value: 40400 + i%5000},
			"ACTIVE", "Main Campus"}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		must(b, sw.SetRow(cell, row))
	}
	must(b, sw.Flush())
	return saveExcelize(b, f)
}

// benchSharedWorkbook writes the same shape with shared strings, one distinct string
// per ID and e-mail, as Excel saves a workbook.
func benchSharedWorkbook(b *testing.B) string {
	var sst, sheet strings.Builder
	strs := map[string]int{}
	idx := func(s string) int {
		if i, ok := strs[s]; ok {
			return i
		}
		strs[s] = len(strs)
		fmt.Fprintf(&sst, "<si><t>%s</t></si>", s)
		return len(strs) - 1
	}
	writeRow := func(n int, vals []string) {
		fmt.Fprintf(&sheet, `<row r="%d" spans="1:10">`, n)
		for j, v := range vals {
			col := string(rune('A' + j))
			if j == 6 || j == 7 {
				fmt.Fprintf(&sheet, `<c r="%s%d" s="2"><v>%s</v></c>`, col, n, v)
			} else {
				fmt.Fprintf(&sheet, `<c r="%s%d" t="s"><v>%d</v></c>`, col, n, idx(v))
			}
		}
		sheet.WriteString("</row>")
	}
	writeRow(1, benchHeader)
	groups := []string{"Undergraduate", "Graduate", "Alumni", "Staff", "Faculty"}
	for i := range benchRows {
		writeRow(i+2, []string{fmt.Sprintf("%08d", 12345+7*i), fmt.Sprintf("First%d", i%977), fmt.Sprintf("Last%d", i%1931),
			fmt.Sprintf("user%d@example.edu", i), groups[i%5], "Public", fmt.Sprint(40000 + i%5000), fmt.Sprint(40400 + i%5000),
			"ACTIVE", "Main Campus"})
	}
	parts := workbookParts(sheetDoc(sheet.String()))
	parts = replacePart(parts, "xl/sharedStrings.xml", xmlDecl+`<sst `+nsMain+`>`+sst.String()+`</sst>`)
	return writeZip(b, parts)
}

// BenchmarkXLSXParseSheet parses the sheet XML of the "inline" workbook from memory:
// the parser alone, without inflating, zip or workbook set-up.
func BenchmarkXLSXParseSheet(b *testing.B) {
	path := benchInlineWorkbook(b)
	zr, err := zip.OpenReader(path)
	must(b, err)
	defer zr.Close()
	var sheet []byte
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			must(b, err)
			sheet, err = io.ReadAll(rc)
			must(b, err)
			rc.Close()
		}
	}
	src, err := OpenXLSX(path, "bench.xlsx", "")
	must(b, err)
	x := src.(*xlsxSource)
	defer x.Close()
	b.SetBytes(int64(len(sheet)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		sb := newSheetBuilder(x.name, x.sst, x.dateStyle)
		err := sb.parseSheet(newXMLScanner(bytes.NewReader(sheet)), func(Row) bool { n++; return true })
		if err != nil || n != benchRows+1 {
			b.Fatalf("read %d rows: %v", n, err)
		}
	}
}
