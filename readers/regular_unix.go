//go:build unix

package readers

import (
	"os"
	"syscall"
)

// openNoBlock opens with O_NONBLOCK, so that a FIFO without a writer does not block
// the open; regular files ignore the flag.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
