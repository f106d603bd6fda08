package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// entry is one file of an archive: its name inside it (slash-separated, under the
// prefix) and where to read it; dir entries have no source.
type entry struct {
	name string
	src  string
	exec bool
	dir  bool
}

// collect expands the command line's entries into files and the directories that hold
// them, sorted by name: the order of the archive does not depend on the file system's.
// Only the names in exec are executable: the checkout's modes depend on its umask and
// Windows has none.
func collect(prefix string, args []string, exec map[string]bool) ([]entry, error) {
	files := map[string]entry{}
	add := func(name, src string) {
		slash := filepath.ToSlash(name)
		name = path.Join(prefix, slash)
		files[name] = entry{name: name, src: src, exec: exec[slash]}
	}
	for _, a := range args {
		name, src, ok := strings.Cut(a, "=")
		if !ok {
			name, src = a, a
		}
		if filepath.IsAbs(name) || strings.HasPrefix(filepath.Clean(name), "..") {
			return nil, usageError(fmt.Sprintf("entry %q: name it relative to the archive (NAME=PATH)", a))
		}
		fi, err := os.Stat(src)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			add(name, src)
			continue
		}
		err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return fmt.Errorf("%s is not a regular file: a release holds files only", p)
			}
			add(filepath.Join(name, rel), p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := []entry{{name: prefix, dir: true}}
	dirs := map[string]bool{prefix: true}
	for name, e := range files {
		for d := path.Dir(name); !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			out = append(out, entry{name: d, dir: true})
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// writeArchive writes the entries to out (.tar.gz or .zip) through a temporary file,
// so that a failed run leaves no archive that looks complete.
func writeArchive(out string, entries []entry, mtime time.Time) (err error) {
	var write func(io.Writer, []entry, time.Time) error
	switch {
	case strings.HasSuffix(out, ".tar.gz"):
		write = writeTarGz
	case strings.HasSuffix(out, ".zip"):
		write = writeZip
	default:
		return usageError(fmt.Sprintf("%s: the archive name must end in .tar.gz or .zip", out))
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f, entries, mtime); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return os.Rename(tmp, out)
}

func mode(e entry) int64 {
	switch {
	case e.dir:
		return 0o755
	case e.exec:
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, entries []entry, mtime time.Time) error {
	// A zero gzip header: no file name, time 0, so nothing of this machine gets in.
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: mode(e), ModTime: mtime, Format: tar.FormatPAX, Typeflag: tar.TypeReg}
		if e.dir {
			h.Name += "/"
			h.Typeflag = tar.TypeDir
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(e.src, func(size int64) (io.Writer, error) {
			h.Size = size
			return tw, tw.WriteHeader(h)
		}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	// MS-DOS times start in 1980; a zip cannot say 1970.
	if dosEpoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); mtime.Before(dosEpoch) {
		mtime = dosEpoch
	}
	zw := zip.NewWriter(w)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(fs.FileMode(mode(e)))
		if e.dir {
			h.Name += "/"
			h.Method = zip.Store
			h.SetMode(fs.ModeDir | 0o755)
			if _, err := zw.CreateHeader(h); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(e.src, func(int64) (io.Writer, error) { return zw.CreateHeader(h) }); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyFile copies src into the writer open returns, given the file's size, and fails
// if the file changed size meanwhile (a build still writing it).
func copyFile(src string, open func(size int64) (io.Writer, error)) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	w, err := open(fi.Size())
	if err != nil {
		return err
	}
	n, err := io.Copy(w, f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if n != fi.Size() {
		return fmt.Errorf("%s changed size while it was archived", src)
	}
	return nil
}
