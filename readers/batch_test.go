package readers

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// fakeSource yields n one-cell rows numbered from 1, then panics or fails.
type fakeSource struct {
	n      int
	panics bool
	err    error
}

func (f *fakeSource) Info() Info   { return Info{Format: "text"} }
func (f *fakeSource) Close() error { return nil }
func (f *fakeSource) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		cells := make([]Cell, 1) // reused, as the real readers do
		for i := 1; i <= f.n; i++ {
			cells[0].Text = fmt.Sprint(i)
			if !yield(Row{Num: i, Cells: cells}, nil) {
				return
			}
		}
		if f.panics {
			panic("reader bug")
		}
		if f.err != nil {
			yield(Row{}, f.err)
		}
	}
}

func tableOf(src Source) *Table {
	return &Table{Name: "x", src: src, feed: startFeed(src.Rows())}
}

// A reader that panics on the feed's goroutine ends the table with a *PanicError after
// the rows it gave, each intact; nothing is left running.
func TestFeedReaderPanicIsAnError(t *testing.T) {
	defer goleak.VerifyNone(t)
	n := 3*BatchRows + 10
	tb := tableOf(&fakeSource{n: n, panics: true})
	defer tb.Close()
	got := 0
	var last error
	for row, err := range tb.Rows() {
		if err != nil {
			last = err
			break
		}
		if got++; row.Num != got || len(row.Cells) != 1 || row.Cells[0].Text != fmt.Sprint(got) {
			t.Fatalf("row %d came as %d %v", got, row.Num, row.Cells)
		}
	}
	var p *PanicError
	if got != n || !errors.As(last, &p) {
		t.Fatalf("%d rows, then %v; want %d rows, then a *PanicError", got, last, n)
	}
}

// Closing a table in the middle of its rows, or before reading any, stops the feed
// and its goroutine; NextBatch then says the table ended.
func TestFeedStopsOnClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, take := range []int{0, 1, 5} {
		tb := tableOf(&fakeSource{n: 50 * BatchRows})
		for range take {
			b := tb.NextBatch()
			if b == nil || len(b.Rows) != BatchRows {
				t.Fatalf("take %d: batch %v", take, b)
			}
			// not released: a caller that keeps batches must not stall the close
		}
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
		if b := tb.NextBatch(); b != nil {
			t.Fatalf("take %d: a batch after Close", take)
		}
	}
}

// The rows after the header come once each and in order across batches, the header
// search's own batch first, and an error after them ends the table.
func TestBatchesAfterHeader(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("Report title\nUSERNAME,Expiry\n")
	n := 2*BatchRows + 7
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "u%d,2020-01-01\n", i)
	}
	path := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	if tb.HeaderRow != 2 {
		t.Fatalf("header row %d", tb.HeaderRow)
	}
	got, batches := 0, 0
	for b := tb.NextBatch(); b != nil; b = tb.NextBatch() {
		batches++
		for _, row := range b.Rows {
			got++
			if row.Num != got+2 || row.Cells[0].Text != fmt.Sprintf("u%d", got) {
				t.Fatalf("data row %d came as row %d %q", got, row.Num, row.Cells[0].Text)
			}
		}
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		b.Release()
	}
	if got != n || batches < 2 {
		t.Fatalf("%d rows in %d batches, want %d rows", got, batches, n)
	}
}
