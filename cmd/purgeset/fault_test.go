package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Faults, out-dir hygiene and safety nets through the CLI, in-process: every refusal
// has its exit code and message, and leaves the output directory as it was, with no
// stage and no spill anywhere. The faults that need a process of their own (signals,
// a file size limit) are in signal_test.go.

// ftRun runs one command line in-process, with the spill going to a fresh TMPDIR; it
// returns the exit code, stdout, stderr and that TMPDIR.
func ftRun(t *testing.T, args ...string) (int, string, string, string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return exitCode(err), stdout.String(), stderr.String(), tmp
}

// ftSafetyCSV has 10 data rows of which 4 are included (--cutoff 2024-07-01).
const ftSafetyCSV = "Primary Identifier,User Group,User Record Type,Expiry Date\n" +
	"e1,Alumni,Public,2020-01-01\ne2,Alumni,Public,2020-01-01\ne3,Alumni,Public,2021-01-01\ne4,Alumni,Public,2022-01-01\n" +
	"n1,Alumni,Public,2030-01-01\nn2,Alumni,Public,2030-01-01\nn3,Alumni,Public,2030-01-01\n" +
	"n4,Alumni,Public,2030-01-01\nn5,Alumni,Public,2030-01-01\nn6,Alumni,Staff,2020-01-01\n"

func ftWrite(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ftTree is everything under dir: path and mode, and for files size, modification
// time and content. Two equal trees mean nothing was touched.
func ftTree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		// A directory's size and time change when a stage comes and goes inside it.
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %d %d %s", fi.Size(), fi.ModTime().UnixNano(), b)
		}
		lines = append(lines, line)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return "(absent)"
	}
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// ftNoLeftovers fails when the temporary directory holds anything (a spill) or any
// .purgeset-stage-* directory is under root.
func ftNoLeftovers(t *testing.T, tmp, root string) {
	t.Helper()
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("temporary files left in TMPDIR: %v", ftNames(entries))
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".purgeset-") {
			t.Errorf("%s left behind", p)
		}
		return nil
	})
}

func ftNames(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// ftOldRun is an --out holding an earlier run's files and a note of the librarian's.
func ftOldRun(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"set-001.xlsx", "set-002.xlsx", "set-003.xlsx", "decisions.csv", "manifest.json", "review.html", "archive.parquet"} {
		ftWrite(t, filepath.Join(dir, name), "old "+name+"\n")
	}
	ftWrite(t, filepath.Join(dir, "notes.txt"), "keep me\n")
	past := time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir {
			os.Chtimes(p, past, past)
		}
		return nil
	})
}

