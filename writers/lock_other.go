//go:build !unix && !windows

package writers

import "os"

// On systems without file locks (wasip1, plan9) only one process runs purgeset at a
// time anyway; the lock file still marks the directory.
func tryLock(*os.File) (bool, error) { return false, nil }

func unlock(*os.File) {}
