package pipeline

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/purgeset/purgeset/writers"
)

// fanout hands batches of decided rows to every sink, each on its own goroutine, so
// that formatting decisions.csv, compressing the archive and deciding the next rows
// share the machine's cores. Rows reach each sink in input order.
//
// The goroutines run in an errgroup: the first sink that fails (or panics: the panic
// becomes a *PanicError) cancels the group, and get and send then return that
// error instead of waiting, so the producer stops at its next batch rather than
// deciding the rest of the rows for nobody, and nothing is left blocked.
type fanout struct {
	sinks []writers.RowSink
	chans []chan *batch
	free  chan *batch
	g     *errgroup.Group
	ctx   context.Context // done when a sink failed, the caller's context ended, or Wait returned
	outer context.Context // the caller's
}

// batchSize rows travel together: large enough to make the hand-over cheap, small
// enough to keep memory flat.
const batchSize = 2048

type batch struct {
	recs    []writers.Record
	pending atomic.Int32
}

// PanicError is a panic on one of the pipeline's goroutines (an output's writer, the
// reader's prefetch), turned into an error so that the stage is aborted (nothing
// written) and the run ends as an internal error (exit 1) instead of crashing the
// process with a stack trace, or hanging the goroutines waiting on it.
type PanicError struct {
	Where string // e.g. "the *writers.ArchiveWriter output writer"
	Value any
	Stack []byte // for bug reports; never printed by default
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("internal error in %s: %v; nothing was written; please report this", p.Where, p.Value)
}

// recovered turns a recovered panic value into a *PanicError (nil for none).
func recovered(v any, where string) error {
	if v == nil {
		return nil
	}
	return &PanicError{Where: where, Value: v, Stack: debug.Stack()}
}

func newFanout(ctx context.Context, sinks []writers.RowSink) *fanout {
	g, gctx := errgroup.WithContext(ctx)
	f := &fanout{sinks: sinks, free: make(chan *batch, 4), g: g, ctx: gctx, outer: ctx}
	for i := 0; i < cap(f.free); i++ {
		f.free <- &batch{recs: make([]writers.Record, 0, batchSize)}
	}
	for _, s := range sinks {
		ch := make(chan *batch, 2)
		f.chans = append(f.chans, ch)
		g.Go(func() error { return f.drain(s, ch) })
	}
	return f
}

// drain writes every batch into one sink. It returns at its first error, which
// cancels the group; batches still queued for it are then never released, which is
// why get and send also wait on the group's context.
func (f *fanout) drain(s writers.RowSink, ch chan *batch) (err error) {
	defer func() {
		if p := recovered(recover(), sinkName(s)); p != nil {
			err = p
		}
	}()
	for b := range ch {
		for j := range b.recs {
			if err := s.Write(&b.recs[j]); err != nil {
				return err
			}
		}
		f.release(b)
	}
	return nil
}

func (f *fanout) release(b *batch) {
	if b.pending.Add(-1) == 0 {
		b.recs = b.recs[:0]
		f.free <- b // never blocks: the pool holds every batch there is
	}
}

// stopped waits for the group and says why it stopped: a sink's error, or the
// caller's context.
func (f *fanout) stopped() error {
	if err := f.g.Wait(); err != nil {
		return err
	}
	if err := f.outer.Err(); err != nil {
		return err
	}
	return context.Canceled
}

// get returns an empty batch, waiting for the slowest sink if all are in use; an error
// when a sink failed.
func (f *fanout) get() (*batch, error) {
	select {
	case b := <-f.free:
		return b, nil
	case <-f.ctx.Done():
		return nil, f.abort()
	}
}

// send gives a filled batch to every sink; an error when a sink failed.
func (f *fanout) send(b *batch) error {
	if len(b.recs) == 0 {
		f.free <- b
		return nil
	}
	b.pending.Store(int32(len(f.chans)))
	for _, ch := range f.chans {
		select {
		case ch <- b:
		case <-f.ctx.Done():
			return f.abort()
		}
	}
	return nil
}

// abort ends every sink goroutine after a failure and returns the first error.
func (f *fanout) abort() error {
	f.closeChans()
	return f.stopped()
}

func (f *fanout) closeChans() {
	for i, ch := range f.chans {
		if ch != nil {
			close(ch)
			f.chans[i] = nil
		}
	}
}

// close waits for every sink to finish its rows, then closes each sink (which writes
// its file); the first error wins. It may be called after get or send failed.
func (f *fanout) close() error {
	f.closeChans()
	if err := f.g.Wait(); err != nil {
		return err
	}
	if err := f.outer.Err(); err != nil {
		return err // interrupted: the stage is aborted, no file need be finished
	}
	for _, s := range f.sinks {
		if err := closeSink(s); err != nil {
			return err
		}
	}
	return nil
}

// closeSink closes a sink, turning a panic into a *PanicError as drain does.
func closeSink(s writers.RowSink) (err error) {
	defer func() {
		if p := recovered(recover(), sinkName(s)); p != nil {
			err = p
		}
	}()
	return s.Close()
}

func sinkName(s writers.RowSink) string { return fmt.Sprintf("the %T output writer", s) }
