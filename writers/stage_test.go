package writers

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The stage's promises (SPEC §5, STYLE §4): files 0600 in a private directory inside
// --out, a created --out 0700 and an existing one left as it was, manifest.json renamed
// last, --force replacing only purgeset's own files, and Abort leaving nothing behind.

// stagePut writes one staged output.
func stagePut(t *testing.T, s *Stage, name, content string) {
	t.Helper()
	f, err := s.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// stageList is a directory's entries as "name" or "name/" for directories, sorted.
func stageList(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func stageMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func stageRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStageModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	s, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := stageMode(t, dir); m != 0o700 {
		t.Errorf("created output directory has mode %v, want 0700", m)
	}
	if filepath.Dir(s.tmp) != dir || !strings.HasPrefix(filepath.Base(s.tmp), ".purgeset-stage-") {
		t.Errorf("stage %s is not a .purgeset-stage-* directory inside %s", s.tmp, dir)
	}
	if m := stageMode(t, s.tmp); m != 0o700 {
		t.Errorf("stage directory has mode %v, want 0700", m)
	}
	stagePut(t, s, "decisions.csv", "source,row\n")
	if m := stageMode(t, filepath.Join(s.tmp, "decisions.csv")); m != 0o600 {
		t.Errorf("staged file has mode %v, want 0600", m)
	}
	stagePut(t, s, "set-001.txt", "USERNAME\nu1\n")
	stagePut(t, s, ManifestName, "{}\n")
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := stageList(t, dir); strings.Join(got, " ") != "decisions.csv manifest.json set-001.txt" {
		t.Errorf("after Commit the directory holds %v", got)
	}
	for _, name := range stageList(t, dir) {
		if m := stageMode(t, filepath.Join(dir, name)); m != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, m)
		}
	}
	if m := stageMode(t, dir); m != 0o700 {
		t.Errorf("output directory has mode %v after Commit, want 0700", m)
	}
	outs := s.Outputs()
	if len(outs) != 3 || outs[0].Name != "decisions.csv" || outs[0].Bytes != int64(len("source,row\n")) || len(outs[0].SHA256) != 64 {
		t.Errorf("outputs: %+v", outs)
	}

	for _, mode := range []os.FileMode{0o750, 0o755, 0o700} {
		existing := filepath.Join(t.TempDir(), "existing")
		if err := os.Mkdir(existing, mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(existing, mode) // whatever the umask
		s, err := NewStage(existing)
		if err != nil {
			t.Fatal(err)
		}
		stagePut(t, s, ManifestName, "{}\n")
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		if m := stageMode(t, existing); m != mode {
			t.Errorf("an existing empty --out with mode %v has mode %v after Commit", mode, m)
		}
		if m := stageMode(t, filepath.Join(existing, ManifestName)); m != 0o600 {
			t.Errorf("manifest in an existing directory has mode %v, want 0600", m)
		}
	}
}

func TestStageCreateTwiceAndWriteErrorNamesTheFile(t *testing.T) {
	s, err := NewStage(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	f, err := s.Create("decisions.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("decisions.csv"); err == nil {
		t.Error("the same output was created twice")
	}
	f.f.Close() // the disk goes away under the writer
	if _, err := f.Write([]byte("x")); err == nil || !strings.Contains(err.Error(), "write decisions.csv") {
		t.Errorf("write error %v does not name the file", err)
	}
	if err := f.Close(); err == nil || !strings.Contains(err.Error(), "decisions.csv") {
		t.Errorf("close error %v does not name the file", err)
	}
}

// stageFull stages a complete run's outputs, sorted as Commit renames them:
// archive.parquet, decisions.csv, (manifest.json), review.html, set-001.txt, set-002.txt.
func stageFull(t *testing.T, dir string) *Stage {
	t.Helper()
	s, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"set-001.txt", "set-002.txt", "decisions.csv", "review.html", "archive.parquet", ManifestName} {
		stagePut(t, s, name, "new "+name+"\n")
	}
	return s
}

