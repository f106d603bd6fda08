package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForceNeverReplacesWhatItReads: --force into a directory where an input, a protect
// list or the config file sits under an output's name is exit 2 before anything is
// read, and that file stays as it was.
func TestForceNeverReplacesWhatItReads(t *testing.T) {
	sample, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	protect, err := os.ReadFile(sampleProtect)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args func(out, file string) []string
		body []byte
	}{
		{"decisions.csv", func(out, f string) []string { return append(sampleRunArgs(out), "--force", f) }, sample},
		{"set-001.txt", func(out, f string) []string {
			return []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--protect", f, "--out", out, "--force", sampleCSV}
		}, protect},
		{"review.html", func(out, f string) []string {
			return []string{"run", "--config", f, "--out", out, "--force", sampleCSV}
		}, []byte("cutoff = \"2024-07-01\"\nall_groups = true\n")},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			if err := os.MkdirAll(out, 0o700); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(out, c.name)
			if err := os.WriteFile(file, c.body, 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err := run(context.Background(), c.args(out, file), io.Discard, &stderr)
			if code := exitCode(err); code != exitUsage || !strings.Contains(stderr.String(), "this run reads") {
				t.Errorf("exit %d, want 2 saying the run reads it\n%s", code, stderr.String())
			}
			if got, _ := os.ReadFile(file); !bytes.Equal(got, c.body) {
				t.Errorf("%s was changed", c.name)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 1 {
				t.Errorf("the directory holds %d entries, want only %s", len(entries), c.name)
			}
		})
	}
}

// TestNotRegularFiles: a FIFO, a directory or /dev/zero as input, protect list or config
// is exit 3 at once with "save the export to a file", never a hang.
func TestNotRegularFiles(t *testing.T) {
	dir := t.TempDir()
	bads := []string{dir, "/dev/zero"}
	fifo := filepath.Join(dir, "users.csv")
	if err := mkfifo(fifo); err != nil {
		t.Logf("FIFO case skipped: %v", err)
	} else {
		bads = append(bads, fifo)
	}
	for _, bad := range bads {
		for _, c := range []struct {
			role string
			args []string
		}{
			{"input", []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--dry-run", bad}},
			{"protect", []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--dry-run", "--protect", bad, sampleCSV}},
			{"config", []string{"run", "--config", bad, "--dry-run", sampleCSV}},
			{"inspect", []string{"inspect", bad}},
		} {
			if _, err := os.Stat(bad); err != nil {
				continue
			}
			cmd := helperCommand(t, t.TempDir(), nil, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, cmd, 20*time.Second)
			if code != exitInput || !strings.Contains(stderr.String(), "save the export to a file") {
				t.Errorf("%s %s: exit %d, want 3 with what to do\n%s", c.role, bad, code, stderr.String())
			}
		}
	}
}

// TestConfigTooLarge: a config file over the cap is exit 3 before it is parsed.
func TestConfigTooLarge(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "big.toml")
	big := "cutoff = \"2024-07-01\"\nall_groups = true\n" + strings.Repeat("# padding\n", maxConfigBytes/10+1)
	if err := os.WriteFile(cfg, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"run", "--config", cfg, "--dry-run", sampleCSV}, io.Discard, &stderr)
	if code := exitCode(err); code != exitInput || !strings.Contains(stderr.String(), "larger than") {
		t.Errorf("exit %d, want 3 saying it is too large\n%s", code, stderr.String())
	}
	if err := os.WriteFile(cfg, []byte(big[:maxConfigBytes]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"run", "--config", cfg, "--dry-run", "--quiet", sampleCSV}, io.Discard, io.Discard); err != nil {
		t.Errorf("a config file of exactly the cap: %v", err)
	}
}
