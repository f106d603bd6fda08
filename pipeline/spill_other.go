//go:build !windows

package pipeline

import "os"

// createSpill makes the spill file; newSpill unlinks it at once, which POSIX allows
// while it is open.
func createSpill(dir string) (*os.File, error) { return os.CreateTemp(dir, ".purgeset-spill-*") }
