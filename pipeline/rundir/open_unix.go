//go:build unix

package rundir

import (
	"os"
	"syscall"
)

// openNoFollow refuses a symbolic link swapped in after the Lstat, and never blocks on
// a FIFO swapped in.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
