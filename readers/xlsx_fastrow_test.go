package readers

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// proto holds the shared strings and styles of testBuilder, read once: reading them
// for each of the thousands of parses below took most of the test's time.
var (
	protoOnce sync.Once
	proto     *sheetBuilder
)

// parseFastAndGeneral reads data with the fast path on and off (chunk bytes a read, a
// buffer of size bytes) and fails unless both give the same rows and the same error.
// It returns how many rows the fast path read.
func parseFastAndGeneral(t *testing.T, data []byte, chunk, size int) int {
	t.Helper()
	var fast, general []Row
	protoOnce.Do(func() { proto = testBuilder(t) })
	fb := newSheetBuilder(proto.file, proto.sst, proto.dateStyle)
	fastErr := fb.parseSheet(newXMLScannerSize(&chunkReader{data, chunk}, size), collect(&fast))
	gb := newSheetBuilder(proto.file, proto.sst, proto.dateStyle)
	gb.noFast = true
	generalErr := gb.parseSheet(newXMLScannerSize(&chunkReader{data, chunk}, size), collect(&general))
	if a, b := fmtRows(fast), fmtRows(general); a != b {
		t.Fatalf("chunk %d buffer %d: fast path read\n%s\ngeneral path read\n%s", chunk, size, a, b)
	}
	if fmt.Sprint(fastErr) != fmt.Sprint(generalErr) {
		t.Fatalf("chunk %d buffer %d: fast path error %v, general path error %v", chunk, size, fastErr, generalErr)
	}
	if gb.fastCount != 0 {
		t.Fatalf("noFast builder read %d rows with the fast path", gb.fastCount)
	}
	return fb.fastCount
}

