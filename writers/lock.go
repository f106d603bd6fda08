package writers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LockName is the lock file in a run directory while a purgeset writes into it. It is
// removed on release; verify and the --out check pass over it.
const LockName = ".purgeset-lock"

// StagePrefix starts the name of a stage directory inside a run directory.
const StagePrefix = ".purgeset-stage-"

// ErrBusy is a run directory locked by another purgeset (exit 2, like any --out that
// cannot be used).
var ErrBusy = fmt.Errorf("%w: another purgeset is writing it", ErrOutDir)

// DirLock is the one-writer lock of a run directory: an OS lock (flock on unix,
// LockFileEx on windows) on DIR/.purgeset-lock, released by the kernel if the process
// dies, so a killed run never leaves a directory locked.
type DirLock struct {
	dir  string
	f    *os.File
	made []string // directories LockOutDir made, dir first, then its new parents
	// Stale lists the stages of earlier runs that were killed before they finished,
	// removed now (Kept: left, since they hold an earlier run's replaced files).
	Stale, Kept []string
}

// LockOutDir takes the lock of run's --out, making the directory (0700) when missing,
// and removes the stages killed runs left there: no live run owns them while the lock
// is held. A second run, --force or upload into the same directory gets ErrBusy.
func LockOutDir(dir string) (*DirLock, error) {
	l := &DirLock{dir: dir}
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
			if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
				break
			}
			l.made = append(l.made, d)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			l.removeMade()
			return nil, fmt.Errorf("create output directory: %w", err)
		}
	}
	if err := l.lock(); err != nil {
		l.removeMade()
		return nil, err
	}
	if err := l.removeStale(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// LockRunDir takes the lock of an existing run directory, for a command that changes
// or uploads it (alma upload): ErrBusy while a run is writing it.
func LockRunDir(dir string) (*DirLock, error) {
	l := &DirLock{dir: dir}
	if err := l.lock(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *DirLock) lock() error {
	path := filepath.Join(l.dir, LockName)
	for range 3 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			if fi, serr := os.Stat(l.dir); serr == nil && !fi.IsDir() {
				return fmt.Errorf("%w: --out %s is a file, not a directory; name a new directory", ErrOutDir, l.dir)
			}
			return fmt.Errorf("%w: %s: cannot create its lock file: %v", ErrOutDir, l.dir, err)
		}
		busy, err := tryLock(f)
		if err != nil {
			f.Close()
			return fmt.Errorf("%w: %s: cannot lock it: %v", ErrOutDir, l.dir, err)
		}
		if busy {
			f.Close()
			return fmt.Errorf("%w: %s; wait for it to finish (or check that no other purgeset is running), then run again", ErrBusy, l.dir)
		}
		// The holder before us removes the file on release: the lock taken may be on a
		// file already unlinked. Only the file the path names counts.
		if same(f, path) {
			l.f = f
			return nil
		}
		unlock(f)
		f.Close()
	}
	return fmt.Errorf("%w: %s; wait for it to finish, then run again", ErrBusy, l.dir)
}

func same(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// removeStale removes the stages of runs that were killed: a stage is only ever
// written under the lock, so one found now is nobody's.
func (l *DirLock) removeStale() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrOutDir, l.dir, err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), StagePrefix) {
			continue
		}
		p := filepath.Join(l.dir, e.Name())
		if aside, err := os.ReadDir(filepath.Join(p, ".replaced")); err == nil && len(aside) > 0 {
			l.Kept = append(l.Kept, e.Name()) // the only copy of an earlier run's files
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove the staging directory %s left by an interrupted run: %w", p, err)
		}
		l.Stale = append(l.Stale, e.Name())
	}
	return nil
}

// Release removes the lock file, unlocks, and removes the directories LockOutDir made
// when nothing was written into them. Safe to call twice and on nil.
func (l *DirLock) Release() {
	if l == nil {
		return
	}
	if l.f != nil {
		// Removed before unlocking, so that a waiting run never locks a file that a
		// third run could create again beside it.
		os.Remove(filepath.Join(l.dir, LockName))
		unlock(l.f)
		l.f.Close()
		l.f = nil
	}
	l.removeMade()
}

func (l *DirLock) removeMade() {
	for _, d := range l.made {
		os.Remove(d) // only when empty: never delete what someone else put there
	}
	l.made = nil
}
