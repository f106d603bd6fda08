package writers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ManifestName is written last: its presence means a complete run.
const ManifestName = "manifest.json"

// ownFile matches the names purgeset writes, the only files --force may replace.
var ownFile = regexp.MustCompile(`^(set-[0-9]{3,}\.(xlsx|txt)|decisions\.csv|manifest\.json|review\.html|archive\.parquet)$`)

// IsOwnFile reports whether name is one of the names purgeset writes.
func IsOwnFile(name string) bool { return ownFile.MatchString(name) }

// ErrOutDir marks an unusable --out directory (a usage error: exit 2).
var ErrOutDir = errors.New("unusable output directory")

// CheckOutDir refuses, before any work is done, an --out that is a file, one of the
// inputs, a non-empty directory without force, or (with force) one whose purgeset-named
// files include a file the run reads: inputs lists the inputs, protect lists and config.
func CheckOutDir(dir string, force bool, inputs []string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrOutDir, dir, err)
	}
	if !fi.IsDir() {
		for _, in := range inputs {
			if ii, err := os.Stat(in); err == nil && os.SameFile(fi, ii) {
				return fmt.Errorf("%w: --out %s is one of the inputs; name a new directory", ErrOutDir, dir)
			}
		}
		return fmt.Errorf("%w: --out %s is a file, not a directory; name a new directory", ErrOutDir, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrOutDir, dir, err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == LockName })
	if len(entries) > 0 && !force {
		return fmt.Errorf("%w: --out %s is not empty; name a new directory, or pass --force to replace purgeset's files in it (other files are left alone)", ErrOutDir, dir)
	}
	// --force replaces purgeset's names: never a file this run reads, whatever it is
	// called (a hard link or the same path).
	for _, e := range entries {
		if !IsOwnFile(e.Name()) {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		for _, in := range inputs {
			if ii, err := os.Stat(in); err == nil && os.SameFile(fi, ii) {
				return fmt.Errorf("%w: --force would replace %s, which this run reads (%s): move it out of %s, or name another --out", ErrOutDir, filepath.Join(dir, e.Name()), in, dir)
			}
		}
	}
	return nil
}

// Output describes one file written, for the manifest.
type Output struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	IDs    *int   `json:"ids,omitempty"`
	Rows   *int   `json:"rows,omitempty"`
}

// Stage is a private directory inside the output directory. Files are written there
// and renamed into place by Commit; rename is atomic only within one file system,
// which is why the stage is not in /tmp.
type Stage struct {
	dir       string
	tmp       string
	made      []string // directories this run made, dir first, then its new parents
	outputs   []Output
	open      map[string]bool
	finished  bool
	keepAside bool // a failed commit could not restore the earlier run: keep its files
}

// NewStage makes dir (0700) when missing and a stage inside it.
func NewStage(dir string) (*Stage, error) {
	s := &Stage{dir: dir, open: map[string]bool{}}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		// Remember every directory made, parents too, so that Abort leaves none behind.
		for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
				break
			}
			s.made = append(s.made, d)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			s.Abort()
			return nil, fmt.Errorf("create output directory: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(dir, StagePrefix)
	if err != nil {
		s.Abort()
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	s.tmp = tmp
	return s, nil
}

// File is one output being written: it counts and hashes what passes through.
type File struct {
	stage *Stage
	name  string
	f     *os.File
	h     hash.Hash
	n     int64
	out   Output
}

// Create opens a new output file in the stage, mode 0600: outputs hold personal data.
func (s *Stage) Create(name string) (*File, error) {
	if s.open[name] {
		return nil, fmt.Errorf("output %s created twice", name)
	}
	f, err := os.OpenFile(filepath.Join(s.tmp, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	s.open[name] = true
	return &File{stage: s, name: name, f: f, h: sha256.New(), out: Output{Name: name}}, nil
}

func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	f.h.Write(p[:n])
	f.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.name, err)
	}
	return n, nil
}

