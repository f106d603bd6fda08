package pipeline

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE

// adviseHuge asks for transparent huge pages: the index is probed at random, and with
// 4 KiB pages most probes miss the TLB (BenchmarkIndexAdd: 254 -> 197 ns a row).
// Only advice: a kernel that says no changes nothing.
func adviseHuge(b []byte) { _ = syscall.Madvise(b, 14 /* MADV_HUGEPAGE */) }
