package readers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// refSheet parses sheet XML with encoding/xml, driving the same sheetBuilder as
// parseSheet: the reference the byte scanner is checked against.
func refSheet(data []byte, b *sheetBuilder, emit func(Row) bool) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		depth, capturing                          int
		sawRoot, inSheetData, inCell, inIs, inRun bool
		text, v, is                               []byte
		hasV, hasIs                               bool
	)
	attr := func(t xml.StartElement, name string) ([]byte, bool) {
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == name {
				return []byte(a.Value), true
			}
		}
		return nil, false
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !sawRoot {
				return b.empty()
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			local := t.Name.Local
			switch d := depth; {
			case d == depthRoot:
				if err := b.root([]byte(local)); err != nil {
					return err
				}
				sawRoot = true
			case d == depthSheetData && sawRoot:
				inSheetData = local == "sheetData"
			case d == depthRow && inSheetData && local == "row":
				r, hasR := attr(t, "r")
				if err := b.startRow(r, hasR); err != nil {
					return err
				}
			case d == depthCell && b.inRow && local == "c":
				ref, hasRef := attr(t, "r")
				s, hasS := attr(t, "s")
				typ, _ := attr(t, "t")
				if err := b.startCell(ref, hasRef, s, hasS, typ); err != nil {
					return err
				}
				inCell, hasV, hasIs, v, is = true, false, false, nil, nil
			case d == depthValue && inCell && capturing == 0:
				switch local {
				case "v":
					capturing, text = d, nil
				case "is":
					inIs, hasIs, is = true, true, nil
				}
			case d == depthText && inIs && capturing == 0:
				switch local {
				case "t":
					capturing, text = d, is
				case "r":
					inRun = true
				}
			case d == depthRunText && inRun && capturing == 0 && local == "t":
				capturing, text = d, is
			}
		case xml.EndElement:
			d := depth
			depth--
			switch {
			case d == capturing:
				if d == depthValue {
					v, hasV = text, true
				} else {
					is = text
				}
				capturing = 0
			case d == depthText && inRun:
				inRun = false
			case d == depthValue && inIs:
				inIs = false
			case d == depthCell && inCell:
				inCell = false
				if err := b.endCell(v, hasV, is, hasIs); err != nil {
					return err
				}
			case d == depthRow && b.inRow:
				if !emit(b.endRow()) {
					return errStopped
				}
			case d == depthSheetData:
				inSheetData = false
			}
		case xml.CharData:
			if capturing > 0 {
				text = append(text, t...)
			}
		case xml.Directive:
			return errors.New("directive")
		}
	}
}

// refSharedStrings is parseSharedStrings written with encoding/xml.
func refSharedStrings(data []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		out                  []string
		depth, capturing     int
		sawRoot, inSI, inRun bool
		text                 []byte
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !sawRoot {
				return nil, errors.New("no root")
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch l := t.Name.Local; {
			case depth == 1:
				if l != "sst" {
					return nil, errors.New("root")
				}
				sawRoot = true
			case depth == 2 && l == "si":
				inSI, text = true, nil
			case depth == 3 && inSI && capturing == 0 && l == "t":
				capturing = depth
			case depth == 3 && inSI && l == "r":
				inRun = true
			case depth == 4 && inRun && capturing == 0 && l == "t":
				capturing = depth
			}
		case xml.EndElement:
			d := depth
			depth--
			switch {
			case d == capturing:
				capturing = 0
			case d == 3 && inRun:
				inRun = false
			case d == 2 && inSI:
				inSI = false
				out = append(out, string(unescapeX(text)))
			}
		case xml.CharData:
			if capturing > 0 {
				text = append(text, t...)
			}
		case xml.Directive:
			return nil, errors.New("directive")
		}
	}
}

// chunkReader hands out at most n bytes a call, to split tokens between reads.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

func testBuilder(t testing.TB) *sheetBuilder {
	sst, err := parseSharedStrings(newXMLScanner(strings.NewReader(testSST)))
	if err != nil {
		t.Fatal(err)
	}
	dates, err := readDateStyles(strings.NewReader(testStyles))
	if err != nil {
		t.Fatal(err)
	}
	return newSheetBuilder("export.xlsx", sst, dates)
}

const maxCompareRows = 2000

func collect(rows *[]Row) func(Row) bool {
	return func(r Row) bool {
		*rows = append(*rows, Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)})
		return len(*rows) < maxCompareRows
	}
}

