package writers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitKeepsEarlierRunWhenRestoreFails: when a commit fails and even putting the
// earlier run's files back fails, those files must survive in the stage, and the error
// must say where they are.
func TestCommitKeepsEarlierRunWhenRestoreFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "decisions.csv"), []byte("old run"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Create("decisions.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new run"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	old := rename
	defer func() { rename = old }()
	boom := errors.New("injected")
	rename = func(from, to string) error {
		if filepath.Dir(from) == dir { // moving the old file aside works
			return old(from, to)
		}
		return boom // placing the new file and restoring the old one fail
	}
	err = s.Commit()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "could not be put back") {
		t.Fatalf("Commit: %v", err)
	}
	s.Abort()
	b, err := os.ReadFile(filepath.Join(s.tmp, ".replaced", "decisions.csv"))
	if err != nil || string(b) != "old run" {
		t.Fatalf("the earlier run's file is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.tmp, "decisions.csv")); !os.IsNotExist(err) {
		t.Fatalf("the new file was left in the stage")
	}
}

// TestAbortRemovesTheDirectoriesItMade: a failed run into a/b/out, where none of them
// existed, leaves no empty a/ behind; a directory that existed stays.
func TestAbortRemovesTheDirectoriesItMade(t *testing.T) {
	base := t.TempDir()
	s, err := NewStage(filepath.Join(base, "a", "b", "out"))
	if err != nil {
		t.Fatal(err)
	}
	s.Abort()
	entries, _ := os.ReadDir(base)
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	if _, err := os.Stat(base); err != nil {
		t.Fatalf("the existing parent was removed: %v", err)
	}
}
