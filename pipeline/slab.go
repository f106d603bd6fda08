package pipeline

import (
	"errors"
	"fmt"
	"unsafe"
)

// slab is a growable array of pointer-free values kept outside the Go heap (see
// mapMem). The ID index lives in slabs: it is the one structure that grows with the
// data, and on the heap the garbage collector would let the heap grow to twice its
// size before collecting the per-row garbage around it. (A Go-slice index with
// GOGC=25 measured 190-270 MB of RSS against 128 MB for the 1M-row lean run, and
// 0.8 s more CPU: see BENCH.md.)
type slab[T any] struct {
	mem   []byte
	items []T
}

// newSlab reserves room for n values; the pages are not resident until written.
func newSlab[T any](n int) (*slab[T], error) {
	s := &slab[T]{}
	return s, s.reserve(max(n, 1024))
}

func (s *slab[T]) reserve(n int) error {
	var zero T
	var mem []byte
	var err error
	if s.mem == nil {
		mem, err = mapMem(n * int(unsafe.Sizeof(zero)))
	} else {
		mem, err = growMem(s.mem, n*int(unsafe.Sizeof(zero)))
	}
	if err != nil {
		return err // s is as it was
	}
	s.mem, s.items = mem, unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), n)[:len(s.items)]
	return nil
}

// room makes sure that n more values fit without growing, so that push and pushAll,
// on the hot path, cannot fail.
func (s *slab[T]) room(n int) error {
	// By half: mremap makes growing cheap, and a smaller step fits more IDs under
	// ulimit -v (the 1M-row XLSX, whose size underestimates its rows, grows once).
	c := cap(s.items)
	for len(s.items)+n > c {
		c += c / 2
	}
	if c == cap(s.items) {
		return nil
	}
	return s.reserve(c)
}

func (s *slab[T]) push(v T) int {
	s.items = append(s.items, v)
	return len(s.items) - 1
}

// pushAll appends vs and returns the index of the first.
func (s *slab[T]) pushAll(vs []T) int {
	at := len(s.items)
	s.items = append(s.items, vs...)
	return at
}

// free returns the memory; the slab must not be used afterwards.
func (s *slab[T]) free() {
	if s.mem != nil {
		unmapMem(s.mem)
	}
	s.mem, s.items = nil, nil
}

// errAddressSpace is a mapping refused for want of address space or memory.
var errAddressSpace = errors.New("out of memory")

// memoryError says how much memory the index needed when the system refused it: the
// run stops with exit 1 and a number to raise ulimit -v to, instead of a crash.
func memoryError(ids, want int, err error) error {
	msg := fmt.Sprintf("not enough memory for the ID index: it holds %d distinct IDs and needed %d MB more", ids, want>>20)
	if limit, ok := addressSpaceLimit(); ok {
		msg += fmt.Sprintf(", but this process may use only %d MB of address space (ulimit -v %d)", limit>>20, limit>>10)
		need := addressSpaceUsed() + int64(want) + 64<<20 // and room for the Go heap
		msg += fmt.Sprintf("; raise the limit to at least %d MB (ulimit -v %d); about 100 bytes per distinct ID plus 800 MB for the Go runtime is enough", (need>>20)+64, ((need>>20)+64)<<10)
	} else {
		msg += "; free memory on this machine or run with fewer inputs at a time"
	}
	return fmt.Errorf("%s: %w", msg, err)
}
