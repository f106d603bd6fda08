//go:build !unix

package readers

import "os"

func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
