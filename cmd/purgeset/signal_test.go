//go:build unix

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The faults that need a process of their own: SIGINT and SIGTERM while reading and
// while writing a large input, and write errors on each output, made by a file size
// limit (RLIMIT_FSIZE), which binds root too, unlike permission bits. The child is this
// test binary re-executed (helper_test.go).

// watchBuffer collects a child's output and tells when a text has appeared in it.
type watchBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	seen   chan struct{}
	closed bool
}

func newWatchBuffer(want string) *watchBuffer {
	return &watchBuffer{want: want, seen: make(chan struct{})}
}

func (w *watchBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.closed && w.want != "" && strings.Contains(w.buf.String(), w.want) {
		w.closed = true
		close(w.seen)
	}
	return len(p), nil
}

func (w *watchBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestSignals sends SIGINT or SIGTERM while purgeset reads (as it logs "reading
// inputs", before any stage exists) and while it writes (once a file in the stage
// directory has received data). It waits on those events, never on a guessed time. Each must exit 130 with a message that says it was interrupted, leaving no
// set file, manifest, stage or spill: a new --out is removed, an old run's files under
// --force stay exactly as they were.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the signal tests read a million rows")
	}
	input := signalInput(t, t.TempDir(), 1_000_000)
	for _, c := range []struct {
		name    string
		sig     syscall.Signal
		writing bool
		oldRun  bool
	}{
		{"SIGINT while reading", syscall.SIGINT, false, false},
		{"SIGTERM while reading", syscall.SIGTERM, false, true},
		{"SIGINT while writing", syscall.SIGINT, true, false},
		{"SIGTERM while writing", syscall.SIGTERM, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, tmp := t.TempDir(), t.TempDir()
			out := filepath.Join(root, "out")
			args := []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--out", out}
			if c.oldRun {
				ftOldRun(t, out)
				args = append(args, "--force")
			}
			before := ftTree(t, root)
			watch := watchTree(t, root)
			stderr := newWatchBuffer("reading inputs")
			var stdout bytes.Buffer
			cmd := helperCommand(t, tmp, nil, append(args, input)...)
			cmd.Stdout, cmd.Stderr = &stdout, stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			select {
			case <-stderr.seen:
			case <-time.After(10 * time.Second):
				t.Fatalf("no %q from purgeset:\n%s", "reading inputs", stderr.String())
			}
			// A stage file that received data means rows are being written; any stage
			// at all before the reading signal means the reading case came too late.
			inStage := func(p string) bool { return strings.HasPrefix(filepath.Base(filepath.Dir(p)), ".purgeset-stage-") }
			if c.writing {
				if !watch.until(t, 30*time.Second, func(p string, modified bool) bool { return modified && inStage(p) }) {
					t.Fatalf("no stage file in %s received data\n%s", out, stderr.String())
				}
			} else if watch.until(t, 0, func(p string, _ bool) bool {
				return inStage(p) || strings.HasPrefix(filepath.Base(p), ".purgeset-stage-")
			}) {
				t.Fatalf("already writing when %q was logged", "reading inputs")
			}
			signalled := time.Since(start)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, cmd, 10*time.Second)
			t.Logf("signalled after %v, exit %d after %v more; stderr:\n%s", signalled.Round(time.Millisecond),
				code, (time.Since(start) - signalled).Round(time.Millisecond), stderr.String())
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d\nstdout:\n%s", code, exitInterrupted, stdout.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say that the run was interrupted")
			}
			if after := ftTree(t, root); after != before {
				t.Errorf("the output directory changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			ftNoLeftovers(t, tmp, root)
		})
	}
}