func plainRow(n int) string {
	return fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>id%d</t></is></c><c r="B%d" s="1"><v>4%d</v></c></row>`, n, n, n, n, n)
}

// fastShapes are rows the fast path must read itself (fast) or leave to the general
// path; either way both must read them alike. Each sits between plain rows 1 and 9.
var fastShapes = []struct {
	name, row string
	fast      bool
}{
	{"excelize inline", `<row r="2"><c r="A2" t="inlineStr"><is><t>s9224410</t></is></c><c r="B2" s="1"><v>42981</v></c></row>`, true},
	{"excel shared", `<row r="2" spans="1:3" x14ac:dyDescent="0.25"><c r="A2" s="0" t="s"><v>1</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" s="2"><v>44712.75</v></c></row>`, true},
	{"attribute order", `<row spans="1:2" r="2"><c t="s" s="1" r="A2"><v>2</v></c><c s="2" r="B2"><v>45000</v></c></row>`, true},
	{"single quotes and spaces", `<row  r = '2' ><c r='A2'  t = 's' ><v>0</v></c ></row>`, false},
	{"single quotes", `<row r='2'><c r='A2' t='s'><v>0</v></c></row>`, true},
	{"pretty printed", "<row r=\"2\">\n  <c r=\"A2\" t=\"inlineStr\">\n    <is>\n      <t>x</t>\n    </is>\n  </c>\n  <c r=\"B2\">\n    <v>7</v>\n  </c>\n</row>", true},
	{"no r attributes", `<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c><c s="1"><v>40000</v></c></row>`, true},
	{"gap in columns", `<row r="3"><c r="C3"><v>1</v></c><c r="F3" t="b"><v>1</v></c></row>`, true},
	{"entities", `<row r="2"><c r="A2" t="inlineStr"><is><t>Elizabeth &#34;Liz&#34; &amp; &lt;co&gt; &#x41;&apos;</t></is></c><c r="B2" t="str"><v>a&amp;b</v></c></row>`, true},
	{"line ends", "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a\r\nb\rc\n</t></is></c></row>", true},
	{"preserve", `<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">  two  </t></is></c></row>`, true},
	{"x escapes", `<row r="2"><c r="A2" t="inlineStr"><is><t>tab_x0009_here_x005F_x0041_</t></is></c><c r="B2" t="str"><v>_x000D_</v></c></row>`, true},
	{"empty cells", `<row r="2"><c r="A2" s="1"/><c r="B2"></c><c r="C2" t="s"><v></v></c><c r="D2" t="inlineStr"><is><t></t></is></c><c r="E2"><v>3</v></c></row>`, true},
	{"types", `<row r="2"><c r="A2" t="b"><v>0</v></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" t="d"><v>2024-07-01</v></c><c r="D2" t="n" s="4"><v>1.5E3</v></c><c r="E2" t="str"><v>s</v></c></row>`, true},
	{"inline in v", `<row r="2"><c r="A2" t="inlineStr"><v>old style</v></c></row>`, true},
	{"unicode", `<row r="2"><c r="A2" t="inlineStr"><is><t>Müller 你好 😀</t></is></c></row>`, true},
	{"lower-case ref", `<row r="2"><c r="a2"><v>1</v></c></row>`, true},
	{"leading zeros", `<row r="02"><c r="A02"><v>1</v></c><c r="B2"><v>2</v></c><c r="C002"><v>3</v></c></row>`, true},
	{"three letters", `<row r="5"><c r="AB5"><v>1</v></c><c r="XFD5"><v>2</v></c></row>`, true},
	{"empty row", `<row r="2"></row>`, true},

	{"formula", `<row r="2"><c r="A2"><f>SUM(B1:B9)</f><v>3</v></c></row>`, false},
	{"rich text", `<row r="2"><c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r></is></c></row>`, false},
	{"cdata", `<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[a<b&c]]></t></is></c></row>`, false},
	{"comment", `<row r="2"><!-- note --><c r="A2"><v>1</v></c></row>`, false},
	{"prefixed names", `<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row>`, false},
	{"prefixed cell", `<row r="2"><x:c r="A2"><x:v>1</x:v></x:c></row>`, false},
	{"entity in ref", `<row r="2"><c r="A&#50;"><v>1</v></c></row>`, false},
	{"entity in row number", `<row r="&#50;"><c r="A2"><v>1</v></c></row>`, false},
	{"self-closing v", `<row r="2"><c r="A2"><v/></c></row>`, false},
	{"self-closing row", `<row r="2"/>`, false},
	{"two values", `<row r="2"><c r="A2"><v>1</v><v>2</v></c></row>`, false},
	{"two texts", `<row r="2"><c r="A2" t="inlineStr"><is><t>a</t><t>b</t></is></c></row>`, false},
	{"phonetic", `<row r="2"><c r="A2" t="inlineStr"><is><t>kanji</t><rPh sb="0" eb="1"><t>KANA</t></rPh></is></c></row>`, false},
	{"text between cells", `<row r="2">junk<c r="A2"><v>1</v></c></row>`, false},
	{"end tag with space", `<row r="2"><c r="A2"><v>1</v ></c></row >`, false},
	{"other element", `<row r="2"><c r="A2"><v>1</v></c><extLst/></row>`, false},
	{"duplicate r", `<row r="2"><c r="A2" r="B2"><v>1</v></c><c r="C2" t="s" t="x"><v>1</v></c></row>`, true},
	{"r as prefix", `<row r="2"><c x:r="C2" r="A2"><v>1</v></c></row>`, true},

	// errors: the general path must report them, and the same way
	{"shared index out of range", `<row r="2"><c r="A2" t="s"><v>99</v></c></row>`, false},
	{"shared index not a number", `<row r="2"><c r="A2" t="s"><v>x</v></c></row>`, false},
	{"cells out of order", `<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c></row>`, false},
	{"bad ref", `<row r="2"><c r="2A"><v>1</v></c></row>`, false},
	{"cell in another row", `<row r="2"><c r="A3"><v>1</v></c></row>`, false},
	{"cell in a row that ends alike", `<row r="12"><c r="A2"><v>1</v></c></row>`, false},
	{"cell in a row that ends alike 2", `<row r="2"><c r="A12"><v>1</v></c></row>`, false},
	{"four letters", `<row r="2"><c r="AAAA2"><v>1</v></c></row>`, false},
	{"ref without letters", `<row r="2"><c r="2"><v>1</v></c></row>`, false},
	{"row out of order", `<row r="1"><c r="A1"><v>1</v></c></row>`, false},
	{"bad row number", `<row r="x"><c><v>1</v></c></row>`, false},
	{"bad style", `<row r="2"><c r="A2" s="x"><v>1</v></c></row>`, false},
	{"unknown type", `<row r="2"><c r="A2" t="q"><v>1</v></c></row>`, false},
	{"beyond XFD", `<row r="2"><c r="XFE2"><v>1</v></c></row>`, false},
	{"control character", `<row r="2"><c r="A2" t="inlineStr"><is><t>a&#1;b</t></is></c></row>`, false},
	{"raw control character", "<row r=\"2\"><c r=\"A2\"><v>a\x01b</v></c></row>", false},
	{"invalid UTF-8", "<row r=\"2\"><c r=\"A2\"><v>a\xffb</v></c></row>", false},
	{"unknown entity", `<row r="2"><c r="A2"><v>a&bogus;b</v></c></row>`, false},
	{"entity without semicolon", `<row r="2"><c r="A2"><v>a&amp b</v></c></row>`, false},
	{"unquoted attribute", `<row r="2"><c r=A2><v>1</v></c></row>`, false},
	{"attribute without value", `<row r="2"><c r><v>1</v></c></row>`, false},
	{"< in attribute", `<row r="2"><c r="A<2"><v>1</v></c></row>`, false},
	{"mismatched end", `<row r="2"><c r="A2"><v>1</v></cc></row>`, false},
	{"unclosed cell", `<row r="2"><c r="A2"><v>1</v></row>`, false},
	{"bad name", `<row r="2"><c r="A2" 1x="y"><v>1</v></c></row>`, false},
}

