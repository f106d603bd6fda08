package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The runner of the bad-input catalogue (see bad_cases_test.go).

// TestBadInputs runs every case of the catalogue through run, in a fresh directory.
func TestBadInputs(t *testing.T) {
	kinds := 0
	for _, c := range badCases {
		if c.skip == "" {
			kinds++
		}
	}
	if kinds < 35 {
		t.Errorf("the catalogue has %d runnable kinds, want at least 35", kinds)
	}
	fixtures, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		if f.Name() != "README.md" && !badFixtureUsed[f.Name()] {
			t.Errorf("%s/%s is not used by any case", badDir, f.Name())
		}
	}
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) { runBad(t, c) })
	}
}

func runBad(t *testing.T, c badCase) {
	if c.skip != "" {
		t.Skip("known bug: " + c.skip)
	}
	if c.unprivileged && asNobody(t) {
		return
	}
	dir := t.TempDir()
	inputs := map[string][]byte{}
	for _, in := range c.inputs {
		b := in.data(t) // before Chdir: fixtures are relative to the package
		inputs[in.name] = b
		if err := os.WriteFile(filepath.Join(dir, in.name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tmp := filepath.Join(dir, "tmp") // the spill goes here: it must not outlive the run
	badMust(t, os.Mkdir(tmp, 0o700))
	t.Setenv("TMPDIR", tmp)
	if c.setup != nil {
		c.setup(t)
	}
	out := "out"
	for i, a := range c.args {
		if a == "--out" && i+1 < len(c.args) {
			out = c.args[i+1]
		}
	}
	before := badSnapshot(t, out)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, c.args, &stdout, &stderr)
	code := exitCode(err)
	if code != c.exit {
		t.Errorf("exit code %d, want %d (error: %v)\nstderr:\n%s", code, c.exit, err, stderr.String())
	}
	for _, f := range c.stderr {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("stderr lacks %q:\n%s", f, stderr.String())
		}
	}
	for _, f := range c.hidden {
		if strings.Contains(stderr.String(), f) {
			t.Errorf("stderr shows %q, which may be an ID, though it is not a terminal:\n%s", f, stderr.String())
		}
	}
	// Nothing temporary is left anywhere: no stage, no temporary file, no spill.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".purgeset-") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("left behind in TMPDIR: %v", entries)
	}
	// The inputs are never touched.
	for name, b := range inputs {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err == nil && !bytes.Equal(got, b) {
			t.Errorf("input %s was changed", name)
		}
	}
	if c.exit != 0 {
		if after := badSnapshot(t, out); after != before {
			t.Errorf("--out changed on error:\nbefore: %s\nafter:  %s", before, after)
		}
		if c.rows != nil {
			t.Error("a failing case lists row decisions")
		}
		return
	}
	if code != 0 {
		return
	}
	got, details := badDecisions(t, filepath.Join(out, "decisions.csv"))
	if strings.Join(got, "\n") != strings.Join(c.rows, "\n") {
		t.Errorf("decisions:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.rows, "\n  "))
	}
	for _, d := range c.detail {
		row, text, _ := strings.Cut(d, ": ")
		if !strings.Contains(details[row], text) {
			t.Errorf("row %s: detail %q lacks %q", row, details[row], text)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Errorf("no manifest: %v", err)
	}
}

// badSnapshot describes what is at path: nothing, a file's hash, or a directory's entries
// with their hashes.
func badSnapshot(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		return "absent"
	}
	if !fi.IsDir() {
		b, _ := os.ReadFile(path)
		return fmt.Sprintf("file %x", sha256.Sum256(b))
	}
	var parts []string
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == path {
			return nil
		}
		s := p + "/"
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			s = fmt.Sprintf("%s %x", p, sha256.Sum256(b))
		}
		parts = append(parts, s)
		return nil
	})
	return fmt.Sprintf("dir %v", parts)
}

// badDecisions is "ROW REASON" for each line of decisions.csv, and each row's detail.
func badDecisions(t *testing.T, path string) ([]string, map[string]string) {
	t.Helper()
	recs := readCSV(t, path)
	if len(recs) == 0 || strings.Join(recs[0], ",") != "source,row,id,user_group,expiry_date,decision,reason,detail" {
		t.Fatalf("decisions.csv header %v", recs)
	}
	var out []string
	details := map[string]string{}
	for _, r := range recs[1:] {
		out = append(out, r[1]+" "+r[6])
		details[r[1]] = r[7]
	}
	return out, details
}