// TestOutDirRefusedBeforeAnyWork: an --out that is a file, one of the inputs, or a
// non-empty directory without --force is a usage error (exit 2), checked with the
// other options before any input is read (SPEC §1 and §6: usage errors are about the
// command line): with an input that does not exist, the --out problem is reported,
// not the input's (exit 3).
func TestOutDirRefusedBeforeAnyWork(t *testing.T) {
	root := t.TempDir()
	input := ftWrite(t, filepath.Join(root, "users.csv"), ftSafetyCSV)
	missing := filepath.Join(root, "no-such-export.csv")
	file := ftWrite(t, filepath.Join(root, "report.txt"), "not a directory\n")
	full := filepath.Join(root, "full")
	ftOldRun(t, full)
	base := []string{"run", "--cutoff", "2024-07-01", "--all-groups"}
	cases := []struct {
		name string
		args []string
		exit int
		want []string // parts of stderr
	}{
		{"a file", []string{"--out", file, missing}, 2, []string{"is a file", "name a new directory"}},
		{"a file, with --force", []string{"--out", file, "--force", missing}, 2, []string{"is a file"}},
		{"one of the inputs", []string{"--out", input, input}, 2, []string{"is one of the inputs"}},
		{"one of the inputs, with --force", []string{"--out", input, "--force", missing, input}, 2, []string{"is one of the inputs"}},
		{"a non-empty directory", []string{"--out", full, missing}, 2, []string{"is not empty", "--force"}},
		{"below a file", []string{"--out", filepath.Join(file, "out"), missing}, 2, []string{file}},
		{"a non-empty directory, with --force, missing input", []string{"--out", full, "--force", missing}, 3, []string{missing, "cannot open"}},
		{"a new directory, missing input", []string{"--out", filepath.Join(root, "new"), missing}, 3, []string{missing}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ftTree(t, root)
			code, _, stderr, tmp := ftRun(t, append(base, c.args...)...)
			if code != c.exit {
				t.Fatalf("exit %d, want %d\n%s", code, c.exit, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if after := ftTree(t, root); after != before {
				t.Errorf("files were touched:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			ftNoLeftovers(t, tmp, root)
		})
	}
}

// TestOutDirInGitWorkTree: a warning on stderr and in the manifest (code out_in_git);
// none outside a work tree.
func TestOutDirInGitWorkTree(t *testing.T) {
	input := ftWrite(t, filepath.Join(t.TempDir(), "users.csv"), ftSafetyCSV)
	repo := t.TempDir()
	if git, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command(git, "init", "-q", repo).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
	} else if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		out  string
		warn bool
	}{
		{"inside", filepath.Join(repo, "exports", "purge-2024"), true},
		{"outside", filepath.Join(t.TempDir(), "purge-2024"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !c.warn && gitWorkTree(c.out) != "" {
				t.Skip("the temporary directory is itself inside a git work tree")
			}
			code, _, stderr, tmp := ftRun(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--out", c.out, input)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if got := strings.Contains(stderr, "inside a git work tree"); got != c.warn {
				t.Errorf("warning on stderr: %v, want %v\n%s", got, c.warn, stderr)
			}
			b, err := os.ReadFile(filepath.Join(c.out, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Warnings []struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Count   int    `json:"count"`
				} `json:"warnings"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range m.Warnings {
				if w.Code == "out_in_git" {
					found = true
					if !strings.Contains(w.Message, ".gitignore") || w.Count != 1 {
						t.Errorf("manifest warning: %+v", w)
					}
				}
			}
			if found != c.warn {
				t.Errorf("out_in_git in the manifest: %v, want %v (%+v)", found, c.warn, m.Warnings)
			}
			ftNoLeftovers(t, tmp, c.out)
		})
	}
}

// TestSafetyNetsCLI: --max-included and --max-included-percent at, below and above the
// limit (4 of 10 rows, 40 %, are included): over the limit is exit 4 with both numbers
// and the flag in the message, and the output directory untouched, also an old run's
// under --force.
func TestSafetyNetsCLI(t *testing.T) {
	input := ftWrite(t, filepath.Join(t.TempDir(), "users.csv"), ftSafetyCSV)
	cases := []struct {
		limits []string
		exit   int
		want   []string
	}{
		{[]string{"--max-included", "3"}, 4, []string{"4 of 10 data rows", "40.00 %", "more than --max-included 3", "raise --max-included"}},
		{[]string{"--max-included", "4"}, 0, nil},
		{[]string{"--max-included", "5"}, 0, nil},
		{[]string{"--max-included", "0"}, 4, []string{"4 of 10", "--max-included 0"}},
		{[]string{"--max-included-percent", "40"}, 0, nil},
		{[]string{"--max-included-percent", "39.99"}, 4, []string{"4 of 10 data rows", "40.00 %", "more than --max-included-percent 39.99 %", "raise --max-included-percent"}},
		{[]string{"--max-included-percent", "40.01"}, 0, nil},
		{[]string{"--max-included-percent", "0"}, 4, []string{"4 of 10", "--max-included-percent 0 %"}},
		{[]string{"--max-included", "10", "--max-included-percent", "39"}, 4, []string{"4 of 10", "--max-included-percent 39 %"}},
		{[]string{"--max-included", "3", "--max-included-percent", "100"}, 4, []string{"4 of 10", "--max-included 3"}},
		{[]string{"--max-included", "-2"}, 2, []string{"--max-included -2"}},
		{[]string{"--max-included-percent", "100.5"}, 2, []string{"--max-included-percent 100.5"}},
		{[]string{"--max-included-percent", "-0.5"}, 2, []string{"--max-included-percent -0.5"}},
		{[]string{"--max-included-percent", "NaN"}, 2, []string{"--max-included-percent NaN"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.limits, " "), func(t *testing.T) {
			for _, force := range []bool{false, true} {
				root := t.TempDir()
				out := filepath.Join(root, "out")
				args := append([]string{"run", "--cutoff", "2024-07-01", "--all-groups", "--out", out}, c.limits...)
				if force {
					ftOldRun(t, out)
					args = append(args, "--force")
				}
				before := ftTree(t, root)
				code, stdout, stderr, tmp := ftRun(t, append(args, input)...)
				if code != c.exit {
					t.Fatalf("force %v: exit %d, want %d\n%s", force, code, c.exit, stderr)
				}
				for _, w := range c.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("force %v: stderr lacks %q:\n%s", force, w, stderr)
					}
				}
				ftNoLeftovers(t, tmp, root)
				if c.exit == 0 {
					if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
						t.Errorf("force %v: %v", force, err)
					}
					continue
				}
				if after := ftTree(t, root); after != before {
					t.Errorf("force %v: the output directory was touched:\nbefore:\n%s\nafter:\n%s", force, before, after)
				}
				if c.exit == 4 && !strings.Contains(stdout, "nothing was written") {
					t.Errorf("force %v: the summary does not say that nothing was written:\n%s", force, stdout)
				}
			}
		})
	}
	t.Run("nothing included is a result", func(t *testing.T) {
		in := ftWrite(t, filepath.Join(t.TempDir(), "none.csv"), "Primary ID,Expiry Date\nn1,2030-01-01\n")
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr, _ := ftRun(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--max-included", "0",
			"--max-included-percent", "0", "--out", out, in)
		if code != 0 || !strings.Contains(stdout, "nothing to purge") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

// TestGroupFlagsRequired: neither or both of --group and --all-groups is a usage error,
// found before any input is read or any directory made.
func TestGroupFlagsRequired(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	missing := filepath.Join(root, "missing.csv")
	for _, c := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"neither", nil, "--group NAME (repeatable), or pass --all-groups"},
		{"both", []string{"--group", "Alumni", "--all-groups"}, "--group and --all-groups exclude each other"},
		{"an empty group", []string{"--group", " "}, "is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--cutoff", "2024-07-01", "--out", out}, c.flags...)
			code, _, stderr, tmp := ftRun(t, append(args, missing)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, want 2 with %q\n%s", code, c.want, stderr)
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Error("the output directory was made")
			}
			ftNoLeftovers(t, tmp, root)
		})
	}
}

// TestWriteFaultNoTempDir: the spill cannot be made (TMPDIR is missing): exit 1,
// a message that says so, and no output directory.
func TestWriteFaultNoTempDir(t *testing.T) {
	input := ftWrite(t, filepath.Join(t.TempDir(), "users.csv"), ftSafetyCSV)
	out := filepath.Join(t.TempDir(), "out")
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	var stdout, stderr bytes.Buffer
	code := exitCode(run(context.Background(), []string{"run", "--cutoff", "2024-07-01", "--all-groups", "--out", out, input}, &stdout, &stderr))
	if code != 1 || !strings.Contains(stderr.String(), "create temporary file") {
		t.Fatalf("exit %d, want 1 with a message about the temporary file\n%s", code, stderr.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the output directory was made")
	}
}

// TestWriteFaultReadOnlyOut: an existing empty --out that may not be written is found
// before any row is read, when its lock file cannot be made: exit 2, the directory
// left empty. Root ignores permission bits, so as root the test runs
// again as nobody.
func TestWriteFaultReadOnlyOut(t *testing.T) {
	if asNobody(t) {
		return
	}
	input := ftWrite(t, filepath.Join(t.TempDir(), "users.csv"), ftSafetyCSV)
	out := filepath.Join(t.TempDir(), "out")
	os.Mkdir(out, 0o500)
	defer os.Chmod(out, 0o700)
	code, _, stderr, tmp := ftRun(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--out", out, input)
	if code != 2 || !strings.Contains(stderr, "unusable output directory") || !strings.Contains(stderr, "permission denied") {
		t.Fatalf("exit %d, want 2 with unusable output directory: permission denied\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("left in --out: %v", ftNames(entries))
	}
	ftNoLeftovers(t, tmp, out)
}

// TestWriteFaultRenameIntoPlace: moving an output into place fails at the very end (a
// directory of the same name is in the way), over an earlier run's files under --force:
// exit 1, the file named, and --out exactly as it was, the earlier run included.
func TestWriteFaultRenameIntoPlace(t *testing.T) {
	input := ftWrite(t, filepath.Join(t.TempDir(), "users.csv"), ftSafetyCSV)
	for _, format := range []string{"xlsx", "txt"} {
		out := filepath.Join(t.TempDir(), "out")
		ftOldRun(t, out)
		os.Remove(filepath.Join(out, "set-001."+format))
		ftWrite(t, filepath.Join(out, "set-001."+format, "keep.txt"), "x")
		before := ftTree(t, out)
		code, _, stderr, tmp := ftRun(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--force", "--set-format", format, "--out", out, input)
		if code != 1 || !strings.Contains(stderr, "move set-001."+format+" into place") {
			t.Fatalf("exit %d, want 1 naming set-001.%s\n%s", code, format, stderr)
		}
		if after := ftTree(t, out); after != before {
			t.Errorf("a failed run changed --out:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		ftNoLeftovers(t, tmp, out)
	}
}
