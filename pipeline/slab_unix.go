//go:build unix

package pipeline

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mapMem returns n zeroed bytes of anonymous memory outside the Go heap. NORESERVE:
// a generous reservation costs address space only, not memory. A refused mapping
// (ulimit -v) ends the run with a message saying what limit would do. (Refusing
// earlier, to keep room for the Go heap, was tried: VmSize counts the runtime's own
// reservations, and the check then refused runs that fit.)
func mapMem(n int) ([]byte, error) {
	// x/sys/unix rather than syscall: its Mremap (growMem) moves only its own mappings.
	b, err := unix.Mmap(-1, 0, max(n, 1), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANON|mapNoReserve)
	if err != nil {
		return nil, fmt.Errorf("map %d bytes: %w (%w)", n, err, errAddressSpace)
	}
	if n >= 4<<20 {
		adviseHuge(b)
	}
	return b, nil
}

func unmapMem(b []byte) { unix.Munmap(b) }

// addressSpaceLimit is RLIMIT_AS (ulimit -v), when one is set.
func addressSpaceLimit() (int64, bool) {
	var rl unix.Rlimit
	// The field's type differs between systems; "unlimited" is at least 2^62 on all.
	if err := unix.Getrlimit(unix.RLIMIT_AS, &rl); err != nil || uint64(rl.Cur) >= 1<<62 {
		return 0, false
	}
	return int64(rl.Cur), true
}

// addressSpaceUsed is the process's mapped address space (VmSize) where /proc tells.
func addressSpaceUsed() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	pages, err := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
