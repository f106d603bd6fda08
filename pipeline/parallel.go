package pipeline

import (
	"runtime"
	"sync"

	"github.com/purgeset/purgeset/readers"
)

// normBatch is a batch of rows with what can be worked out of each row alone: whether
// it is blank, its first cell in the wrong character set and its normalised fields.
// Several goroutines prepare batches at once; Each takes them in input order.
type normBatch struct {
	b        *readers.Batch
	recs     []spilled
	blank    []bool
	mojibake []int // column of the row's first garbled cell, or -1
	ready    chan struct{}
}

// normalisers prepares a table's batches on several goroutines, so that parsing and
// normalising use every core while Each does what needs input order (counts, the date
// evidence, the index). Parsing runs ahead on the table's own goroutine.
type normalisers struct {
	t       *readers.Table
	prepare func(*normBatch, *dateCache)
	jobs    chan *normBatch
	pending []*normBatch // handed to the workers, in input order
	free    []*normBatch
	wg      sync.WaitGroup
	ended   bool
}

// newNormalisers starts a worker per core, at most four. At most workers+1 batches
// are being prepared or waiting (cap(jobs)), fewer than readers' feed has, so that the
// reader never waits for a batch that Each holds.
func newNormalisers(t *readers.Table, prepare func(*normBatch, *dateCache)) *normalisers {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	n := &normalisers{t: t, prepare: prepare, jobs: make(chan *normBatch, workers+1)}
	for range workers {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			dates := new(dateCache) // per goroutine: a cache is not safe for concurrent use
			for nb := range n.jobs {
				n.work(nb, dates)
			}
		}()
	}
	return n
}

// work prepares one batch; a panic becomes the batch's error, as a reader's does.
func (n *normalisers) work(nb *normBatch, dates *dateCache) {
	defer close(nb.ready)
	defer func() {
		if p := recovered(recover(), "the row normaliser"); p != nil {
			nb.b.Rows, nb.b.Err = nil, p
		}
	}()
	n.prepare(nb, dates)
}

// next is the next prepared batch in input order, or nil at the end.
func (n *normalisers) next() *normBatch {
	for !n.ended && len(n.pending) < cap(n.jobs) {
		b := n.t.NextBatch()
		if b == nil {
			n.ended = true
			break
		}
		var nb *normBatch
		if k := len(n.free); k > 0 {
			nb, n.free = n.free[k-1], n.free[:k-1]
		} else {
			nb = &normBatch{}
		}
		nb.b, nb.ready = b, make(chan struct{})
		n.jobs <- nb // never blocks: at most cap(jobs) are pending
		n.pending = append(n.pending, nb)
	}
	if len(n.pending) == 0 {
		return nil
	}
	nb := n.pending[0]
	n.pending = n.pending[1:]
	<-nb.ready
	return nb
}

// done hands a batch back once its rows are used.
func (n *normalisers) done(nb *normBatch) {
	nb.b.Release()
	nb.b = nil
	n.free = append(n.free, nb)
}

// close stops the workers after the batches already handed to them.
func (n *normalisers) close() {
	close(n.jobs)
	n.wg.Wait()
	for _, nb := range n.pending {
		nb.b.Release()
	}
	n.pending = nil
}
