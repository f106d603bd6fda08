//go:build unix && !linux

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// treeWatch polls where inotify does not exist: the tests still act on what purgeset
// did, only later by up to one poll.
type treeWatch struct{ root string }

func watchTree(t *testing.T, root string) *treeWatch { return &treeWatch{root: root} }

func (w *treeWatch) until(t *testing.T, timeout time.Duration, seen func(path string, modified bool) bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		found := false
		filepath.Walk(w.root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !found && seen(p, fi.Mode().IsRegular() && fi.Size() > 0) {
				found = true
			}
			return nil
		})
		if found {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
