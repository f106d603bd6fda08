package writers

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPlaceNew: a new name is placed and the temporary file is gone; an existing file
// is never replaced, with hard links and without them (FAT, some shares).
func TestPlaceNew(t *testing.T) {
	for _, links := range []bool{true, false} {
		name := map[bool]string{true: "hard links", false: "no hard links"}[links]
		t.Run(name, func(t *testing.T) {
			if !links {
				linkFile = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
				t.Cleanup(func() { linkFile = os.Link })
			}
			dir := t.TempDir()
			tmp, path := filepath.Join(dir, ".tmp"), filepath.Join(dir, "report.csv")
			os.WriteFile(tmp, []byte("new\n"), 0o600)
			if err := PlaceNew(tmp, path); err != nil {
				t.Fatalf("PlaceNew: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != "new\n" {
				t.Errorf("placed %q", b)
			}
			if _, err := os.Lstat(tmp); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the temporary file is still there: %v", err)
			}
			os.WriteFile(tmp, []byte("newer\n"), 0o600)
			if err := PlaceNew(tmp, path); !errors.Is(err, fs.ErrExist) {
				t.Errorf("over an existing file: %v, want fs.ErrExist", err)
			}
			if b, _ := os.ReadFile(path); string(b) != "new\n" {
				t.Errorf("the existing file was replaced: %q", b)
			}
		})
	}
}
