package pipeline

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

const mapNoReserve = syscall.MAP_NORESERVE

// adviseHuge asks for transparent huge pages: the index is probed at random, and with
// 4 KiB pages most probes miss the TLB (BenchmarkIndexAdd: 254 -> 197 ns a row).
// Only advice: a kernel that says no changes nothing.
func adviseHuge(b []byte) { _ = syscall.Madvise(b, 14 /* MADV_HUGEPAGE */) }

// growMem enlarges mapping b to n bytes, keeping its contents. mremap moves pages
// instead of copying them, so growing never needs the old and the new size mapped at
// once: under ulimit -v, the 1M-row XLSX run failed at that moment with map and copy.
func growMem(b []byte, n int) ([]byte, error) {
	nb, err := unix.Mremap(b, n, unix.MREMAP_MAYMOVE)
	if err != nil {
		return nil, fmt.Errorf("grow a mapping to %d bytes: %w (%w)", n, err, errAddressSpace)
	}
	if n >= 4<<20 {
		adviseHuge(nb)
	}
	return nb, nil
}
