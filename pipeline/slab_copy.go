//go:build !linux

package pipeline

// growByCopy is growMem where the system cannot move a mapping's pages.
func growByCopy(b []byte, n int) ([]byte, error) {
	nb, err := mapMem(n)
	if err != nil {
		return nil, err
	}
	copy(nb, b)
	unmapMem(b)
	return nb, nil
}
