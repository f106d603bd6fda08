package pipeline

import (
	"sync"
	"sync/atomic"

	"github.com/purgeset/purgeset/writers"
)

// fanout hands batches of decided rows to every sink, each on its own goroutine, so
// that formatting decisions.csv, compressing the archive and deciding the next rows
// share the machine's cores. Rows reach each sink in input order.
type fanout struct {
	sinks []writers.RowSink
	chans []chan *batch
	free  chan *batch
	wg    sync.WaitGroup
	errs  []error
}

// batchSize rows travel together: large enough to make the hand-over cheap, small
// enough to keep memory flat.
const batchSize = 2048

type batch struct {
	recs    []writers.Record
	pending atomic.Int32
}

func newFanout(sinks []writers.RowSink) *fanout {
	f := &fanout{sinks: sinks, free: make(chan *batch, 4), errs: make([]error, len(sinks))}
	for i := 0; i < cap(f.free); i++ {
		f.free <- &batch{recs: make([]writers.Record, 0, batchSize)}
	}
	for i, s := range sinks {
		ch := make(chan *batch, 2)
		f.chans = append(f.chans, ch)
		f.wg.Add(1)
		go f.drain(i, s, ch)
	}
	return f
}

// drain writes every batch into one sink; after its first error it only passes the
// batches on, so that the sender never blocks.
func (f *fanout) drain(i int, s writers.RowSink, ch chan *batch) {
	defer f.wg.Done()
	for b := range ch {
		if f.errs[i] == nil {
			for j := range b.recs {
				if err := s.Write(&b.recs[j]); err != nil {
					f.errs[i] = err
					break
				}
			}
		}
		f.release(b)
	}
}

func (f *fanout) release(b *batch) {
	if b.pending.Add(-1) == 0 {
		b.recs = b.recs[:0]
		f.free <- b
	}
}

// get returns an empty batch, waiting for the slowest sink if all are in use.
func (f *fanout) get() *batch { return <-f.free }

// send gives a filled batch to every sink.
func (f *fanout) send(b *batch) {
	if len(b.recs) == 0 {
		f.free <- b
		return
	}
	b.pending.Store(int32(len(f.chans)))
	for _, ch := range f.chans {
		ch <- b
	}
}

// close waits for every sink to finish its rows, then closes each sink (which writes
// its file); the first error wins.
func (f *fanout) close() error {
	for _, ch := range f.chans {
		close(ch)
	}
	f.wg.Wait()
	var first error
	for i, s := range f.sinks {
		err := f.errs[i]
		if err == nil {
			err = s.Close()
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}