// randomText is n letters, which no compressor shrinks much.
func randomText(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// tomlList is a TOML array of plain strings.
func tomlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// TestWriteFaultFileTooLarge makes each file purgeset writes fail in turn: the child
// may write no file larger than a limit, and each case makes one file the first to
// pass it. Each must exit 1 with a message naming that file, and leave no output
// directory, stage or spill.
func TestWriteFaultFileTooLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	// Long directory names make decisions.csv, which repeats the input path on every
	// row, several times larger than the spill, which does not.
	deep := filepath.Join(dir, strings.Repeat("d", 60), strings.Repeat("e", 60), strings.Repeat("f", 60))
	os.MkdirAll(deep, 0o755)
	big := signalInput(t, deep, 20_000)
	small := ftWrite(t, filepath.Join(dir, "small.csv"), ftSafetyCSV)
	var groups []string
	for i := 0; i < 2000; i++ {
		groups = append(groups, "Group "+randomText(r, 100))
	}
	groupsConfig := ftWrite(t, filepath.Join(dir, "groups.toml"), "allow_unmatched = true\ngroups = "+tomlList(append(groups, "Alumni"))+"\n")
	// 300 extra columns with long names, kept in the archive: its footer repeats them.
	var extra []string
	for i := 0; i < 300; i++ {
		extra = append(extra, fmt.Sprintf("x%03d %s", i, randomText(r, 200)))
	}
	var wide strings.Builder
	wide.WriteString("Primary Identifier,User Group,Expiry Date," + strings.Join(extra, ",") + "\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&wide, "w%d,Alumni,2020-01-01%s\n", i, strings.Repeat(",", len(extra)))
	}
	wideInput := ftWrite(t, filepath.Join(dir, "wide.csv"), wide.String())
	archiveConfig := ftWrite(t, filepath.Join(dir, "archive.toml"), "archive_columns = "+tomlList(extra)+"\n")
	headerConfig := ftWrite(t, filepath.Join(dir, "header.toml"), fmt.Sprintf("set_header = %q\n", randomText(r, 300_000)))
	xlsxHeaderConfig := ftWrite(t, filepath.Join(dir, "xheader.toml"), fmt.Sprintf("set_header = %q\n", randomText(r, 30_000)))

	lean := []string{"--no-review", "--no-archive", "--set-format", "txt"}
	cases := []struct {
		name  string
		limit int
		file  string // the file the message must name
		args  []string
	}{
		{"spill", 256 << 10, "temporary file", append([]string{"--all-groups", big}, lean...)},
		{"decisions.csv", 2 << 20, "decisions.csv", append([]string{"--all-groups", big}, lean...)},
		{"set-001.txt", 64 << 10, "set-001.txt", append([]string{"--all-groups", "--config", headerConfig, small}, lean...)},
		{"set-001.xlsx", 8 << 10, "set-001.xlsx", []string{"--all-groups", "--config", xlsxHeaderConfig, "--no-review", "--no-archive", small}},
		{"review.html", 64 << 10, "review.html", []string{"--config", groupsConfig, "--no-archive", small}},
		{"manifest.json", 64 << 10, "manifest.json", append([]string{"--config", groupsConfig, small}, lean...)},
		{"archive.parquet", 32 << 10, "archive.parquet", []string{"--all-groups", "--config", archiveConfig, "--no-review", "--set-format", "txt", wideInput}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, tmp := t.TempDir(), t.TempDir()
			out := filepath.Join(root, "out")
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "--cutoff", "2024-07-01", "--out", out}, c.args...)
			cmd := helperCommand(t, tmp, []string{"PURGESET_HELPER_FSIZE=" + strconv.Itoa(c.limit)}, args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, cmd, 30*time.Second)
			msg := stderr.String()
			t.Logf("exit %d: %s", code, strings.TrimSpace(msg[strings.LastIndex(strings.TrimSpace(msg), "\n")+1:]))
			if code != exitFailure {
				t.Fatalf("exit %d, want %d\n%s", code, exitFailure, msg)
			}
			if !strings.Contains(msg, c.file) || !strings.Contains(msg, "file too large") {
				t.Errorf("the message does not name %s and the cause:\n%s", c.file, msg)
			}
			if _, err := os.Stat(out); err == nil {
				entries, _ := os.ReadDir(out)
				t.Errorf("the output directory is left, holding %v", ftNames(entries))
			}
			ftNoLeftovers(t, tmp, root)
		})
	}
}

// TestWriteFaultAnyLimit runs a full run (every output, both set formats) under
// file size limits from tiny to ample into an existing empty directory: each run
// either completes or fails with exit 1 leaving the directory empty, as it was.
func TestWriteFaultAnyLimit(t *testing.T) {
	input := signalInput(t, t.TempDir(), 20_000)
	failed, passed := 0, 0
	for _, limit := range []int{1 << 10, 16 << 10, 128 << 10, 1 << 20, 4 << 20, 64 << 20} {
		root, tmp := t.TempDir(), t.TempDir()
		out := filepath.Join(root, "out")
		os.Mkdir(out, 0o750)
		os.Chmod(out, 0o750)
		var stderr bytes.Buffer
		cmd := helperCommand(t, tmp, []string{"PURGESET_HELPER_FSIZE=" + strconv.Itoa(limit)},
			"run", "--cutoff", "2024-07-01", "--all-groups", "--set-format", "both", "--split", "3000", "--out", out, input)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		code := waitExit(t, cmd, 30*time.Second)
		t.Logf("limit %d: exit %d", limit, code)
		switch code {
		case exitOK:
			passed++
			if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
				t.Errorf("limit %d: exit 0 without a manifest: %v", limit, err)
			}
		case exitFailure:
			failed++
			if !strings.Contains(stderr.String(), "file too large") {
				t.Errorf("limit %d: the message does not give the cause:\n%s", limit, stderr.String())
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("limit %d: left in --out: %v", limit, ftNames(entries))
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o750 {
				t.Errorf("limit %d: --out gone or its mode changed: %v", limit, err)
			}
		default:
			t.Errorf("limit %d: exit %d\n%s", limit, code, stderr.String())
		}
		ftNoLeftovers(t, tmp, root)
	}
	if failed == 0 || passed == 0 {
		t.Errorf("%d runs failed and %d passed: the limits no longer span the outputs' sizes", failed, passed)
	}
}