func TestXLSXFastRowMatchesGeneral(t *testing.T) {
	for _, tc := range fastShapes {
		t.Run(tc.name, func(t *testing.T) {
			doc := sheetDoc(plainRow(1) + tc.row + plainRow(9))
			got := parseFastAndGeneral(t, []byte(doc), 1<<20, 4096)
			// Rows 1 and 9 go the fast way unless an error ends the read first.
			if tc.fast && got != 3 {
				t.Errorf("the fast path read %d rows, want 3: it leaves this shape to the general path", got)
			}
			if !tc.fast && (got < 1 || got > 2) {
				t.Errorf("the fast path read %d rows, want 1 or 2: it reads a shape it should leave", got)
			}
			for _, size := range []int{16, 40, 97, 256} {
				for _, chunk := range []int{1, 5} {
					parseFastAndGeneral(t, []byte(doc), chunk, size)
				}
			}
			// Cut the document at every place, as a download cut short would.
			for n := len(doc) - len(plainRow(9)) - 40; n < len(doc); n++ {
				parseFastAndGeneral(t, []byte(doc[:n]), 1<<20, 4096)
			}
		})
	}
}

// TestXLSXFastRowRandom builds sheets from random mixes of the shapes both paths read —
// attribute order, extra attributes, whitespace, entities, every cell type — and reads
// them with buffers that cut rows at every kind of place.
func TestXLSXFastRowRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	fastTotal := 0
	for doc := range 200 {
		var sb strings.Builder
		row := 0
		for range 1 + rng.IntN(12) {
			row += 1 + rng.IntN(2)
			sb.WriteString(randomRow(rng, row))
			if rng.IntN(4) == 0 {
				sb.WriteString(pick(rng, "\n", " ", "\r\n\t"))
			}
		}
		data := []byte(sheetDoc(sb.String()))
		size := []int{16, 33, 100, 1000, 4096}[doc%5]
		fastTotal += parseFastAndGeneral(t, data, 1+rng.IntN(64), size)
		fastTotal += parseFastAndGeneral(t, data, 1<<20, 1<<16)
	}
	if fastTotal == 0 {
		t.Fatal("the fast path read no row of 200 random sheets")
	}
}

