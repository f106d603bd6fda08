//go:build unix

package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// limitFileSize sets RLIMIT_FSIZE to s bytes, which binds root too, unlike permission
// bits: each output's write error can then be made at will.
func limitFileSize(s string) {
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(98)
	}
	// A write past the limit then fails with EFBIG instead of killing the process.
	signal.Ignore(syscall.SIGXFSZ)
	var rl syscall.Rlimit
	setLimit(&rl.Cur, n)
	setLimit(&rl.Max, n)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &rl); err != nil {
		fmt.Fprintln(os.Stderr, "helper: setrlimit:", err)
		os.Exit(98)
	}
}

// setLimit sets an rlimit field, whose type differs between systems.
func setLimit[T ~int64 | ~uint64](p *T, n uint64) { *p = T(n) }
