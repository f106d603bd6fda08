//go:build unix

package pipeline

import (
	"fmt"
	"syscall"
)

// mapMem returns n zeroed bytes of anonymous memory outside the Go heap. NORESERVE:
// a generous reservation costs address space only, not memory.
func mapMem(n int) []byte {
	b, err := syscall.Mmap(-1, 0, max(n, 1), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
	if err != nil {
		panic(fmt.Sprintf("pipeline: cannot map %d bytes for the ID index: %v", n, err))
	}
	if n >= 4<<20 {
		adviseHuge(b)
	}
	return b
}

func unmapMem(b []byte) { syscall.Munmap(b) }
