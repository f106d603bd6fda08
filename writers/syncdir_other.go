//go:build !windows

package writers

import (
	"fmt"
	"os"
)

// syncDir makes the renames into dir durable: on POSIX a rename is in the directory's
// data, which only an fsync of the directory writes out.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
