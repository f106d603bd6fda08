package readers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// plainFieldRef is plainField the slow way: what the checks it lets pass look for.
func plainFieldRef(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\n") && strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 }) < 0
}

// TestPlainField puts each byte that must send a field to the full checks at every
// offset of strings up to 20 bytes long (both sides of the eight-byte words, the last
// overlapping the one before it), and bytes next to them (0x01, 0x0B, 0x7F) that must
// not.
func TestPlainField(t *testing.T) {
	for n := range 21 {
		for pos := range n {
			for _, c := range []byte{0x00, '\n', 0x80, 0xC3, 0xFF, 0x01, '\t', 0x0B, 0x7F, '\r', 'a'} {
				b := []byte(strings.Repeat("x", n))
				b[pos] = c
				s := string(b)
				if got, want := plainField(s), plainFieldRef(s); got != want {
					t.Errorf("plainField(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

func FuzzPlainField(f *testing.F) {
	for _, s := range []string{"", "s1234567", "Müller\n", "a\x00b", "0123456789abcdef\x0a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainField(s), plainFieldRef(s); got != want {
			t.Errorf("plainField(%q) = %v, want %v", s, got, want)
		}
	})
}