func pick(rng *rand.Rand, s ...string) string { return s[rng.IntN(len(s))] }

func randomRow(rng *rand.Rand, n int) string {
	var sb strings.Builder
	attrs := []string{}
	if rng.IntN(8) != 0 {
		attrs = append(attrs, fmt.Sprintf(`r="%d"`, n))
	}
	if rng.IntN(3) == 0 {
		attrs = append(attrs, `spans="1:4"`, `x14ac:dyDescent='0.25'`)
	}
	rng.Shuffle(len(attrs), func(i, j int) { attrs[i], attrs[j] = attrs[j], attrs[i] })
	sb.WriteString("<row")
	for _, a := range attrs {
		sb.WriteString(pick(rng, " ", "  ", "\n"))
		sb.WriteString(a)
	}
	sb.WriteString(pick(rng, ">", ">", " >"))
	col := 0
	for range rng.IntN(6) {
		col += 1 + rng.IntN(2)
		ws := pick(rng, "", "", "", " ", "\n  ")
		sb.WriteString(ws)
		sb.WriteString(randomCell(rng, col, n))
	}
	sb.WriteString(pick(rng, "", "", "\n"))
	sb.WriteString("</row>")
	return sb.String()
}

var randomTexts = []string{"", "x", "Undergraduate", "a&amp;b", "&#34;Liz&#34;", "&#x4E2D;", "a\r\nb", " pad ",
	"tab_x0009_", "Müller", "&lt;&gt;", "1", "44712", "4.4712E4", "&#1;", "&nope;", "<![CDATA[c]]>"}

func randomCell(rng *rand.Rand, col, row int) string {
	ref := fmt.Sprintf(`r="%s"`, cellName(col-1, row))
	attrs := []string{}
	if rng.IntN(10) != 0 {
		attrs = append(attrs, ref)
	}
	var body string
	switch rng.IntN(7) {
	case 0:
		attrs = append(attrs, `t="s"`)
		body = fmt.Sprintf("<v>%d</v>", rng.IntN(7)) // 6 shared strings: 6 is out of range
	case 1, 2:
		attrs = append(attrs, `t="inlineStr"`)
		body = `<is><t>` + pick(rng, randomTexts...) + `</t></is>`
		if rng.IntN(5) == 0 {
			body = `<is>` + pick(rng, "", " ") + `<t xml:space="preserve">` + pick(rng, randomTexts...) + `</t>` + pick(rng, "", "\n") + `</is>`
		}
		if rng.IntN(10) == 0 {
			body = `<is><r><t>` + pick(rng, randomTexts...) + `</t></r></is>`
		}
	case 3:
		attrs = append(attrs, fmt.Sprintf(`s="%d"`, rng.IntN(6)))
		body = "<v>" + pick(rng, "45000", "1.5", "60", "-1", "x", "") + "</v>"
	case 4:
		attrs = append(attrs, pick(rng, `t="b"`, `t="e"`, `t="str"`, `t="d"`, `t="n"`, `t="zz"`))
		body = "<v>" + pick(rng, randomTexts...) + "</v>"
	case 5:
		body = pick(rng, "", "<f>A1</f><v>2</v>", "<v/>", "<!-- c -->")
	case 6:
		attrs = append(attrs, `s='1'`, `cm="1"`)
		body = " <v>40000</v> "
	}
	rng.Shuffle(len(attrs), func(i, j int) { attrs[i], attrs[j] = attrs[j], attrs[i] })
	tag := "<c"
	for _, a := range attrs {
		tag += pick(rng, " ", "\t") + a
	}
	if body == "" && rng.IntN(2) == 0 {
		return tag + "/>"
	}
	return tag + ">" + body + "</c>"
}
