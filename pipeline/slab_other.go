//go:build !unix

package pipeline

func mapMem(n int) []byte { return make([]byte, max(n, 1)) }
func unmapMem([]byte)     {}
