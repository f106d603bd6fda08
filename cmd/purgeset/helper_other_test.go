//go:build !unix

package main

import (
	"fmt"
	"os"
)

// limitFileSize: Windows has no file size limit per process; the tests that use one are
// POSIX only (signal_test.go), so reaching this is a test bug.
func limitFileSize(string) {
	fmt.Fprintln(os.Stderr, "helper: PURGESET_HELPER_FSIZE needs RLIMIT_FSIZE (POSIX only)")
	os.Exit(98)
}
