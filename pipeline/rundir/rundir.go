// Package rundir reads a run directory back without trusting it: only regular files
// named in the manifest, never through a symbolic link or outside DIR, never more bytes
// than the manifest gives, a manifest with exactly the keys purgeset writes, and
// decisions.csv as a stream whose errors name the line and column, never the content.
package rundir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/purgeset/purgeset/writers"
)

// MaxManifestBytes caps manifest.json: inputs, warnings (200 rows each) and outputs of
// any real run fit many times over.
const MaxManifestBytes = 16 << 20

// ErrDamaged marks a run directory whose content cannot be what purgeset wrote (exit 5
// in verify, diff and reconcile).
var ErrDamaged = errors.New("the run directory is damaged")

// Problem is one thing wrong with a file of the run directory. It never holds an ID or
// other content of the file.
type Problem struct {
	File string
	Msg  string
}

func (p *Problem) Error() string { return p.File + ": " + p.Msg }
func (p *Problem) Unwrap() error { return ErrDamaged }

func problemf(file, format string, a ...any) *Problem {
	return &Problem{File: file, Msg: fmt.Sprintf(format, a...)}
}

// Dir is a run directory with its manifest read.
type Dir struct {
	Path     string
	Manifest *writers.Manifest
	listed   map[string]writers.Output
}

// Open reads DIR/manifest.json strictly: a regular file of at most MaxManifestBytes,
// JSON with no key purgeset does not write and nothing after it. A missing manifest is
// a *Problem wrapping fs.ErrNotExist as well.
func Open(dir string) (*Dir, error) {
	f, err := openIn(dir, writers.ManifestName, MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxManifestBytes+1))
	if err != nil {
		return nil, problemf(writers.ManifestName, "cannot be read: %v", errText(err))
	}
	if len(b) > MaxManifestBytes {
		return nil, problemf(writers.ManifestName, "is larger than %d MiB: not a manifest purgeset writes", MaxManifestBytes>>20)
	}
	m, err := DecodeManifest(b)
	if err != nil {
		return nil, err
	}
	d := &Dir{Path: dir, Manifest: m, listed: map[string]writers.Output{}}
	for _, o := range m.Outputs {
		if writers.IsOwnFile(o.Name) && o.Name != writers.ManifestName {
			if _, dup := d.listed[o.Name]; !dup {
				d.listed[o.Name] = o
			}
		}
	}
	return d, nil
}

// DecodeManifest decodes a manifest strictly: unknown keys and trailing data are
// problems, so that a key added by hand never passes for one purgeset checked.
func DecodeManifest(b []byte) (*writers.Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m writers.Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, problemf(writers.ManifestName, "is not a manifest purgeset writes: %s", jsonText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, problemf(writers.ManifestName, "has data after the manifest's closing brace")
	}
	return &m, nil
}

// jsonText describes a JSON error by position and key, never by the value found.
func jsonText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("key %s holds a %s where purgeset writes a %s", te.Field, te.Value, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends too early"
	}
	return err.Error() // "json: unknown field \"x\"": a key name, not content
}

// Listed returns the manifest's entry for an output name.
func (d *Dir) Listed(name string) (writers.Output, bool) {
	o, ok := d.listed[name]
	return o, ok
}

// OpenListed opens an output the manifest lists, refusing anything but a regular file
// inside DIR of at most the size the manifest gives (a smaller one is read, and its
// hash tells).
func (d *Dir) OpenListed(name string) (*os.File, error) {
	o, ok := d.listed[name]
	if !ok {
		return nil, problemf(name, "is not listed in the manifest")
	}
	return openIn(d.Path, name, o.Bytes)
}

// OpenManifest opens manifest.json again, as strictly as Open read it, for a byte
// comparison (verify --rerun).
func (d *Dir) OpenManifest() (*os.File, error) {
	return openIn(d.Path, writers.ManifestName, MaxManifestBytes)
}

// openIn opens DIR/name for reading: a plain name (no separator, not ..), not a
// symbolic link, a regular file of at most max bytes (max < 0: any size). A FIFO is
// opened without blocking, then refused.
func openIn(dir, name string, max int64) (*os.File, error) {
	if name != filepath.Base(name) || name == "." || name == ".." || !filepath.IsLocal(name) {
		return nil, problemf(name, "is not a plain file name inside the run directory")
	}
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &missing{Problem{File: name, Msg: "is missing"}}
		}
		return nil, problemf(name, "cannot be read: %v", errText(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, problemf(name, "is %s, not a regular file: replace the run directory with a fresh run", kind(fi.Mode()))
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, problemf(name, "cannot be opened: %v", errText(err))
	}
	fi, err = f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, problemf(name, "changed into something other than a regular file while being read")
	}
	if max >= 0 && fi.Size() > max {
		f.Close()
		return nil, problemf(name, "has %d bytes, more than the %d it may have", fi.Size(), max)
	}
	return f, nil
}

// missing is a Problem for a file that does not exist; errors.Is(err, fs.ErrNotExist).
type missing struct{ Problem }

func (m *missing) Error() string        { return m.Problem.Error() }
func (m *missing) Is(target error) bool { return target == fs.ErrNotExist || target == ErrDamaged }
func (m *missing) Unwrap() error        { return ErrDamaged }

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// MaxRows is the most rows a file of the run may claim (the archive's footer): the
// manifest's data rows, or -1 when the manifest gives none.
func (d *Dir) MaxRows() int64 {
	if n := d.Manifest.Counts.DataRows; n >= 0 {
		return int64(n)
	}
	return -1
}