// SetIDs and SetRows record what the manifest says the file holds.
func (f *File) SetIDs(n int)  { f.out.IDs = &n }
func (f *File) SetRows(n int) { f.out.Rows = &n }

// Close syncs before closing so that a later rename never exposes an empty file after
// a crash.
func (f *File) Close() error {
	if err := f.f.Sync(); err != nil {
		f.f.Close()
		return fmt.Errorf("sync %s: %w", f.name, err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.name, err)
	}
	f.out.SHA256 = hex.EncodeToString(f.h.Sum(nil))
	f.out.Bytes = f.n
	f.stage.outputs = append(f.stage.outputs, f.out)
	return nil
}

var _ io.Writer = (*File)(nil)

// Outputs lists the files closed so far, by name.
func (s *Stage) Outputs() []Output {
	out := append([]Output(nil), s.outputs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Commit moves the staged files into the output directory, manifest.json last, so a
// directory with a manifest always holds a complete run. Old purgeset files there (a
// --force run) are first moved aside into the stage, manifest first, and put back if
// any move fails: a failed commit leaves the directory as it was. Files purgeset did
// not write are never touched.
func (s *Stage) Commit() (err error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("read output directory: %w", err)
	}
	aside := filepath.Join(s.tmp, ".replaced")
	if err := os.Mkdir(aside, 0o700); err != nil {
		return fmt.Errorf("create staging directory: %w", err)
	}
	var movedAside, placed []string
	committed := false
	defer func() {
		if err == nil || committed {
			return
		}
		for _, n := range placed {
			rename(filepath.Join(s.dir, n), filepath.Join(s.tmp, n))
		}
		var lost []string
		for _, n := range movedAside {
			if rename(filepath.Join(aside, n), filepath.Join(s.dir, n)) != nil {
				lost = append(lost, n)
			}
		}
		syncDir(s.dir)
		if len(lost) > 0 {
			// Abort must not delete the only copy of the earlier run.
			s.keepAside = true
			err = fmt.Errorf("%w; the earlier run's %s could not be put back: they are in %s", err, strings.Join(lost, ", "), aside)
		}
	}()
	old := []string{}
	for _, e := range entries {
		if IsOwnFile(e.Name()) && !e.IsDir() {
			old = append(old, e.Name())
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i] == ManifestName && old[j] != ManifestName })
	for _, n := range old {
		if err := rename(filepath.Join(s.dir, n), filepath.Join(aside, n)); err != nil {
			return fmt.Errorf("move the earlier %s aside: %w", n, err)
		}
		movedAside = append(movedAside, n)
	}
	var manifest bool
	for _, o := range s.Outputs() {
		if o.Name == ManifestName {
			manifest = true
			continue
		}
		if err := rename(filepath.Join(s.tmp, o.Name), filepath.Join(s.dir, o.Name)); err != nil {
			return fmt.Errorf("move %s into place: %w", o.Name, err)
		}
		placed = append(placed, o.Name)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	if manifest {
		if err := rename(filepath.Join(s.tmp, ManifestName), filepath.Join(s.dir, ManifestName)); err != nil {
			return fmt.Errorf("move %s into place: %w", ManifestName, err)
		}
	}
	committed = true
	s.finished = true
	if err := os.RemoveAll(s.tmp); err != nil {
		return fmt.Errorf("the run is complete, but its staging directory %s could not be removed (it holds the replaced files): %w", s.tmp, err)
	}
	return syncDir(s.dir)
}

// rename is os.Rename; tests replace it to fail a move midway.
var rename = os.Rename

// Abort removes the stage, and the output directory when this run created it. It is
// safe to call after Commit, and more than once.
func (s *Stage) Abort() {
	if s.finished {
		return
	}
	s.finished = true
	if s.tmp != "" && s.keepAside {
		entries, _ := os.ReadDir(s.tmp)
		for _, e := range entries {
			if e.Name() != ".replaced" {
				os.RemoveAll(filepath.Join(s.tmp, e.Name()))
			}
		}
		return
	}
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	for _, d := range s.made {
		os.Remove(d) // only when empty: never delete what someone else put there
	}
}
