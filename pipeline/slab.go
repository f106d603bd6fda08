package pipeline

import "unsafe"

// slab is a growable array of pointer-free values kept outside the Go heap (see
// mapMem). The ID index lives in slabs: it is the one structure that grows with the
// data, and on the heap the garbage collector would let the heap grow to twice its
// size before collecting the per-row garbage around it.
type slab[T any] struct {
	mem   []byte
	items []T
}

// newSlab reserves room for n values; the pages are not resident until written.
func newSlab[T any](n int) *slab[T] {
	s := &slab[T]{}
	s.reserve(max(n, 1024))
	return s
}

func (s *slab[T]) reserve(n int) {
	var zero T
	mem := mapMem(n * int(unsafe.Sizeof(zero)))
	items := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), n)[:len(s.items)]
	copy(items, s.items)
	if s.mem != nil {
		unmapMem(s.mem)
	}
	s.mem, s.items = mem, items
}

func (s *slab[T]) push(v T) int {
	if len(s.items) == cap(s.items) {
		s.reserve(2 * cap(s.items))
	}
	s.items = append(s.items, v)
	return len(s.items) - 1
}

// free returns the memory; the slab must not be used afterwards.
func (s *slab[T]) free() {
	if s.mem != nil {
		unmapMem(s.mem)
	}
	s.mem, s.items = nil, nil
}

// pushAll appends vs and returns the index of the first.
func (s *slab[T]) pushAll(vs []T) int {
	for len(s.items)+len(vs) > cap(s.items) {
		s.reserve(2 * cap(s.items))
	}
	at := len(s.items)
	s.items = append(s.items, vs...)
	return at
}
