//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// treeWatch reports file system events under a directory through inotify, so the
// signal tests act on what purgeset did (a stage file received rows) rather than on
// how long it usually takes to get there.
type treeWatch struct {
	f     *os.File // the inotify descriptor, non-blocking, so Close and deadlines work
	fd    int
	paths map[int32]string // watch descriptor → directory
}

const watchMask = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_MOVED_TO

func watchTree(t *testing.T, root string) *treeWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	w := &treeWatch{f: os.NewFile(uintptr(fd), "inotify"), fd: fd, paths: map[int32]string{}}
	t.Cleanup(func() { w.f.Close() })
	w.add(t, root)
	return w
}

func (w *treeWatch) add(t *testing.T, dir string) {
	wd, err := unix.InotifyAddWatch(w.fd, dir, watchMask)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return // created and removed again before we looked: nothing to watch
		}
		t.Fatalf("inotify watch %s: %v", dir, err)
	}
	w.paths[int32(wd)] = dir
	// A directory made between its creation event and this watch would be missed.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			w.add(t, filepath.Join(dir, e.Name()))
		}
	}
}

// until reads events until seen returns true for one (path, modified) and reports
// whether it did before the timeout. New directories are watched as they appear. A
// timeout of zero looks only at the events already queued (a deadline already past
// would not even read those).
func (w *treeWatch) until(t *testing.T, timeout time.Duration, seen func(path string, modified bool) bool) bool {
	t.Helper()
	w.f.SetReadDeadline(time.Now().Add(max(timeout, time.Millisecond)))
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return false
			}
			t.Fatalf("inotify read: %v", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			off += unix.SizeofInotifyEvent + int(ev.Len)
			p := filepath.Join(w.paths[ev.Wd], name)
			if ev.Mask&unix.IN_ISDIR != 0 && ev.Mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 {
				w.add(t, p)
			}
			if seen(p, ev.Mask&unix.IN_MODIFY != 0) {
				return true
			}
		}
	}
}
