//go:build unix

package audit

import "syscall"

// mkfifo makes a named pipe: the input that would hang a reader that waits for a writer.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
