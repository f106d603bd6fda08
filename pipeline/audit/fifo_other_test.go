//go:build !unix

package audit

import "errors"

// mkfifo: Windows has no mkfifo (its named pipes live under \\.\pipe\, not in a folder),
// so the FIFO case of the tests cannot be made there; the other cases still run.
func mkfifo(string) error { return errors.New("no FIFOs on this system (POSIX only)") }
