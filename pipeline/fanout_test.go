package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purgeset/purgeset/writers"
)

// testSink counts rows; it fails (or panics) at row failAt (0: never).
type testSink struct {
	rows, failAt int
	panics       bool
	closed       bool
}

var errSinkFull = errors.New("disk full")

func (s *testSink) Write(*writers.Record) error {
	s.rows++
	if s.rows == s.failAt {
		if s.panics {
			panic("index out of range [3] with length 3") // as a sink bug would
		}
		return errSinkFull
	}
	return nil
}

func (s *testSink) Close() error { s.closed = true; return nil }

// produce sends up to n full batches as run.go does and returns how many were sent
// and the first error of send, get or close.
func produce(ctx context.Context, sinks []writers.RowSink, n int) (int, error) {
	fan := newFanout(ctx, sinks)
	sent := 0
	var err error
	for ; sent < n; sent++ {
		var b *batch
		if b, err = fan.get(); err != nil {
			break
		}
		b.recs = b.recs[:batchSize]
		if err = fan.send(b); err != nil {
			break
		}
	}
	if cerr := fan.close(); err == nil {
		err = cerr
	}
	return sent, err
}

func TestFanoutFailingSinkStopsTheProducer(t *testing.T) {
	defer goleak.VerifyNone(t)
	good, bad := &testSink{}, &testSink{failAt: 1}
	sent, err := produce(context.Background(), []writers.RowSink{good, bad}, 1000)
	if !errors.Is(err, errSinkFull) {
		t.Fatalf("want the sink's error, got %v", err)
	}
	// The failing sink never hands its first batch back, so the producer can take at
	// most the pool's batches before it sees the failure.
	if sent > 4 {
		t.Fatalf("the producer went on for %d batches after a sink failed", sent)
	}
	if good.closed || bad.closed {
		t.Fatal("a sink was closed (its file finished) after another failed")
	}
}

func TestFanoutPanickingSinkAbortsTheStage(t *testing.T) {
	defer goleak.VerifyNone(t)
	good, bad := &testSink{}, &testSink{failAt: batchSize + 3, panics: true}
	sent, err := produce(context.Background(), []writers.RowSink{good, bad}, 1000)
	var p *PanicError
	if !errors.As(err, &p) || !strings.Contains(p.Where, "*pipeline.testSink") || len(p.Stack) == 0 {
		t.Fatalf("want a *PanicError naming the sink, got %v", err)
	}
	if sent > 5 {
		t.Fatalf("the producer went on for %d batches after a sink panicked", sent)
	}
}

func TestFanoutCancelStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	good := &testSink{}
	if _, err := produce(ctx, []writers.RowSink{good}, 1000); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if good.closed {
		t.Fatal("an interrupted fan-out finished its sinks' files")
	}
}

func TestFanoutDeliversEveryRow(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, b := &testSink{}, &testSink{}
	if _, err := produce(context.Background(), []writers.RowSink{a, b}, 50); err != nil {
		t.Fatal(err)
	}
	if a.rows != 50*batchSize || b.rows != 50*batchSize || !a.closed || !b.closed {
		t.Fatalf("rows %d, %d; closed %v, %v", a.rows, b.rows, a.closed, b.closed)
	}
}
