package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const epoch = 1780000000 // 2026-05-28, any commit time

// tree writes a small release tree: an executable, a README and a docs folder, with
// the given file mode and file times, as two checkouts with different umasks and
// clocks would have them.
func tree(t *testing.T, perm os.FileMode, when time.Time) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"bin/purgeset": "\x7fELF binary", "README.md": "# purgeset\n", "docs/guide.md": "guide\n", "docs/a.png": "png"}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), perm); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, perm) // whatever the umask
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// build runs purgedist archive in dir and returns the archive's bytes.
func build(t *testing.T, dir, name string) []byte {
	t.Helper()
	t.Chdir(dir)
	out := filepath.Join(t.TempDir(), name)
	var stderr bytes.Buffer
	args := []string{"archive", "-o", out, "-prefix", "purgeset-v1-x", "-mtime", fmt.Sprint(epoch), "-exec", "purgeset", "purgeset=bin/purgeset", "README.md", "docs"}
	if code := run(args, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out + ".tmp"); err == nil {
		t.Errorf("%s.tmp left behind", out)
	}
	return b
}

// TestArchivesReproducible: two trees with the same content but other modes (0755 as a
// FAT drive shows every file, 0664 under umask 002) and other file times give the same
// archive bytes.
func TestArchivesReproducible(t *testing.T) {
	a := tree(t, 0o755, time.Now())
	b := tree(t, 0o664, time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC))
	for _, name := range []string{"x.tar.gz", "x.zip"} {
		if !bytes.Equal(build(t, a, name), build(t, b, name)) {
			t.Errorf("%s differs between two trees with the same content", name)
		}
	}
}

// TestTarGzEntries: sorted names under the prefix, directories first, the commit time,
// owner 0 without names, 0755 for the program and directories and 0644 for the rest,
// and a gzip header without a name or time.
func TestTarGzEntries(t *testing.T) {
	b := build(t, tree(t, 0o664, time.Now()), "x.tar.gz")
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v: want neither", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %o", h.Name, h.Mode))
		if !h.ModTime.Equal(time.Unix(epoch, 0)) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: time %v uid %d gid %d %q %q, want the commit time and owner 0", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if h.Name == "purgeset-v1-x/purgeset" {
			if body, _ := io.ReadAll(tr); string(body) != "\x7fELF binary" {
				t.Errorf("purgeset holds %q", body)
			}
		}
	}
	want := []string{"purgeset-v1-x/ 755", "purgeset-v1-x/README.md 644", "purgeset-v1-x/docs/ 755",
		"purgeset-v1-x/docs/a.png 644", "purgeset-v1-x/docs/guide.md 644", "purgeset-v1-x/purgeset 755"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestZipEntries: the same names, modes and time in the zip Windows desks unpack.
func TestZipEntries(t *testing.T) {
	b := build(t, tree(t, 0o664, time.Now()), "x.zip")
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, fmt.Sprintf("%s %o", f.Name, f.Mode().Perm()))
		if !f.Modified.Equal(time.Unix(epoch, 0)) {
			t.Errorf("%s: time %v, want the commit time", f.Name, f.Modified)
		}
	}
	want := []string{"purgeset-v1-x/ 755", "purgeset-v1-x/README.md 644", "purgeset-v1-x/docs/ 755",
		"purgeset-v1-x/docs/a.png 644", "purgeset-v1-x/docs/guide.md 644", "purgeset-v1-x/purgeset 755"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSums: SHA256SUMS names every archive of the folder, sorted, in sha256sum's format,
// and nothing else.
func TestSums(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"b.zip": "zip", "a.tar.gz": "tgz", "notes.txt": "not an archive"}
	for n, body := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644)
	}
	if code := run([]string{"sums", dir}, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, err := os.ReadFile(filepath.Join(dir, SumsName))
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("tgz") + "  a.tar.gz\n" + sum("zip") + "  b.zip\n"
	if string(got) != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", got, want)
	}
}

// TestUsage: a missing flag, an unknown archive type or command is exit 2 with the usage,
// a missing file exit 1, and neither leaves an archive.
func TestUsage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("f", []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{}, 2},
		{[]string{"pack"}, 2},
		{[]string{"archive", "-o", "x.tar.gz", "-prefix", "p", "f"}, 2},
		{[]string{"archive", "-o", "x.rar", "-prefix", "p", "-mtime", "1", "f"}, 2},
		{[]string{"archive", "-o", "x.zip", "-prefix", "a/b", "-mtime", "1", "f"}, 2},
		{[]string{"archive", "-o", "x.zip", "-prefix", "p", "-mtime", "1", "../f=f"}, 2},
		{[]string{"archive", "-o", "x.zip", "-prefix", "p", "-mtime", "1", "missing"}, 1},
		{[]string{"sums", dir}, 1},
	} {
		var stderr bytes.Buffer
		if code := run(c.args, &stderr); code != c.code || stderr.Len() == 0 {
			t.Errorf("%q: exit %d (%q), want %d with a message", c.args, code, stderr.String(), c.code)
		}
		if m, _ := filepath.Glob("x.*"); len(m) > 0 {
			t.Errorf("%q left %v", c.args, m)
		}
	}
}