// checkAgainstRef reads sheet XML with the scanner (chunk bytes a read, a buffer of
// bufSize) and with encoding/xml. Where encoding/xml reads the XML, the scanner must give
// the same rows; where the builder refuses it, the scanner must fail the same way. Where
// encoding/xml finds the XML malformed, the scanner, which does not check text it skips,
// may read on, but the rows both read must agree.
func checkAgainstRef(t *testing.T, data []byte, chunk, bufSize int) {
	t.Helper()
	var mine, ref []Row
	// Odd buffer sizes check the general path alone, even ones the fast row path where
	// it applies (xlsx_fastrow_test.go compares the two directly).
	b := testBuilder(t)
	b.noFast = bufSize%2 == 1
	mineErr := b.parseSheet(newXMLScannerSize(&chunkReader{data, chunk}, bufSize), collect(&mine))
	refErr := refSheet(data, testBuilder(t), collect(&ref))
	if mineErr == errStopped || refErr == errStopped {
		mineErr, refErr = nil, nil
	}
	var pe *ParseError
	if mineErr != nil && !errors.As(mineErr, &pe) {
		t.Fatalf("chunk %d buffer %d: scanner error %v (%T) is not a ParseError", chunk, bufSize, mineErr, mineErr)
	}
	n := min(len(mine), len(ref))
	if a, b := fmtRows(mine[:n]), fmtRows(ref[:n]); a != b {
		t.Fatalf("chunk %d buffer %d: scanner read\n%s\nencoding/xml read\n%s", chunk, bufSize, a, b)
	}
	switch {
	case refErr == nil:
		if mineErr != nil {
			t.Fatalf("chunk %d buffer %d: scanner fails where encoding/xml reads: %v", chunk, bufSize, mineErr)
		}
		if len(mine) != len(ref) {
			t.Fatalf("chunk %d buffer %d: scanner read %d rows, encoding/xml %d", chunk, bufSize, len(mine), len(ref))
		}
	case errors.As(refErr, &pe): // the builder refused: the scanner must reach the same refusal
		if mineErr == nil || mineErr.Error() != refErr.Error() {
			t.Fatalf("chunk %d buffer %d: scanner error %v, encoding/xml error %v", chunk, bufSize, mineErr, refErr)
		}
	}

	mineSST, mineErr := parseSharedStrings(newXMLScannerSize(&chunkReader{data, chunk}, bufSize))
	refSST, refErr := refSharedStrings(data)
	if refErr == nil {
		if mineErr != nil {
			t.Fatalf("chunk %d buffer %d: shared strings: scanner fails where encoding/xml reads: %v", chunk, bufSize, mineErr)
		}
		if fmt.Sprintf("%q", mineSST) != fmt.Sprintf("%q", refSST) {
			t.Fatalf("chunk %d buffer %d: shared strings: scanner read %q, encoding/xml %q", chunk, bufSize, mineSST, refSST)
		}
	}
}

func TestXLSXScannerMatchesEncodingXML(t *testing.T) {
	docs := []string{testSST, testStyles}
	everywhere := map[int]bool{0: true}
	for _, tc := range sheetCases {
		everywhere[len(docs)] = tc.cutEverywhere
		docs = append(docs, tc.xml)
	}
	for i, doc := range docs {
		t.Run(fmt.Sprintf("doc%d", i), func(t *testing.T) {
			for _, chunk := range []int{1, 7} {
				for _, size := range []int{16, 17, 64, 65, scanBufSize, scanBufSize + 1} {
					checkAgainstRef(t, []byte(doc), chunk, size)
				}
			}
			if !everywhere[i] {
				return
			}
			// Where the buffer ends depends on its size and on where it was last
			// compacted: try every size up to the whole document to cut every token
			// (a \r\n pair, an entity, a tag) at every place.
			for size := 16; size <= len(doc)+16; size++ {
				checkAgainstRef(t, []byte(doc), 1<<20, size)
			}
		})
	}
}

func compareWithEncodingXML(t *testing.T, data []byte) {
	t.Helper()
	for _, size := range []int{16, 100, 101, scanBufSize, scanBufSize + 1} {
		checkAgainstRef(t, data, 7, size)
	}
}

func TestXLSXUnescapeX(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                  "plain",
		"_x0041_":                "A",
		"a_x000D_b":              "a\rb",
		"_x005F_x0041_":          "_x0041_",
		"_x005f_":                "_",
		"_xD83D__xDE00_":         "😀",
		"_xD83D_":                "\uFFFD",
		"_xDE00_":                "\uFFFD",
		"_x00G1_":                "_x00G1_",
		"_x0041":                 "_x0041",
		"a_x":                    "a_x",
		"__x0041_":               "_A",
		"_x4F60__x597D_":         "你好",
		"_x000x_x005F_x000x_":    "_x000x_x000x_",
		"*_x005F__x0008_*":       "*_\b*",
		"user_x0020_name_x0009_": "user name\t",
	} {
		if got := string(unescapeX([]byte(in))); got != want {
			t.Errorf("unescapeX(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXLSXCellRefs(t *testing.T) {
	for _, tc := range []struct {
		ref      string
		col, row int
	}{{"A1", 0, 1}, {"Z9", 25, 9}, {"AA10", 26, 10}, {"AZ1", 51, 1}, {"BA1", 52, 1}, {"XFD1048576", 16383, 1048576}, {"b57", 1, 57}} {
		col, row, ok := parseCellRef([]byte(tc.ref))
		if !ok || col != tc.col || row != tc.row {
			t.Errorf("parseCellRef(%q) = %d, %d, %v; want %d, %d", tc.ref, col, row, ok, tc.col, tc.row)
		}
		if got := cellName(tc.col, tc.row); got != strings.ToUpper(tc.ref) {
			t.Errorf("cellName(%d, %d) = %q, want %q", tc.col, tc.row, got, strings.ToUpper(tc.ref))
		}
	}
	for _, bad := range []string{"", "A", "1", "A0", "A-1", "ABCDE1", "A1B", "$A$1", "A 1"} {
		if _, _, ok := parseCellRef([]byte(bad)); ok {
			t.Errorf("parseCellRef(%q) ok, want invalid", bad)
		}
	}
}
