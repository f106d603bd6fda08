package readers

// The per-field checks of text cost more than they need when each is two calls over a
// few bytes (issue 13: utf8.ValidString and a NUL search per field). Nearly every field
// of an export is short ASCII text, so one pass eight bytes at a time settles it; only
// the rest takes the full checks.

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// word is the first eight bytes of s as a little-endian number (the compiler makes
// it one load).
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plainField reports whether s is ASCII holding neither NUL nor a line feed: text that
// textProblem and the multi-line check of tab-delimited text pass without a look. A
// false answer only sends s to those checks.
func plainField(s string) bool {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == 0 || c == '\n' || c >= 0x80 {
				return false
			}
		}
		return true
	}
	// The last word overlaps the one before it rather than leave a tail of bytes.
	for i := 0; ; i += 8 {
		i = min(i, len(s)-8)
		w := word(s[i:])
		nl := w ^ (lo8 * '\n')
		// A byte with its high bit set, or (the words then being ASCII, the classic
		// test exact) a zero byte in w or in nl.
		if (w|(w-lo8)&^w|(nl-lo8)&^nl)&hi8 != 0 {
			return false
		}
		if i == len(s)-8 {
			return true
		}
	}
}
