//go:build !unix

package pipeline

// On other systems (Windows) the index lives on the Go heap; ulimit -v does not exist.
func mapMem(n int) ([]byte, error)            { return make([]byte, max(n, 1)), nil }
func unmapMem([]byte)                         {}
func addressSpaceLimit() (int64, bool)        { return 0, false }
func addressSpaceUsed() int64                 { return 0 }
func growMem(b []byte, n int) ([]byte, error) { return growByCopy(b, n) }
