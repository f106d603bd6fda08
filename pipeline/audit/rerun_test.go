package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

var rerunCreated = time.Date(2024, 7, 2, 9, 30, 0, 0, time.UTC)

// rerunRunDir runs input as `run` would, building the Config from typed parameters:
// txt set files (split 2), no archive (so that a forgery need edit no parquet), the
// review page. It returns DIR.
func rerunRunDir(t *testing.T, input string) string {
	t.Helper()
	p := &writers.Parameters{Cutoff: "2024-07-01", Groups: []string{"Undergraduate", "Alumni"}, RecordTypes: []string{"Public"},
		AllowUnmatched: true, MaxIncluded: -1, MaxIncludedPercent: -1, SetFormat: "txt", SetHeader: "USERNAME", Split: 2,
		NoArchive: true, Columns: map[string]string{}, Operator: "tester", Inputs: []string{input}}
	cfg, err := pipeline.FromParameters(p, rerunCreated)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TempDir = t.TempDir()
	cfg.Output = pipeline.Output{Dir: filepath.Join(t.TempDir(), "out"), Created: rerunCreated, NoArchive: true,
		Set:  writers.SetOptions{Format: "txt", Header: "USERNAME", Split: 2},
		Tool: writers.Tool{Name: "purgeset", Version: "test", Go: "go-test"}}
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return cfg.Output.Dir
}

func rerun(t *testing.T, dir string) *Verification {
	t.Helper()
	v, err := Rerun(context.Background(), dir, RerunOptions{Tool: writers.Tool{Name: "purgeset", Version: "test"}})
	if err != nil {
		t.Fatalf("Rerun: %v", err)
	}
	return v
}

func TestRerunUntouchedPasses(t *testing.T) {
	dir := rerunRunDir(t, writeFile(t, "in.csv", verifyCSV))
	v := rerun(t, dir)
	if !v.OK() || !v.Rerun || v.Compared != 6 { // decisions, review, 3 set files, manifest
		t.Fatalf("untouched run: ok=%v rerun=%v compared=%d %v", v.OK(), v.Rerun, v.Compared, v.Mismatches)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, RerunPrefix+"*")); len(left) > 0 {
		t.Fatalf("the private stage was left behind: %v", left)
	}
}

// A consistent forgery: another person's ID in place of an included one, in
// decisions.csv and the set file, with the manifest's hashes, run ID and the review
// page's run ID all made to agree. Plain verify passes it; --rerun does not.
func TestRerunCatchesConsistentForgery(t *testing.T) {
	dir := rerunRunDir(t, writeFile(t, "in.csv", verifyCSV))
	m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	oldShort := writers.ShortRunID(m.RunID)
	editFile(t, filepath.Join(dir, writers.DecisionsName), ",e1,", ",z9,")
	editFile(t, filepath.Join(dir, "set-001.txt"), "\ne1\n", "\nz9\n")
	rehash(t, dir, writers.DecisionsName)
	rehash(t, dir, "set-001.txt")
	m, err = writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID, err = writers.RunID(m.Outputs); err != nil {
		t.Fatal(err)
	}
	writeManifest(t, dir, m)
	review := filepath.Join(dir, writers.ReviewName)
	b, _ := os.ReadFile(review)
	if err := os.WriteFile(review, []byte(strings.ReplaceAll(string(b), oldShort, writers.ShortRunID(m.RunID))), 0o600); err != nil {
		t.Fatal(err)
	}
	rehash(t, dir, writers.ReviewName)

	plain, err := Verify(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !plain.OK() {
		t.Fatalf("the forgery is not consistent: plain verify finds %v", plain.Mismatches)
	}
	v := rerun(t, dir)
	if v.OK() {
		t.Fatal("verify --rerun passed a forged decisions.csv and set file")
	}
	want := map[string]string{writers.DecisionsName: "first at line 2", "set-001.txt": "first at line 2"}
	for _, mm := range v.Mismatches {
		if strings.Contains(mm.Problem, "z9") || strings.Contains(mm.Problem, "e1") {
			t.Errorf("a finding quotes an ID: %s", mm)
		}
		if w, ok := want[mm.File]; ok && strings.Contains(mm.Problem, w) {
			delete(want, mm.File)
		}
	}
	if len(want) > 0 {
		t.Errorf("no finding for %v in %v", want, v.Mismatches)
	}
}

func TestRerunChangedInputIsMismatch(t *testing.T) {
	in := writeFile(t, "in.csv", verifyCSV)
	dir := rerunRunDir(t, in)
	if err := os.WriteFile(in, []byte(verifyCSV+"e6,Alumni,Public,2018-01-01,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := rerun(t, dir)
	if v.OK() || v.Rerun {
		t.Fatalf("a changed input passed: %v", v.Mismatches)
	}
	if v.Mismatches[0].File != in || !strings.Contains(v.Mismatches[0].Problem, "sha256 differs") {
		t.Fatalf("want a finding naming the input, got %v", v.Mismatches)
	}
}

// Paths are resolved as the manifest records them, relative to the current
// directory: from elsewhere, a relative input is missing, which is exit 3 (an input
// problem), not a mismatch and not a crash.
func TestRerunResolvesRecordedPathsFromCwd(t *testing.T) {
	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, "in.csv"), []byte(verifyCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(base)
	dir := rerunRunDir(t, "in.csv")
	if v := rerun(t, dir); !v.OK() {
		t.Fatalf("from the run's directory: %v", v.Mismatches)
	}
	t.Chdir(t.TempDir())
	_, err := Rerun(context.Background(), dir, RerunOptions{})
	var pe *readers.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, readers.ErrInput) || pe.File != "in.csv" {
		t.Fatalf("a missing input: want a ParseError naming in.csv, got %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, RerunPrefix+"*")); len(left) > 0 {
		t.Fatalf("the private stage was left behind: %v", left)
	}
}

// An edited parameter that plain verify cannot see (the set header) is caught.
func TestRerunCatchesEditedParameter(t *testing.T) {
	dir := rerunRunDir(t, writeFile(t, "in.csv", verifyCSV))
	m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m.Parameters.Operator = "someone else"
	writeManifest(t, dir, m)
	if v, _ := Verify(context.Background(), dir); !v.OK() {
		t.Skipf("plain verify already catches it: %v", v.Mismatches)
	}
	v := rerun(t, dir)
	if v.OK() {
		t.Fatal("verify --rerun passed an edited operator")
	}
}
