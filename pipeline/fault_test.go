package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/purgeset/purgeset/fixtures/gen"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// Faults inside Run: the spill cannot be made, the output directory cannot be made,
// a rename into place fails, and a cancellation at every point where Run looks at its
// context. Each must end in an error and leave no output, no stage and no spill.

// faultConfig is a run over n generated rows, spilling into its own directory.
func faultConfig(t *testing.T, rows int) Config {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "users.csv")
	if err := gen.WriteFile(in, gen.Options{Rows: rows, Seed: 1, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	spill := filepath.Join(dir, "tmp")
	if err := os.Mkdir(spill, 0o700); err != nil {
		t.Fatal(err)
	}
	cut, _ := ParseISODate("2024-07-01")
	return Config{
		Inputs: []string{in}, Cutoff: cut, AllGroups: true, RecordTypes: []string{"Public"},
		MaxIncluded: -1, MaxIncludedPct: -1, TempDir: spill,
		Output: Output{Dir: filepath.Join(dir, "out"), Set: writers.SetOptions{Format: "both", Header: "USERNAME", Split: 3000}},
	}
}

// faultNothingLeft checks that a failed run left no output directory (it did not exist
// before) and no temporary file.
func faultNothingLeft(t *testing.T, cfg Config) {
	t.Helper()
	if _, err := os.Stat(cfg.Output.Dir); !errors.Is(err, os.ErrNotExist) {
		entries, _ := os.ReadDir(cfg.Output.Dir)
		t.Errorf("the output directory is left behind, holding %v", names(entries))
	}
	faultNoSpill(t, cfg)
}

func faultNoSpill(t *testing.T, cfg Config) {
	t.Helper()
	if entries, err := os.ReadDir(cfg.TempDir); err == nil && len(entries) > 0 {
		t.Errorf("temporary files left behind: %v", names(entries))
	}
}

func names(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestRunFaultSpillCannotBeCreated(t *testing.T) {
	for _, c := range []struct{ name, dir string }{
		{"missing directory", "missing"},
		{"a file", "file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := faultConfig(t, 100)
			cfg.TempDir = filepath.Join(cfg.TempDir, c.dir)
			if c.dir == "file" {
				os.WriteFile(cfg.TempDir, nil, 0o600)
			}
			_, err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), "temporary file") || errors.Is(err, readers.ErrInput) {
				t.Fatalf("err = %v, want a runtime failure about the temporary file", err)
			}
			faultNothingLeft(t, cfg)
		})
	}
}

func TestRunFaultOutputDirCannotBeCreated(t *testing.T) {
	cfg := faultConfig(t, 100)
	file := filepath.Join(filepath.Dir(cfg.Output.Dir), "file")
	os.WriteFile(file, []byte("x"), 0o600)
	cfg.Output.Dir = filepath.Join(file, "out")
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "directory") || !strings.Contains(err.Error(), cfg.Output.Dir) {
		t.Fatalf("err = %v, want a failure to create the output or staging directory, naming it", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "x" {
		t.Error("the file in the way was changed")
	}
	faultNoSpill(t, cfg)
}

// TestRunFaultRenameIntoPlace: a directory named like an output stands in --out (as
// after --force), so moving that output into place fails at the very end. The run must
// fail naming the file and leave --out as it was: no output, no manifest, no stage.
func TestRunFaultRenameIntoPlace(t *testing.T) {
	cfg := faultConfig(t, 2000)
	if err := os.MkdirAll(filepath.Join(cfg.Output.Dir, "set-001.xlsx", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "set-001.xlsx") {
		t.Fatalf("err = %v, want a failure naming set-001.xlsx", err)
	}
	entries, _ := os.ReadDir(cfg.Output.Dir)
	if got := names(entries); len(got) != 1 || got[0] != "set-001.xlsx" {
		t.Errorf("after a failed commit the output directory holds %v, want only the directory in the way", got)
	}
	faultNoSpill(t, cfg)
}

// cancelAfter is a context that reports itself cancelled from the n-th call of Err on:
// a deterministic interruption at each point where Run looks.
type cancelAfter struct {
	context.Context
	mu    sync.Mutex
	left  int
	calls int
	done  chan struct{}
	once  sync.Once
}

func newCancelAfter(n int) *cancelAfter {
	return &cancelAfter{Context: context.Background(), left: n, done: make(chan struct{})}
}

func (c *cancelAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.left <= 0 {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	c.left--
	return nil
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

// TestRunCancelledAtEveryCheckpoint interrupts a run at its first, second, … look at
// the context, through reading and writing, until a run gets through: every
// interrupted run returns context.Canceled and leaves nothing.
func TestRunCancelledAtEveryCheckpoint(t *testing.T) {
	cfg := faultConfig(t, 20000)
	for n := 0; ; n++ {
		if n > 200 {
			t.Fatal("still interrupted after 200 looks at the context")
		}
		ctx := newCancelAfter(n)
		_, err := Run(ctx, cfg)
		if err == nil {
			if n < 7 {
				t.Fatalf("the run looked at its context only %d times: too few to interrupt reading and writing", n)
			}
			if _, err := os.Stat(filepath.Join(cfg.Output.Dir, writers.ManifestName)); err != nil {
				t.Fatal(err)
			}
			faultNoSpill(t, cfg)
			t.Logf("interrupted at each of %d checkpoints", n)
			return
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted at check %d: err = %v, want context.Canceled", n, err)
		}
		faultNothingLeft(t, cfg)
		if t.Failed() {
			t.Fatalf("interrupted at check %d", n)
		}
	}
}
