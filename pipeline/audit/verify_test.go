package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// verifyCSV has five included rows (two set parts of two and one with Split 2), and
// excluded rows of several reasons.
const verifyCSV = hdr +
	"e1,Alumni,Public,2020-01-01,2024-08-01\n" +
	"n1,Alumni,Public,2030-01-01,\n" +
	"e2,Undergraduate,Public,2021-03-04,\n" +
	"g1,Faculty,Public,2020-01-01,\n" +
	"e3,Alumni,Public,2019-12-31,\n" +
	" ,Alumni,Public,2019-12-31,\n" +
	"e4,Alumni,Public,2019-12-31,\n" +
	"e4,Alumni,Public,2019-12-31,\n" +
	"n2,Alumni,Public,2031-01-01,\n" +
	"e5,Alumni,Public,2018-01-01,\n"

// makeRunDir runs the pipeline on content and returns the output directory: set files
// in both formats, split 2, review page and archive, parameters as the CLI records them.
func makeRunDir(t *testing.T, content string, change func(*Config)) string {
	t.Helper()
	return runDirFor(t, writeFile(t, "in.csv", content), change)
}

// runDirFor is makeRunDir for an input file that exists.
func runDirFor(t *testing.T, input string, change func(*Config)) string {
	t.Helper()
	cfg := baseConfig(t, input)
	cfg.Output.Set = writers.SetOptions{Format: "both", Header: "USERNAME", Split: 2}
	cfg.Parameters = &writers.Parameters{Cutoff: "2024-07-01", Groups: cfg.Groups, RecordTypes: cfg.RecordTypes,
		MaxIncluded: -1, MaxIncludedPercent: -1, SetFormat: "both", SetHeader: "USERNAME", Split: 2}
	if change != nil {
		change(&cfg)
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return cfg.Output.Dir
}

// copyDir copies a run directory, so that each case tampers with its own copy.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "run")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// rehash records a file's new sha256 and size in the manifest, as someone covering
// their tracks would, so that only the content checks can catch the change.
func rehash(t *testing.T, dir, name string) {
	t.Helper()
	m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	found := false
	for i := range m.Outputs {
		if m.Outputs[i].Name == name {
			m.Outputs[i].SHA256, m.Outputs[i].Bytes, found = hex.EncodeToString(sum[:]), int64(len(b)), true
		}
	}
	if !found {
		t.Fatalf("%s is not in the manifest", name)
	}
	writeManifest(t, dir, m)
}

func writeManifest(t *testing.T, dir string, m *writers.Manifest) {
	t.Helper()
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, writers.ManifestName), out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces old with new exactly once in a file.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), old) != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", path, old, strings.Count(string(b), old))
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func verifyLines(t *testing.T, dir string) []string {
	t.Helper()
	v, err := Verify(context.Background(), dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var lines []string
	for _, m := range v.Mismatches {
		lines = append(lines, m.String())
	}
	return lines
}

func TestVerifyCleanRun(t *testing.T) {
	dir := makeRunDir(t, verifyCSV, nil)
	// Files that are not purgeset's are none of verify's business.
	os.WriteFile(filepath.Join(dir, ReconcileName), []byte("id,status,source,row\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("checked by A.\n"), 0o600)
	v, err := Verify(context.Background(), dir)
	if err != nil || !v.OK() {
		t.Fatalf("clean run: err %v, mismatches %v", err, v.Mismatches)
	}
	// archive, decisions, review, set-001..003 in two formats
	if v.Files != 9 || v.Rows != 10 {
		t.Fatalf("verified %d files, %d rows; want 9 files, 10 rows", v.Files, v.Rows)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	// other differs from clean in one included ID, read from the same path.
	input := writeFile(t, "in.csv", strings.Replace(verifyCSV, "e3,", "x3,", 1))
	other := runDirFor(t, input, nil)
	os.WriteFile(input, []byte(verifyCSV), 0o600)
	clean := runDirFor(t, input, nil)
	cases := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string // a line must contain this
	}{
		{"set xlsx byte", func(t *testing.T, d string) { flipByte(t, filepath.Join(d, "set-001.xlsx")) },
			"set-001.xlsx: sha256 differs from the manifest"},
		{"set txt byte", func(t *testing.T, d string) { flipByte(t, filepath.Join(d, "set-002.txt")) },
			"set-002.txt: sha256 differs from the manifest"},
		{"decisions byte", func(t *testing.T, d string) { flipByte(t, filepath.Join(d, "decisions.csv")) },
			"decisions.csv: sha256 differs from the manifest"},
		{"review byte", func(t *testing.T, d string) { flipByte(t, filepath.Join(d, "review.html")) },
			"review.html: sha256 differs from the manifest"},
		{"archive byte", func(t *testing.T, d string) { flipByte(t, filepath.Join(d, "archive.parquet")) },
			"archive.parquet: sha256 differs from the manifest"},
		{"manifest count", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "manifest.json"), `"included": 5,
    "excluded": 5,`, `"included": 6,
    "excluded": 5,`)
		}, "manifest.json: counts.included is 6, but decisions.csv includes 5 rows"},
		{"manifest ids", func(t *testing.T, d string) {
			m, _ := writers.ReadManifest(filepath.Join(d, writers.ManifestName))
			for i := range m.Outputs {
				if m.Outputs[i].Name == "set-003.txt" {
					n := 2
					m.Outputs[i].IDs = &n
				}
			}
			writeManifest(t, d, m)
		}, "set-003.txt: holds 1 IDs, but manifest.json says 2"},
		{"deleted set file", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "set-002.xlsx")) },
			"set-002.xlsx: listed in the manifest but missing"},
		{"stray set file", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "set-009.txt"), []byte("USERNAME\nx9\n"), 0o600)
		}, "set-009.txt: not listed in the manifest"},
		{"included reason edited", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "decisions.csv"), ",2,e1,Alumni,2020-01-01,included,expired,", ",2,e1,Alumni,2020-01-01,included,not_expired,")
			rehash(t, d, "decisions.csv")
		}, "decisions.csv: line 2 (" /* … row 2): decision included with reason not_expired */},
		{"excluded reason edited", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "decisions.csv"), ",3,n1,Alumni,2030-01-01,excluded,not_expired,", ",3,n1,Alumni,2030-01-01,excluded,bad_date,")
			rehash(t, d, "decisions.csv")
		}, "manifest.json: counts.excluded_by_reason.bad_date is 0, but decisions.csv excludes 1 rows with it"},
		{"unknown reason", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "decisions.csv"), ",excluded,group_not_selected,", ",excluded,too_old,")
			rehash(t, d, "decisions.csv")
		}, `reason "too_old" is not a reason code`},
		{"set order", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "set-001.txt"), "e1\ne2\n", "e2\ne1\n")
			rehash(t, d, "set-001.txt")
		}, "set-001.txt: row 2 holds another ID than included row 1 of decisions.csv"},
		{"set part short", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "set-001.txt"), "e1\ne2\n", "e1\n")
			rehash(t, d, "set-001.txt")
			m, _ := writers.ReadManifest(filepath.Join(d, writers.ManifestName))
			for i := range m.Outputs {
				if m.Outputs[i].Name == "set-001.txt" {
					n := 1
					m.Outputs[i].IDs = &n
				}
			}
			writeManifest(t, d, m)
		}, "set-001.txt: holds 1 IDs, but parameters.split is 2"},
		{"set header", func(t *testing.T, d string) {
			editFile(t, filepath.Join(d, "set-003.txt"), "USERNAME\n", "Primary ID\n")
			rehash(t, d, "set-003.txt")
		}, `set-003.txt: the first line is not the set header "USERNAME"`},
		{"set xlsx from another run", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(other, "set-002.xlsx"))
			os.WriteFile(filepath.Join(d, "set-002.xlsx"), b, 0o600)
			rehash(t, d, "set-002.xlsx")
		}, "set-002.xlsx: row 2 holds another ID than included row 3 of decisions.csv"},
		{"archive from another run", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(other, "archive.parquet"))
			os.WriteFile(filepath.Join(d, "archive.parquet"), b, 0o600)
			rehash(t, d, "archive.parquet")
		}, "archive.parquet: record 5 (" /* in.csv row 6) differs from decisions.csv line 6 in id */},
		{"archive unlisted", func(t *testing.T, d string) {
			m, _ := writers.ReadManifest(filepath.Join(d, writers.ManifestName))
			var keep []writers.Output
			for _, o := range m.Outputs {
				if o.Name != writers.ArchiveName {
					keep = append(keep, o)
				}
			}
			m.Outputs = keep
			writeManifest(t, d, m)
			os.Remove(filepath.Join(d, writers.ArchiveName))
		}, "manifest.json: does not list archive.parquet, but parameters.no_archive is false"},
		{"manifest missing", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "manifest.json")) },
			"no manifest.json: not a complete purgeset run"},
		{"manifest lists a foreign file", func(t *testing.T, d string) {
			m, _ := writers.ReadManifest(filepath.Join(d, writers.ManifestName))
			m.Outputs = append(m.Outputs, writers.Output{Name: "../in.csv"})
			writeManifest(t, d, m)
		}, `manifest.json: lists "../in.csv" among the outputs, which is not a file purgeset writes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, clean)
			c.tamper(t, dir)
			lines := verifyLines(t, dir)
			for _, l := range lines {
				if strings.Contains(l, c.want) {
					return
				}
			}
			t.Fatalf("no line contains %q; lines:\n%s", c.want, strings.Join(lines, "\n"))
		})
	}
}

// TestVerifyRehashedEditsAreCaughtByContent makes sure that the content checks, not
// the hashes, caught the rehashed edits: no line may blame a hash.
func TestVerifyRehashedEditsAreCaughtByContent(t *testing.T) {
	dir := copyDir(t, makeRunDir(t, verifyCSV, nil))
	editFile(t, filepath.Join(dir, "decisions.csv"), ",2,e1,Alumni,2020-01-01,included,expired,", ",2,e1,Alumni,2020-01-01,excluded,expired,")
	rehash(t, dir, "decisions.csv")
	lines := verifyLines(t, dir)
	if len(lines) == 0 {
		t.Fatal("an included row turned excluded passed verify")
	}
	for _, l := range lines {
		if strings.Contains(l, "sha256") {
			t.Errorf("a hash line after rehashing: %s", l)
		}
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{
		"decisions.csv: line 2 (",
		"decision excluded with reason expired",
		"set-003.txt: the .txt set files hold 5 IDs, but decisions.csv includes 4 rows",
		"set-001.txt: row 2 holds another ID than included row 1 of decisions.csv (",
		"manifest.json: counts.included is 5, but decisions.csv includes 4 rows",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no line contains %q; lines:\n%s", want, joined)
		}
	}
}

func TestVerifyNothingIncluded(t *testing.T) {
	dir := makeRunDir(t, hdr+"n1,Alumni,Public,2030-01-01,\n", nil)
	if lines := verifyLines(t, dir); len(lines) != 0 {
		t.Fatalf("a run with no set file: %v", lines)
	}
	// A set file appearing later is caught even when the manifest lists it.
	d := copyDir(t, dir)
	os.WriteFile(filepath.Join(d, "set-001.txt"), []byte("USERNAME\nn1\n"), 0o600)
	if lines := verifyLines(t, d); len(lines) == 0 {
		t.Fatal("stray set file in a run without set files passed")
	}
}
