package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// TestRunWhileLocked: while another purgeset holds DIR's lock, run into DIR (new or
// with --force) is exit 2 with "another purgeset is writing DIR" and changes nothing;
// once released, the same command succeeds and the directory verifies.
func TestRunWhileLocked(t *testing.T) {
	for _, force := range []bool{false, true} {
		root := t.TempDir()
		out := filepath.Join(root, "out")
		args := sampleRunArgs(out)
		if force {
			if err := run(context.Background(), append(sampleRunArgs(out), sampleCSV), io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--force")
		}
		args = append(args, sampleCSV)
		lock, err := writers.LockOutDir(out)
		if err != nil {
			t.Fatal(err)
		}
		before := ftTree(t, root)
		var stderr bytes.Buffer
		err = run(context.Background(), args, io.Discard, &stderr)
		if code := exitCode(err); code != exitUsage || !strings.Contains(stderr.String(), "another purgeset is writing it") {
			t.Errorf("force=%v: exit %d, stderr %q; want exit 2, another purgeset is writing", force, code, stderr.String())
		}
		if after := ftTree(t, root); after != before {
			t.Errorf("force=%v: the directory changed under another's lock:\nbefore\n%s\nafter\n%s", force, before, after)
		}
		lock.Release()
		if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatalf("force=%v: after release: %v", force, err)
		}
		if _, err := os.Stat(filepath.Join(out, writers.LockName)); err == nil {
			t.Errorf("force=%v: the lock file is left in the run directory", force)
		}
		if err := run(context.Background(), []string{"verify", out}, io.Discard, io.Discard); err != nil {
			t.Errorf("force=%v: verify: %v", force, err)
		}
	}
}

// TestConcurrentRuns starts two runs into the same --out at once, 50 times (25 into a
// new directory, 25 with --force), each in its own process: with a new directory exactly one succeeds and the other is exit 2; with
// --force over an earlier run, a run that finds the other writing is exit 2 (both may
// succeed only one after the other). Every time, the directory verifies.
func TestConcurrentRuns(t *testing.T) {
	reps := 25
	if testing.Short() {
		reps = 3
	}
	tmp := t.TempDir()
	// Large enough that the two runs usually overlap, small enough for 200 runs.
	input := signalInput(t, t.TempDir(), 3_000)
	runArgs := func(out string) []string {
		return []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--no-review", "--out", out}
	}
	for _, force := range []bool{false, true} {
		busy := 0
		for i := range reps {
			root := t.TempDir()
			out := filepath.Join(root, "out")
			args := runArgs(out)
			if force {
				if err := run(context.Background(), append(runArgs(out), input), io.Discard, io.Discard); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--force")
			}
			args = append(args, input)
			var wg sync.WaitGroup
			codes := make([]int, 2)
			errs := make([]bytes.Buffer, 2)
			for j := range 2 {
				cmd := helperCommand(t, tmp, nil, args...)
				cmd.Stderr = &errs[j]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd.Wait()
					codes[j] = cmd.ProcessState.ExitCode()
				}()
			}
			wg.Wait()
			ok := 0
			for j, c := range codes {
				switch {
				case c == exitOK:
					ok++
				case c == exitUsage && strings.Contains(errs[j].String(), "another purgeset is writing"):
					busy++
				case c == exitUsage && !force && strings.Contains(errs[j].String(), "is not empty"):
					// the other had finished before this one looked
				default:
					t.Errorf("force=%v rep %d: exit %d\n%s", force, i, c, errs[j].String())
				}
			}
			if (!force && ok != 1) || ok == 0 {
				t.Errorf("force=%v rep %d: %d runs succeeded (exits %v)", force, i, ok, codes)
			}
			if err := run(context.Background(), []string{"verify", out}, io.Discard, io.Discard); err != nil {
				t.Errorf("force=%v rep %d: the directory does not verify: %v", force, i, err)
			}
		}
		t.Logf("force=%v: %d of %d repetitions overlapped (one run exit 2 busy)", force, busy, reps)
	}
}
