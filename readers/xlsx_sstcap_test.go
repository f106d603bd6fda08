package readers

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// A workbook of three rows whose shared strings unpack to 96 MB (about 100 KB in the
// file): refused at the budget (exit 3, naming the file and the part, saying what to
// do), without unpacking the rest or holding it.
func TestXLSXSharedStringsBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range workbookParts(sheetDoc(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>` +
		`<row r="2"><c r="A2" t="s"><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>1</v></c></row>`)) {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.name != "xl/sharedStrings.xml" {
			io.WriteString(w, p.body)
			continue
		}
		io.WriteString(w, xmlDecl+`<sst `+nsMain+`><si><t>Primary Identifier</t></si><si><t>`)
		chunk := bytes.Repeat([]byte("A"), 1<<20)
		for range 96 {
			w.Write(chunk)
		}
		io.WriteString(w, `</t></si></sst>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed; the test wants a small file", buf.Len())
	}
	path := writeFile(t, buf.Bytes())

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Open(path, Options{})
	runtime.ReadMemStats(&after)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrInput) || pe.File != path ||
		!strings.Contains(pe.Msg, "xl/sharedStrings.xml") || !strings.Contains(pe.Hint, "export the users again") {
		t.Fatalf("want exit 3 naming the file and part, with a hint; got %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 200<<20 {
		t.Fatalf("refusing the bomb allocated %d MB", got>>20)
	}
}

// Long shared strings for a small sheet pass: the floor allows far more text than a
// real export's notes column.
func TestXLSXSharedStringsUnderBudget(t *testing.T) {
	long := strings.Repeat("x", 4<<20)
	parts := replacePart(workbookParts(sheetDoc(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`)),
		"xl/sharedStrings.xml", xmlDecl+`<sst `+nsMain+`><si><t>Primary Identifier</t></si><si><t>`+long+`</t></si></sst>`)
	src, err := Open(writeZip(t, parts), Options{})
	if err != nil {
		t.Fatalf("4 MB of shared strings for a small sheet: %v", err)
	}
	src.Close()
}

func TestCapReaderExactBudget(t *testing.T) {
	for _, c := range []struct {
		data    string
		budget  int64
		wantErr bool
	}{{"abcd", 4, false}, {"abcd", 5, false}, {"abcde", 4, true}, {"", 0, false}} {
		_, err := io.ReadAll(&capReader{r: strings.NewReader(c.data), left: c.budget})
		if got := errors.Is(err, errSharedStringsTooBig); got != c.wantErr {
			t.Errorf("%q with budget %d: err %v", c.data, c.budget, err)
		}
	}
}
