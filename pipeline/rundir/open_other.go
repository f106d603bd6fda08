//go:build !unix

package rundir

import "os"

func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
