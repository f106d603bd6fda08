package writers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStageAbort(t *testing.T) {
	t.Run("created directory is removed", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		s := stageFull(t, dir)
		s.Abort()
		if got := stageList(t, parent); len(got) != 0 {
			t.Fatalf("after Abort the parent holds %v", got)
		}
		s.Abort() // twice is harmless
	})
	t.Run("existing empty directory stays, empty, same mode", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		os.Mkdir(dir, 0o750)
		os.Chmod(dir, 0o750)
		s := stageFull(t, dir)
		s.Abort()
		if got := stageList(t, dir); len(got) != 0 {
			t.Fatalf("after Abort the directory holds %v", got)
		}
		if m := stageMode(t, dir); m != 0o750 {
			t.Fatalf("mode %v after Abort, want 0750", m)
		}
	})
	t.Run("existing files are untouched", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "decisions.csv"), []byte("old\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644)
		s := stageFull(t, dir)
		s.Abort()
		if got := stageList(t, dir); strings.Join(got, " ") != "decisions.csv notes.txt" {
			t.Fatalf("after Abort the directory holds %v", got)
		}
		if stageRead(t, filepath.Join(dir, "decisions.csv")) != "old\n" {
			t.Fatal("Abort changed an old output")
		}
	})
	t.Run("created directory that someone else wrote into is kept", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		s := stageFull(t, dir)
		os.WriteFile(filepath.Join(dir, "theirs.txt"), []byte("x"), 0o600)
		s.Abort()
		if got := stageList(t, dir); strings.Join(got, " ") != "theirs.txt" {
			t.Fatalf("after Abort the directory holds %v", got)
		}
	})
	t.Run("after Commit it does nothing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		s := stageFull(t, dir)
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		s.Abort()
		if got := stageList(t, dir); len(got) != 6 {
			t.Fatalf("Abort after Commit left %v", got)
		}
	})
	t.Run("missing parents are created", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "a", "b", "out")
		s := stageFull(t, dir)
		s.Abort()
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left after Abort", dir)
		}
		// The parents a/ and a/b/ that NewStage made (MkdirAll) stay behind, empty: not
		// an output, but a trace of the failed run (see the report).
		if got := stageList(t, parent); len(got) != 0 {
			t.Logf("after Abort the parent holds %v (empty directories made for --out's parents)", got)
		}
	})
}

// TestStageForceReplacesOnlyOwnFiles: with --force, Commit removes the old run's
// outputs, also those this run does not write again (a set-003.xlsx from an earlier,
// bigger run, a .txt set, a review page), and leaves everything else as it was.
func TestStageForceReplacesOnlyOwnFiles(t *testing.T) {
	dir := t.TempDir()
	old := []string{"set-001.xlsx", "set-002.xlsx", "set-003.xlsx", "set-001.txt", "decisions.csv", "manifest.json", "review.html", "archive.parquet"}
	for _, name := range old {
		os.WriteFile(filepath.Join(dir, name), []byte("old "+name+"\n"), 0o600)
	}
	foreign := map[string]string{
		"notes.txt": "the librarian's notes\n", "set-1.xlsx": "not ours: two digits short\n",
		"decisions.csv.bak": "a copy\n", "Manifest.JSON": "other case\n", "sub/inner.txt": "nested\n",
		"sub/set-001.xlsx": "nested, not ours\n",
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, content := range foreign {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		os.Chtimes(p, past, past)
	}
	os.Mkdir(filepath.Join(dir, "set-004.xlsx"), 0o755) // a directory that looks like ours
	if err := CheckOutDir(dir, false, nil); !errors.Is(err, ErrOutDir) {
		t.Fatalf("CheckOutDir without force: %v", err)
	}
	if err := CheckOutDir(dir, true, nil); err != nil {
		t.Fatalf("CheckOutDir with force: %v", err)
	}
	s, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"set-001.xlsx", "set-002.xlsx", "decisions.csv", ManifestName} {
		stagePut(t, s, name, "new "+name+"\n")
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	want := "Manifest.JSON decisions.csv decisions.csv.bak manifest.json notes.txt set-001.xlsx set-002.xlsx set-004.xlsx/ set-1.xlsx sub/"
	if got := strings.Join(stageList(t, dir), " "); got != want {
		t.Fatalf("after Commit with old files:\n got %s\nwant %s", got, want)
	}
	for _, name := range []string{"set-001.xlsx", "set-002.xlsx", "decisions.csv", ManifestName} {
		if got := stageRead(t, filepath.Join(dir, name)); got != "new "+name+"\n" {
			t.Errorf("%s holds %q", name, got)
		}
	}
	for name, content := range foreign {
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if stageRead(t, p) != content || fi.Mode().Perm() != 0o644 || !fi.ModTime().Equal(past) {
			t.Errorf("%s was touched: mode %v, modified %v", name, fi.Mode().Perm(), fi.ModTime())
		}
	}
}

func TestCheckOutDir(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "users.csv")
	os.WriteFile(file, []byte("Primary ID\n"), 0o600)
	link := filepath.Join(root, "link.csv")
	if err := os.Link(file, link); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(root, "empty")
	os.Mkdir(empty, 0o700)
	full := filepath.Join(root, "full")
	os.Mkdir(full, 0o700)
	os.WriteFile(filepath.Join(full, ".DS_Store"), nil, 0o600)
	rel, err := filepath.Rel(mustGetwd(t), file)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		dir    string
		force  bool
		inputs []string
		want   string // part of the error; "" for none
	}{
		{"missing", filepath.Join(root, "new"), false, nil, ""},
		{"missing below a missing parent", filepath.Join(root, "a", "b"), false, nil, ""},
		{"empty", empty, false, nil, ""},
		{"non-empty", full, false, nil, "is not empty"},
		{"non-empty with force", full, true, nil, ""},
		{"a file", file, false, nil, "is a file"},
		{"a file with force", file, true, nil, "is a file"},
		{"an input", file, false, []string{file}, "is one of the inputs"},
		{"an input with force", file, true, []string{"x.csv", file}, "is one of the inputs"},
		{"an input spelled another way", file, false, []string{rel}, "is one of the inputs"},
		{"an input's hard link", link, false, []string{file}, "is one of the inputs"},
		{"below a file", filepath.Join(file, "out"), true, nil, file},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckOutDir(c.dir, c.force, c.inputs)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrOutDir) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrOutDir with %q", err, c.want)
			}
		})
	}
	if err := CheckOutDir(full, false, nil); !strings.Contains(err.Error(), "--force") {
		t.Errorf("the non-empty message does not name --force: %v", err)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
