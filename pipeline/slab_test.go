package pipeline

import (
	"errors"
	"strings"
	"testing"
)

// TestSlabRefusedGrowth: a mapping the system refuses (here one larger than the
// address space, as ulimit -v refuses a smaller one) is an error that says how much
// memory the index needed, and the slab keeps what it held.
func TestSlabRefusedGrowth(t *testing.T) {
	s, err := newSlab[entry](1024)
	if err != nil {
		t.Fatal(err)
	}
	defer s.free()
	s.push(entry{rows: 7})
	err = s.room(1 << 50)
	if !errors.Is(err, errAddressSpace) {
		t.Fatalf("room(2^50) = %v, want an errAddressSpace", err)
	}
	if len(s.items) != 1 || s.items[0].rows != 7 || cap(s.items) != 1024 {
		t.Fatalf("after the refusal the slab holds %d items (cap %d), want the one it had", len(s.items), cap(s.items))
	}
	if err := s.room(5000); err != nil || cap(s.items) < 5001 || s.items[0].rows != 7 {
		t.Fatalf("room(5000) = %v, cap %d: growing must keep the items", err, cap(s.items))
	}
	msg := memoryError(12345, 300<<20, err).Error()
	for _, want := range []string{"not enough memory for the ID index", "12345 distinct IDs", "300 MB more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
