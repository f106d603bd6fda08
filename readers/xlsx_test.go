package readers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	nsMain  = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel   = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

type zipPart struct {
	name, body string
	store      bool // no compression, so that a test can damage a byte of the content
}

// writeZip writes the parts, in order, to a new file and returns its path.
func writeZip(t testing.TB, parts []zipPart) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		method := zip.Deflate
		if p.store {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, buf.Bytes())
}

func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sheetDoc is a worksheet whose sheetData holds rows.
func sheetDoc(rows string) string {
	return xmlDecl + `<worksheet ` + nsMain + ` ` + nsRel + `><dimension ref="A1"/><sheetData>` + rows +
		`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
}

func workbookXML(pr string, sheets ...string) string {
	var b strings.Builder
	b.WriteString(xmlDecl + `<workbook ` + nsMain + ` ` + nsRel + `>` + pr + `<sheets>`)
	for i, s := range sheets {
		fmt.Fprintf(&b, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, s, i+1, i+1)
	}
	b.WriteString(`</sheets></workbook>`)
	return b.String()
}

func relsXML(rels ...string) string {
	return xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		strings.Join(rels, "") + `</Relationships>`
}

func rel(id, typ, target string) string {
	return fmt.Sprintf(`<Relationship Id="%s" Type="%s%s" Target="%s"/>`, id, relType, typ, target)
}

// testSST holds plain, escaped, rich and phonetic strings: 0 "zero", 1 "one", 2 "two",
// 3 "tab\there", 4 "rich", 5 "kanji".
const testSST = xmlDecl + `<sst ` + nsMain + ` count="6" uniqueCount="6">` +
	`<si><t>zero</t></si><si><t>one</t></si><si><t xml:space="preserve">two</t></si>` +
	`<si><t>tab_x0009_here</t></si>` +
	`<si><r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r></si>` +
	`<si><t>kanji</t><rPh sb="0" eb="1"><t>KANA</t></rPh><phoneticPr fontId="1"/></si></sst>`

// testStyles: cell formats 0 General, 1 built-in 14 (date), 2 custom yyyy-mm-dd, 3 custom
// h:mm (time), 4 built-in 49 (text), 5 custom General as LibreOffice writes it.
const testStyles = xmlDecl + `<styleSheet ` + nsMain + `>` +
	`<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="h:mm"/>` +
	`<numFmt numFmtId="166" formatCode="General"/></numFmts>` +
	`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
	`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/>` +
	`<xf numFmtId="165"/><xf numFmtId="49"/><xf numFmtId="166"/></cellXfs></styleSheet>`

// workbookParts is a complete small workbook around one sheet's XML.
func workbookParts(sheetXML string) []zipPart {
	return []zipPart{
		{name: "[Content_Types].xml", body: xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{name: "_rels/.rels", body: relsXML(rel("rId1", "officeDocument", "xl/workbook.xml"))},
		{name: "xl/workbook.xml", body: workbookXML(`<workbookPr/>`, "Sheet1")},
		{name: "xl/_rels/workbook.xml.rels", body: relsXML(rel("rId1", "worksheet", "worksheets/sheet1.xml"),
			rel("rId2", "sharedStrings", "sharedStrings.xml"), rel("rId3", "styles", "styles.xml"))},
		{name: "xl/sharedStrings.xml", body: testSST},
		{name: "xl/styles.xml", body: testStyles},
		{name: "xl/worksheets/sheet1.xml", body: sheetXML},
	}
}

func replacePart(parts []zipPart, name, body string) []zipPart {
	out := append([]zipPart(nil), parts...)
	for i := range out {
		if out[i].name == name {
			out[i].body = body
			return out
		}
	}
	return append(out, zipPart{name: name, body: body})
}

func dropPart(parts []zipPart, name string) []zipPart {
	var out []zipPart
	for _, p := range parts {
		if p.name != name {
			out = append(out, p)
		}
	}
	return out
}

// readXLSX reads every row (copied: cells are reused) up to the first error.
func readXLSX(t testing.TB, path, sheet string) (string, Info, error) {
	t.Helper()
	src, err := OpenXLSX(path, "export.xlsx", sheet)
	if err != nil {
		return "", Info{}, err
	}
	defer src.Close()
	var rows []Row
	for r, err := range src.Rows() {
		if err != nil {
			return fmtRows(rows), src.Info(), err
		}
		rows = append(rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
	}
	return fmtRows(rows), src.Info(), nil
}

var kindLetter = map[Kind]string{KindText: "t", KindNumber: "n", KindDate: "d", KindBool: "b", KindError: "e"}

// fmtRows shows rows one a line: the row number, then each cell as kind letter and text.
func fmtRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d:", r.Num)
		for _, c := range r.Cells {
			fmt.Fprintf(&b, " %s%q", kindLetter[c.Kind], c.Text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

// checkParseError fails unless err is a *ParseError that unwraps to ErrInput, names the
// file and says msg.
func checkParseError(t *testing.T, err error, msg string) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *ParseError", err, err)
	}
	if !errors.Is(err, ErrInput) {
		t.Errorf("error %v does not unwrap to ErrInput", err)
	}
	if pe.File != "export.xlsx" {
		t.Errorf("File = %q, want export.xlsx", pe.File)
	}
	if !strings.Contains(pe.Msg, msg) {
		t.Errorf("Msg = %q, want it to contain %q", pe.Msg, msg)
	}
	if pe.Hint == "" {
		t.Errorf("error %v has no hint", err)
	}
	return pe
}

// sheetCases are sheet XML documents and what reading them gives. They are also the
// seeds of FuzzXLSXSheet and are checked against encoding/xml.
var sheetCases = []struct {
	name    string
	xml     string
	want    string // rows, as fmtRows shows them
	wantErr string // part of ParseError.Msg; rows before the error are still compared
	errRow  int
	errCell string
	// cutEverywhere: TestXLSXScannerMatchesEncodingXML reads it with every buffer size,
	// for the text that is decoded across buffer ends.
	cutEverywhere bool
}{
	{name: "inline strings",
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>Primary Identifier</t></is></c><c r="B1" t="inlineStr"><is><t>Expiry Date</t></is></c></row>`),
		want: lines(`1: t"Primary Identifier" t"Expiry Date"`)},
	{name: "shared strings plain, escaped, rich and phonetic",
		xml:  sheetDoc(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v>3</v></c><c r="D1" t="s"><v>4</v></c><c r="E1" t="s"><v>5</v></c></row>`),
		want: lines(`1: t"zero" t"two" t"tab\there" t"rich" t"kanji"`)},
	{name: "rich text inline string without phonetic run", cutEverywhere: true,
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/><sz val="11"/></rPr><t>Ab</t></r><r><t xml:space="preserve"> cd </t></r><rPh sb="0" eb="1"><t>XX</t></rPh></is></c></row>`),
		want: lines(`1: t"Ab cd "`)},
	{name: "numbers, date styles and time styles",
		xml:  sheetDoc(`<row r="2"><c r="A2"><v>123</v></c><c r="B2" s="1"><v>44712</v></c><c r="C2" s="2"><v>44712.75</v></c><c r="D2" s="3"><v>0.5</v></c><c r="E2" s="4"><v>00123</v></c><c r="F2" s="5"><v>7</v></c><c r="G2" t="n" s="99"><v>4.4712E4</v></c></row>`),
		want: lines(`2: n"123" d"44712" d"44712.75" n"0.5" n"00123" n"7" n"4.4712E4"`)},
	{name: "bool, error, formula string, ISO date",
		xml:  sheetDoc(`<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><f>NA()</f><v>#N/A</v></c><c r="C1" t="str"><f>A1&amp;"x"</f><v>abc</v></c><c r="D1" t="d" s="1"><v>2022-05-31T00:00:00</v></c></row>`),
		want: lines(`1: b"1" e"#N/A" t"abc" t"2022-05-31T00:00:00"`)},
	{name: "namespace prefixes", cutEverywhere: true,
		xml:  xmlDecl + `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
		want: lines(`1: t"id" t"one" n"5"`)},
	{name: "absent r attributes",
		xml:  sheetDoc(`<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row><row><c><v>2</v></c></row><row r="5"><c/><c><v>3</v></c></row><row><c r="C6"><v>4</v></c><c><v>5</v></c></row>`),
		want: lines(`1: t"a" n"1"`, `2: n"2"`, `5: t"" n"3"`, `6: t"" t"" n"4" n"5"`)},
	{name: "missing rows keep their numbers, gaps are empty cells",
		xml:  sheetDoc(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="C2"><v>2</v></c></row><row r="5"><c r="B5" t="s"><v>1</v></c></row>`),
		want: lines(`1: n"1"`, `2: t"" t"" n"2"`, `5: t"" t"one"`)},
	{name: "rows without cells are yielded",
		xml:  sheetDoc(`<row r="1"/><row r="2" spans="1:3" ht="15"></row><row r="3"><c r="A3" s="1"/></row>`),
		want: lines(`1:`, `2:`, `3: t""`)},
	{name: "entities", cutEverywhere: true,
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b&lt;c&gt;d&quot;e&apos;f&#65;&#x42;&#x1F600;&#0065;</t></is></c></row>`),
		want: lines(`1: t"a&b<c>d\"e'fAB😀A"`)},
	{name: "entities in attributes", cutEverywhere: true,
		xml:  sheetDoc(`<row r="&#49;"><c r="A&#49;" t="&#115;"><v>1</v></c></row>`),
		want: lines(`1: t"one"`)},
	{name: "_xHHHH_ escapes in strings, not in numbers", cutEverywhere: true,
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b_x005F_x0041_</t></is></c><c r="B1" t="str"><v>_x0041_</v></c><c r="C1" t="e"><v>_x0041_</v></c></row>`),
		want: lines(`1: t"a\rb_x0041_" t"A" e"_x0041_"`)},
	{name: "CDATA, comments and processing instructions", cutEverywhere: true,
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>x<![CDATA[<b>&amp;</b>]]>y</t></is></c><!-- a comment --><?pi data?><c r="B1"><v>1</v></c></row>`),
		want: lines(`1: t"x<b>&amp;</b>y" n"1"`)},
	{name: "line ends", cutEverywhere: true,
		xml:  sheetDoc("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a&#13;&#10;b\r\nc\rd\ne</t></is></c></row>"),
		want: lines(`1: t"a\r\nb\nc\nd\ne"`)},
	{name: "white space is kept",
		xml:  sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">  00123 </t></is></c><c r="B1" t="inlineStr"><is><t> x </t></is></c></row>`),
		want: lines(`1: t"  00123 " t" x "`)},
	{name: "cells without values",
		xml:  sheetDoc(`<row r="1"><c r="A1"><f>1+1</f></c><c r="B1" t="s"><v></v></c><c r="C1" t="n"><v/></c><c r="D1" t="inlineStr"/><c r="E1" t="b" s="1"/></row>`),
		want: lines(`1: t"" t"" t"" t"" t""`)},
	{name: "only sheetData rows count",
		xml: xmlDecl + `<worksheet ` + nsMain + `><sheetPr><row r="7"/></sheetPr><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>` +
			`<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><extLst><ext uri="x"><row r="9"/></ext></extLst></worksheet>`,
		want: lines(`1: n"1"`)},
	{name: "empty sheet",
		xml:  xmlDecl + `<worksheet ` + nsMain + `><sheetData/></worksheet>`,
		want: ""},
	{name: "column XFD is the last",
		xml:  sheetDoc(`<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`),
		want: "1048576:" + strings.Repeat(` t""`, 16383) + ` n"1"` + "\n"},

	{name: "rows out of order", xml: sheetDoc(`<row r="3"/><row r="2"/>`),
		want: lines(`3:`), wantErr: "row 2 comes after row 3", errRow: 3},
	{name: "row number repeated", xml: sheetDoc(`<row r="3"/><row r="3"/>`),
		want: lines(`3:`), wantErr: "row 3 comes after row 3", errRow: 3},
	{name: "row number zero", xml: sheetDoc(`<row r="0"/>`), wantErr: `invalid row number "0"`},
	{name: "row number not a number", xml: sheetDoc(`<row r="1"/><row r=" 2"/>`), want: lines(`1:`), wantErr: `invalid row number " 2"`, errRow: 1},
	{name: "cells out of order", xml: sheetDoc(`<row r="1"><c r="B1"/><c r="A1"/></row>`),
		wantErr: "cell A1 comes after cell B1", errRow: 1, errCell: "A1"},
	{name: "cell in another row", xml: sheetDoc(`<row r="1"><c r="A2"/></row>`),
		wantErr: "cell A2 is inside row 1", errRow: 1, errCell: "A2"},
	{name: "invalid cell reference", xml: sheetDoc(`<row r="1"><c r="1A"/></row>`), wantErr: `invalid cell reference "1A"`, errRow: 1},
	{name: "column beyond XFD", xml: sheetDoc(`<row r="1"><c r="XFE1"/></row>`), wantErr: "beyond column XFD", errRow: 1},
	{name: "shared string index out of range", xml: sheetDoc(`<row r="1"/><row r="4"><c r="A4"><v>1</v></c><c r="B4" t="s"><v>99</v></c></row>`),
		want: lines(`1:`), wantErr: `shared string index "99" is out of range (the workbook has 6 shared strings)`, errRow: 4, errCell: "B4"},
	{name: "shared string index not a number", xml: sheetDoc(`<row r="1"><c r="A1" t="s"><v>-1</v></c></row>`),
		wantErr: `shared string index "-1"`, errRow: 1, errCell: "A1"},
	{name: "unknown cell type", xml: sheetDoc(`<row r="1"><c r="A1" t="x"><v>1</v></c></row>`),
		wantErr: `unknown cell type "x"`, errRow: 1, errCell: "A1"},
	{name: "invalid style index", xml: sheetDoc(`<row r="1"><c r="A1" s="-1"><v>1</v></c></row>`),
		wantErr: `invalid style index "-1"`, errRow: 1, errCell: "A1"},
	{name: "cut short", cutEverywhere: true, xml: xmlDecl + `<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2`,
		want: lines(`1: n"1"`), wantErr: "the sheet XML is malformed in row 2: unexpected end of the XML", errRow: 2},
	{name: "mismatched tags", xml: sheetDoc(`<row r="1"><c r="A1"><v>1</c></row>`),
		wantErr: "element <v> closed by </c>", errRow: 1},
	{name: "end tag longer than the open element", xml: sheetDoc(`<row r="1"><c r="A1"><v>1</v></cc></row>`),
		wantErr: "element <c> closed by </cc>", errRow: 1},
	{name: "end tag with space", xml: sheetDoc(`<row r="1"><c r="A1"><v>1</v ></c	></row
>`), want: lines(`1: n"1"`)},
	{name: "unknown entity", cutEverywhere: true, xml: sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c></row>`),
		wantErr: "invalid character entity", errRow: 1},
	{name: "ampersand alone", xml: sheetDoc(`<row r="1"/><row r="2"><c r="A2" t="inlineStr"><is><t>a & b</t></is></c></row>`),
		want: lines(`1:`), wantErr: "invalid character entity", errRow: 2},
	{name: "control character reference", xml: sheetDoc(`<row r="1"><c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c></row>`),
		wantErr: "illegal character code U+0001", errRow: 1},
	{name: "invalid UTF-8", cutEverywhere: true, xml: sheetDoc("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\xffb</t></is></c></row>"),
		wantErr: "invalid UTF-8", errRow: 1},
	{name: "DOCTYPE", xml: xmlDecl + `<!DOCTYPE worksheet [<!ENTITY a "b">]>` + sheetDoc(""),
		wantErr: "DOCTYPE"},
	{name: "unquoted attribute", xml: sheetDoc(`<row r=1/>`), wantErr: "unquoted value of attribute r"},
	{name: "UTF-16 declared", xml: `<?xml version="1.0" encoding="UTF-16"?>` + sheetDoc(""), wantErr: `unsupported XML encoding "UTF-16"`},
	{name: "not a worksheet", xml: xmlDecl + `<chartsheet ` + nsMain + `><sheetPr/></chartsheet>`, wantErr: "not a worksheet"},
	{name: "empty part", xml: "", wantErr: "the sheet XML is empty"},
	{name: "text after the end", xml: sheetDoc(`<row r="1"/>`) + "<", want: lines(`1:`), wantErr: "unexpected end", errRow: 1},
}

func TestXLSXSheetContent(t *testing.T) {
	for _, tc := range sheetCases {
		t.Run(tc.name, func(t *testing.T) {
			got, info, err := readXLSX(t, writeZip(t, workbookParts(tc.xml)), "")
			if got != tc.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				want := Info{Format: "xlsx", Sheet: "Sheet1"}
				if info != want {
					t.Errorf("Info() = %+v, want %+v", info, want)
				}
				return
			}
			pe := checkParseError(t, err, tc.wantErr)
			if pe.Row != tc.errRow || pe.Cell != tc.errCell {
				t.Errorf("error at row %d cell %q, want row %d cell %q (%v)", pe.Row, pe.Cell, tc.errRow, tc.errCell, err)
			}
		})
	}
}

// FuzzXLSXSheet checks that the scanner never panics, reports every problem as a
// ParseError and agrees with encoding/xml (checkAgainstRef), crossing buffer boundaries
// in every place: split picks the read size and the buffer size.
func FuzzXLSXSheet(f *testing.F) {
	for i, tc := range sheetCases {
		f.Add([]byte(tc.xml), uint8(i))
	}
	f.Add([]byte(testSST), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		if len(data) > 1<<16 {
			t.Skip("large inputs only slow the fuzzer down")
		}
		checkAgainstRef(t, data, int(split%13)+1, 16+int(split)*3)
		parseFastAndGeneral(t, data, int(split%7)+1, 16+int(split)*2)
	})
}
