package main

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/purgeset/purgeset/fixtures/gen"
)

// Tests that need a process of their own (signals, locks, inputs that could hang) run
// this test binary again as the child: TestHelperProcess runs purgeset as main does.

// TestHelperProcess is not a test: in a child started by helperCommand it runs the
// command line after "--" as main does, under the file size limit PURGESET_HELPER_FSIZE
// (bytes) when set (POSIX only: helper_unix_test.go), and exits with purgeset's exit code.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("PURGESET_HELPER") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	if s := os.Getenv("PURGESET_HELPER_FSIZE"); s != "" {
		limitFileSize(s)
	}
	// On Windows, closing the console window or logging off arrives as SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, args, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// helperCommand is the child running purgeset with args, the temporary directory (where
// the spill goes) set to tmp (TMPDIR on POSIX, TMP and TEMP on Windows) and extra
// environment.
func helperCommand(t *testing.T, tmp string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "PURGESET_HELPER=1", "TMPDIR="+tmp, "TMP="+tmp, "TEMP="+tmp)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// waitExit waits for the child at most d and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("purgeset did not exit within %v", d)
	}
	return cmd.ProcessState.ExitCode()
}

// signalInput is a generated export of rows rows (a million: about 2.5 s to read and 1.5 s
// to write on one core, so that a signal lands well inside either pass).
func signalInput(t *testing.T, dir string, rows int) string {
	t.Helper()
	p := filepath.Join(dir, "users.csv")
	if err := gen.WriteFile(p, gen.Options{Rows: rows, Seed: 1, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	return p
}
