//go:build unix && !linux

package pipeline

const mapNoReserve = 0

func adviseHuge([]byte) {}

func growMem(b []byte, n int) ([]byte, error) { return growByCopy(b, n) }
