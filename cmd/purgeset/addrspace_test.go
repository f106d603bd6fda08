//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestAddressSpaceLimit runs purgeset in a child under ulimit -v 1048576 (1 GiB of
// address space, as batch hosts set it): the bundled sample with every output, and a
// million rows without archive and review page, must both succeed. (Below about
// 800 MB the Go runtime itself cannot start, before purgeset runs any code.)
func TestAddressSpaceLimit(t *testing.T) {
	if cgoBuild() {
		// Each thread cgo starts reserves an 8 MB pthread stack, and a loaded machine
		// starts more threads: the limit would then test the load, not purgeset.
		t.Skip("this test binary links cgo; the shipped binary does not: run it as make test does, with CGO_ENABLED=0")
	}
	cases := []struct {
		name string
		args func(t *testing.T, dir string) []string
	}{
		{"sample, every output", func(_ *testing.T, dir string) []string { return sampleArgs(filepath.Join(dir, "out")) }},
		{"1M rows, lean", func(t *testing.T, dir string) []string {
			if testing.Short() {
				t.Skip("-short: reads a million rows")
			}
			return []string{"run", "--quiet", "--cutoff", "2024-07-01", "--all-groups", "--no-archive", "--no-review",
				"--out", filepath.Join(dir, "out"), signalInput(t, dir, 1_000_000)}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"-c", `ulimit -v 1048576 && exec "$0" "$@"`, os.Args[0], "-test.run=^TestHelperProcess$", "--"}, c.args(t, dir)...)
			cmd := exec.Command("sh", args...)
			cmd.Env = append(os.Environ(), "PURGESET_HELPER=1", "TMPDIR="+t.TempDir())
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, cmd, 5*time.Minute); code != 0 {
				t.Fatalf("exit %d under ulimit -v 1048576:\n%s", code, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "out", "manifest.json")); err != nil {
				t.Errorf("no manifest after a successful run: %v", err)
			}
		})
	}
}

// cgoBuild reports whether this binary was built with cgo.
func cgoBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "CGO_ENABLED" {
				return s.Value == "1"
			}
		}
	}
	return false
}
