package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// The lines textfast.go reads past encoding/csv must give what encoding/csv gives:
// these tests read each input twice, with and without them, through a 4096-byte
// buffer (the least with which encoding/csv shares it) so that records and lines
// cross its edges, and compare every row, row number, error and input offset.

// diffRead reads data as textSource does, the fast lines on or off, and writes down
// everything it yields; fast counts the lines read past encoding/csv.
func diffRead(t testing.TB, path string, opts Options, fast bool) (out string, fastN int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	s, err := openTextSize(f, "in.csv", head[:n], opts, 4096)
	if err != nil {
		return "open: " + err.Error(), 0
	}
	if !fast {
		s.fast.on = false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "info %+v\n", s.Info())
	for r, err := range s.Rows() {
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				fmt.Fprintf(&b, "error %+v\n", *pe)
			}
			fmt.Fprintf(&b, "error %v\n", err)
			break
		}
		fmt.Fprintf(&b, "%d:", r.Num)
		for _, c := range r.Cells {
			fmt.Fprintf(&b, " %q", c.Text)
		}
		fmt.Fprintf(&b, " @%d\n", s.ll.recStart)
	}
	return b.String(), s.fast.lines
}

// diffCheck fails unless data reads the same with and without the fast lines, and
// returns how many lines the fast path read.
func diffCheck(t testing.TB, data []byte, opts Options) int {
	t.Helper()
	path := txtWrite(t, "in.csv", data)
	want, slowN := diffRead(t, path, opts, false)
	got, fastN := diffRead(t, path, opts, true)
	if slowN != 0 {
		t.Fatalf("%d lines read past encoding/csv with the fast lines off", slowN)
	}
	if got != want {
		t.Fatalf("input %q (%+v):\nencoding/csv alone:\n%s\nwith fast lines:\n%s", data, opts, want, got)
	}
	return fastN
}

// diffCells are cells that stay on the fast path and cells that must leave it, or
// fail: quotes bare, opening, closing and doubled, line ends inside quotes, lone CRs,
// NULs, invalid UTF-8, the other delimiters, mojibake and a BOM inside the text.
var diffCells = []string{
	"", "", "a", "s1234567", "2024-06-30", "Community Borrower", "jdoe42@example.edu",
	"Müller", "Nguyễn", "Ã¤", "\uFEFFx", " ", "a b",
	`"quoted"`, `"a,b"`, `"a;b"`, "\"a\tb\"", `"say ""hi"""`, `Robert "Bob"`, `"`, `""`, `"open`, `x"`,
	"\"multi\nline\"", "\"multi\r\nline\"", "\"cr\rinside\"",
	"a\rb", "\r", "\x00", "u\x001", "\xff", "\xc3", "\t", ";", ",", "|",
}

var diffLineEnds = []string{"\n", "\n", "\n", "\r\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\n\r\n", "\r\r\n", "\n \n"}

// diffDoc makes a document of about size bytes from rng.
func diffDoc(rng *rand.Rand, size int) []byte {
	delims := []string{",", "\t", ";", "|"}
	d := delims[rng.IntN(len(delims))]
	var b strings.Builder
	if rng.IntN(3) == 0 {
		b.WriteString("\uFEFF")
	}
	b.WriteString(strings.Join([]string{"Primary Identifier", "Name", "Expiry Date", "User Group"}, d) + "\n")
	for b.Len() < size {
		n := 1 + rng.IntN(6)
		for i := range n {
			if i > 0 {
				b.WriteString(d)
			}
			if rng.IntN(8) == 0 {
				b.WriteString(diffCells[rng.IntN(len(diffCells))])
			} else {
				b.WriteString(diffCells[rng.IntN(7)]) // mostly plain cells, mostly fast lines
			}
		}
		if rng.IntN(10) == 0 {
			b.WriteString(d) // a trailing delimiter
		}
		if rng.IntN(6) == 0 {
			b.WriteString(diffLineEnds[rng.IntN(len(diffLineEnds))])
		} else {
			b.WriteString("\n")
		}
	}
	doc := b.String()
	switch rng.IntN(8) {
	case 0:
		doc = strings.TrimRight(doc, "\r\n") // no line end at the end
	case 1:
		doc += "\n\n\r\n" // empty lines at the end
	}
	return []byte(doc)
}

// TestFastLinesSameAsCSV: generated documents, each read in every mode, and a few
// built by hand; the documents must send lines both ways.
func TestFastLinesSameAsCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	fast := 0
	for i := range 300 {
		doc := diffDoc(rng, 100+rng.IntN(20000))
		if i%10 == 0 {
			fast += diffCheck(t, txtUTF16(string(doc), i%20 == 0, true), Options{})
		}
		fast += diffCheck(t, doc, Options{})
		fast += diffCheck(t, doc, Options{Plain: true})
	}
	for _, doc := range []string{
		"Primary ID,Name\nu1,a\n\n\nu2,b\n\n",
		"Primary ID,Name\r\nu1,a\r\n\r\nu2,\"b\r\nc\"\r\nu3,d\r\n",
		"Primary ID,Name\nu1,a\"b\nu2,c\n",              // a bare quote: an error, at its row
		"Primary ID,Name\nu1,\"a\nu2,c\nu3,d\n",         // a quote never closed
		"Primary ID\tName\nu1\tRobert \"Bob\"\nu2\tx\n", // LazyQuotes
		"Primary ID\tName\nu1\t\"Bob\nu2\tx\n",          // a tab-delimited value spanning lines
		"Primary ID,Name\nu1,M\xfcller\nu2,x\n",
		"Primary ID,Name\nu1,a\x00\n",
		"Primary ID,Name\nu1,a,\nu2,b\r",
	} {
		big := doc + strings.Repeat("u9,padding across the buffer\n", 200) + doc[strings.IndexByte(doc, '\n')+1:]
		for _, d := range []string{doc, big} {
			fast += diffCheck(t, []byte(d), Options{})
			fast += diffCheck(t, []byte(d), Options{Plain: true})
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d lines took the fast path", fast)
	}
}

// FuzzFastLines: the fuzzer's bytes, repeated to cross the buffer's edges, read with
// and without the fast lines.
//
//	go test ./readers -run XXX -fuzz '^FuzzFastLines$' -fuzztime 5m
func FuzzFastLines(f *testing.F) {
	for _, s := range fuzzExtraSeeds {
		f.Add([]byte(s), uint8(0), false)
	}
	rng := rand.New(rand.NewPCG(1, 13))
	for range 20 {
		f.Add(diffDoc(rng, 300), uint8(20), rng.IntN(2) == 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, reps uint8, plain bool) {
		if len(data)*(1+int(reps)) > 1<<18 {
			t.Skip("large inputs only slow the fuzzer down")
		}
		fuzzWatchdog(t, 20*time.Second)
		diffCheck(t, bytes.Repeat(data, 1+int(reps)), Options{Plain: plain})
	})
}
