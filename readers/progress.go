package readers

import "io"

// positioner is a Source that can say how far through its file it is.
type positioner interface {
	position() (done, total int64)
}

// position is the file offset reached: bytes read ahead by buffers count as done, which
// is close enough for a progress bar.
func (s *textSource) position() (int64, int64) {
	done, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0
	}
	fi, err := s.f.Stat()
	if err != nil {
		return done, 0
	}
	return done, fi.Size()
}

// Progress reports how many bytes of the input were read and its size; total is 0
// when the format cannot tell (XLSX sheets are read through zip decompression).
func (t *Table) Progress() (done, total int64) {
	if p, ok := t.src.(positioner); ok {
		return p.position()
	}
	return 0, 0
}
