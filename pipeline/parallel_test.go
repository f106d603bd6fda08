package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purgeset/purgeset/readers"
)

// A panic while a batch is prepared on a normalising goroutine ends the table with a
// *PanicError after the batches before it, in order, instead of killing the process;
// closing stops every worker.
func TestNormaliserPanicIsAnError(t *testing.T) {
	defer goleak.VerifyNone(t)
	var sb strings.Builder
	sb.WriteString("USERNAME,Expiry\n")
	rows := 5*readers.BatchRows + 3
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&sb, "u%d,2020-01-01\n", i)
	}
	tb, err := readers.Open(writeFile(t, "in.csv", sb.String()), readers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	n := newNormalisers(tb, func(nb *normBatch, _ *dateCache) {
		for _, row := range nb.b.Rows {
			if row.Cells[0].Text == "u3000" {
				panic("normaliser bug")
			}
		}
	})
	defer n.close()
	seen := 0
	var last error
	for nb := n.next(); nb != nil; nb = n.next() {
		if nb.b.Err != nil {
			last = nb.b.Err
			break
		}
		for _, row := range nb.b.Rows {
			if want := fmt.Sprintf("u%d", seen); row.Cells[0].Text != want {
				t.Fatalf("row %d is %q, want %q: batches out of order", seen, row.Cells[0].Text, want)
			}
			seen++
		}
		n.done(nb)
	}
	var p *PanicError
	// Every row before the batch holding u3000, and none after it.
	if !errors.As(last, &p) || seen > 3000 || seen <= 3000-readers.BatchRows {
		t.Fatalf("%d rows then %v; want the rows of the batches before u3000's, then a *PanicError", seen, last)
	}
}
