//go:build unix

package pipeline

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used (user and system, every thread).
// On a machine shared with others' builds, a benchmark's wall time mostly measures the
// queue for a core; CPU time measures the work.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
