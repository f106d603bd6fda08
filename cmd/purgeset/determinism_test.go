package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

const repo = "../.."

// sampleArgs is the bundled sample run with every output.
func sampleArgs(out string, extra ...string) []string {
	args := []string{"run", "--quiet", "--cutoff", "2024-07-01", "--group", "Undergraduate", "--group", "Graduates 2021",
		"--group", "Alumni", "--protect", repo + "/fixtures/protect-fines.csv", "--set-format", "both", "--split", "50",
		"--out", out}
	return append(append(args, extra...), repo+"/fixtures/users-sample.csv", repo+"/fixtures/users-sample.xlsx")
}

// TestDeterministic runs the same job twice and compares every output byte for byte;
// the manifest may differ only in its created time, which SOURCE_DATE_EPOCH fixes.
func TestDeterministic(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1719792000")
	// The same --out both times: it is an option, shown on the review page.
	out := filepath.Join(t.TempDir(), "out")
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	for _, d := range dirs {
		if err := run(context.Background(), sampleArgs(out), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(out, d); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadDir(dirs[0])
	b, _ := os.ReadDir(dirs[1])
	if len(a) != len(b) || len(a) < 8 {
		t.Fatalf("outputs differ in number or are too few: %d and %d files", len(a), len(b))
	}
	for _, e := range a {
		x, _ := os.ReadFile(filepath.Join(dirs[0], e.Name()))
		y, err := os.ReadFile(filepath.Join(dirs[1], e.Name()))
		if err != nil {
			t.Fatalf("%s missing from the second run", e.Name())
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two identical runs", e.Name())
		}
	}
}

// TestPermissions: outputs hold personal data.
func TestPermissions(t *testing.T) {
	out := filepath.Join(t.TempDir(), "new")
	if err := run(context.Background(), sampleArgs(out), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(out)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("created --out has mode %v, want 0700", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		fi, _ := os.Stat(filepath.Join(out, e.Name()))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	existing := filepath.Join(t.TempDir(), "existing")
	os.Mkdir(existing, 0o750)
	os.Chmod(existing, 0o750)
	if err := run(context.Background(), sampleArgs(existing), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(existing); fi.Mode().Perm() != 0o750 {
		t.Errorf("an existing empty --out changed mode to %v", fi.Mode().Perm())
	}
}

// TestDryRunWritesNothing: the summary, and no directory at all.
func TestDryRunWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dry")
	var stdout bytes.Buffer
	args := sampleArgs(out, "--dry-run")
	args = append(args[:1], args[2:]...) // without --quiet, to see the summary
	if err := run(context.Background(), args, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("--dry-run created %s", out)
	}
	if !bytes.Contains(stdout.Bytes(), []byte("dry run: nothing was written")) || !bytes.Contains(stdout.Bytes(), []byte("included")) {
		t.Fatalf("summary missing:\n%s", stdout.String())
	}
}
