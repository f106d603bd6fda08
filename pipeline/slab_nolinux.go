//go:build unix && !linux

package pipeline

const mapNoReserve = 0

func adviseHuge([]byte) {}
