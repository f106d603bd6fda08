package pipeline

import (
	"iter"

	"github.com/purgeset/purgeset/readers"
)

// rowBatch is rows copied out of a reader, which reuses its cell slices.
type rowBatch struct {
	rows  []readers.Row
	cells []readers.Cell // backing store of every row's Cells
	err   error
}

// prefetch parses rows on its own goroutine while the caller decides the previous
// batch: parsing CSV or sheet XML and deciding rows cost about the same, and the
// machine has two cores. Rows come out in order; an error ends the sequence. The
// returned sequence must be drained or abandoned by breaking out of the loop.
func prefetch(rows iter.Seq2[readers.Row, error]) iter.Seq2[readers.Row, error] {
	return func(yield func(readers.Row, error) bool) {
		full := make(chan *rowBatch, 2)
		free := make(chan *rowBatch, 3)
		done := make(chan struct{})   // the consumer stopped
		exited := make(chan struct{}) // the producer stopped: the reader may be closed
		for i := 0; i < cap(free); i++ {
			free <- &rowBatch{}
		}
		go func() {
			defer close(exited)
			defer close(full)
			b := <-free
			send := func() bool {
				select {
				case full <- b:
				case <-done:
					return false
				}
				select {
				case b = <-free:
				case <-done:
					return false
				}
				b.rows, b.cells, b.err = b.rows[:0], b.cells[:0], nil
				return true
			}
			// A panic in the reader becomes the sequence's last error, so that the
			// consumer ends cleanly instead of the process dying on this goroutine.
			abandoned := false
			err := func() (err error) {
				defer func() {
					if p := recovered(recover(), "the input reader"); p != nil {
						err = p
					}
				}()
				for row, err := range rows {
					if err != nil {
						return err
					}
					at := len(b.cells)
					b.cells = append(b.cells, row.Cells...)
					b.rows = append(b.rows, readers.Row{Num: row.Num, Cells: b.cells[at:len(b.cells):len(b.cells)]})
					if len(b.rows) == batchSize && !send() {
						abandoned = true
						return nil
					}
				}
				return nil
			}()
			if abandoned {
				return
			}
			b.err = err
			select {
			case full <- b:
			case <-done:
			}
		}()
		defer func() {
			close(done)
			for range full { // unblock a producer waiting to hand over a batch
			}
			<-exited
		}()
		for b := range full {
			// Cells were appended to a growing slice: re-slice each row from the final
			// backing store, since an earlier append may have moved it.
			at := 0
			for i := range b.rows {
				n := len(b.rows[i].Cells)
				b.rows[i].Cells = b.cells[at : at+n : at+n]
				at += n
			}
			for _, row := range b.rows {
				if !yield(row, nil) {
					return
				}
			}
			if b.err != nil {
				yield(readers.Row{}, b.err)
				return
			}
			free <- b
		}
	}
}
