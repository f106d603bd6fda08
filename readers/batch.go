package readers

import (
	"fmt"
	"iter"
	"runtime/debug"
)

// BatchRows is how many rows a Batch holds at most: enough to make the hand-over
// between goroutines cheap beside the rows' own cost, few enough to stay in cache.
const BatchRows = 1024

// Batch is consecutive rows of one table, in order. A table's rows are parsed on a
// goroutine of their own and handed over a batch at a time: pulling them one at a time
// through a coroutine cost about a tenth of a whole run's CPU. The rows and their cells
// belong to the caller until Release; Err, when set, follows the last row and ends the
// table.
type Batch struct {
	Rows  []Row
	Err   error
	cells []Cell // backing store of every row's Cells
	pool  chan *Batch
}

// Release hands the batch back for reuse; its rows must not be used after.
func (b *Batch) Release() {
	if b == nil || b.pool == nil {
		return
	}
	select {
	case b.pool <- b:
	default: // the pool is full (the table was closed): let the collector have it
	}
}

// PanicError is a panic in a format reader, turned into the table's last error so that
// the run ends as an internal error (exit 1) with nothing written, instead of the
// process dying on the reader's goroutine.
type PanicError struct {
	Value any
	Stack []byte // for bug reports; never printed by default
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("internal error in the input reader: %v; nothing was written; please report this", p.Value)
}

// feed runs a Source's rows on their own goroutine, copying them into batches.
type feed struct {
	full   chan *Batch
	free   chan *Batch
	done   chan struct{} // the consumer stopped
	exited chan struct{} // the producer stopped: the source may be closed
	closed bool
}

// feedBatches bounds the batches in flight, and so the memory: one being filled, two
// waiting, the rest with the consumer. It must exceed what a consumer holds while it
// asks for the next batch (the pipeline's normalisers hold at most four), or the two
// would wait for each other.
const feedBatches = 6

func startFeed(rows iter.Seq2[Row, error]) *feed {
	f := &feed{full: make(chan *Batch, 2), free: make(chan *Batch, feedBatches),
		done: make(chan struct{}), exited: make(chan struct{})}
	for i := 0; i < feedBatches; i++ {
		f.free <- &Batch{pool: f.free}
	}
	go f.produce(rows)
	return f
}

func (f *feed) produce(rows iter.Seq2[Row, error]) {
	defer close(f.exited)
	defer close(f.full)
	var b *Batch
	take := func() bool {
		select {
		case b = <-f.free:
			b.Rows, b.cells, b.Err = b.Rows[:0], b.cells[:0], nil
			return true
		case <-f.done:
			return false
		}
	}
	send := func() bool {
		// Cells were appended to a growing slice: re-slice each row from the final
		// backing store, since an earlier append may have moved it.
		at := 0
		for i := range b.Rows {
			n := len(b.Rows[i].Cells)
			b.Rows[i].Cells = b.cells[at : at+n : at+n]
			at += n
		}
		select {
		case f.full <- b:
			b = nil
			return true
		case <-f.done:
			return false
		}
	}
	if !take() {
		return
	}
	abandoned := false
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		for row, err := range rows {
			if err != nil {
				return err
			}
			at := len(b.cells)
			b.cells = append(b.cells, row.Cells...)
			b.Rows = append(b.Rows, Row{Num: row.Num, Cells: b.cells[at:len(b.cells):len(b.cells)]})
			if len(b.Rows) == BatchRows && (!send() || !take()) {
				abandoned = true
				return nil
			}
		}
		return nil
	}()
	if abandoned {
		return
	}
	b.Err = err
	if len(b.Rows) > 0 || err != nil {
		send()
	}
}

// next is the next batch in order, or nil at the end.
func (f *feed) next() *Batch {
	if f.closed {
		return nil
	}
	b, ok := <-f.full
	if !ok {
		return nil
	}
	return b
}

// stop ends the producer and waits for it, so that the source may be closed.
func (f *feed) stop() {
	if f.closed {
		return
	}
	f.closed = true
	close(f.done)
	for range f.full { // unblock a producer waiting to hand over a batch
	}
	<-f.exited
}