// stageHook replaces the rename hook of Commit for one test: each move into place is
// recorded by name, and the fail-th (counting from 1) fails; 0 fails none.
func stageHook(t *testing.T, fail int) *[]string {
	t.Helper()
	var moved []string
	orig := rename
	t.Cleanup(func() { rename = orig })
	rename = func(from, to string) error {
		if strings.Contains(to, ".purgeset-stage-") || strings.Contains(from, ".replaced") {
			return orig(from, to) // moving an earlier run aside, or undoing: not a move into place
		}
		moved = append(moved, filepath.Base(to))
		if len(moved) == fail {
			return errors.New("injected failure")
		}
		return orig(from, to)
	}
	return &moved
}

// stageSnapshot is every entry under dir with its mode and, for files, content and
// modification time: equal snapshots mean nothing was changed.
func stageSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + fi.Mode().String()
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			line += " " + fi.ModTime().UTC().String() + " " + string(b)
		}
		lines = append(lines, line)
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return "(absent)"
	}
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// stageOldRun fills dir with an earlier, bigger run's outputs and files of others.
func stageOldRun(t *testing.T, dir string) {
	t.Helper()
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, name := range []string{"set-001.txt", "set-002.txt", "set-003.txt", "set-001.xlsx", "decisions.csv", "manifest.json", "review.html", "archive.parquet", "notes.txt", "sub/inner.txt"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("old "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, past, past)
	}
}

// TestStageCommitRenamesManifestLast records, through Commit's rename hook, the order
// in which the outputs move into place: manifest.json is the last, after every other
// output, with or without an earlier run to replace.
func TestStageCommitRenamesManifestLast(t *testing.T) {
	for _, old := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "out")
		if old {
			stageOldRun(t, dir)
		}
		moved := stageHook(t, 0)
		s := stageFull(t, dir)
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		want := "archive.parquet decisions.csv review.html set-001.txt set-002.txt manifest.json"
		if got := strings.Join(*moved, " "); got != want {
			t.Errorf("old run %v: moved into place in the order %s, want %s", old, got, want)
		}
		for _, name := range strings.Fields(want) {
			if got := stageRead(t, filepath.Join(dir, name)); got != "new "+name+"\n" {
				t.Errorf("old run %v: %s holds %q", old, name, got)
			}
		}
		if old {
			for _, gone := range []string{"set-003.txt", "set-001.xlsx"} {
				if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the earlier run's %s is still there", gone)
				}
			}
		}
		if len(stageIn(dir)) > 0 {
			t.Errorf("stage left after Commit: %v", stageIn(dir))
		}
	}
}

func stageIn(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, ".purgeset-stage-*"))
	return m
}

// TestStageFailedCommitLeavesDirAsItWas fails each move into place in turn, the
// manifest's included, over an earlier run and into a new directory: after Commit's
// error and Abort, the directory is exactly as before (SPEC §5: nothing is left behind
// on error; with --force the earlier run is not lost either).
func TestStageFailedCommitLeavesDirAsItWas(t *testing.T) {
	for fail := 1; fail <= 6; fail++ {
		for _, old := range []bool{false, true} {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			if old {
				stageOldRun(t, dir)
			}
			before := stageSnapshot(t, parent)
			moved := stageHook(t, fail)
			s := stageFull(t, dir)
			err := s.Commit()
			failed := (*moved)[len(*moved)-1]
			if err == nil || !strings.Contains(err.Error(), "move "+failed+" into place") {
				t.Fatalf("move %d (%s) failing, old run %v: Commit returned %v", fail, failed, old, err)
			}
			s.Abort()
			if after := stageSnapshot(t, parent); after != before {
				t.Errorf("move %d (%s) failing, old run %v: the directory changed:\nbefore:\n%s\nafter:\n%s", fail, failed, old, before, after)
			}
		}
	}
}

// TestStageCommitFailsOnADirectoryInTheWay: a directory named like an output (not
// purgeset's: it is never moved aside) makes that output's move fail; the directory
// and everything else stay as they were.
func TestStageCommitFailsOnADirectoryInTheWay(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	stageOldRun(t, dir)
	os.Remove(filepath.Join(dir, "set-002.txt"))
	if err := os.MkdirAll(filepath.Join(dir, "set-002.txt", "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := stageSnapshot(t, parent)
	s := stageFull(t, dir)
	err := s.Commit()
	if err == nil || !strings.Contains(err.Error(), "move set-002.txt into place") {
		t.Fatalf("Commit: %v, want a failure to move set-002.txt", err)
	}
	s.Abort()
	if after := stageSnapshot(t, parent); after != before {
		t.Errorf("the directory changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
