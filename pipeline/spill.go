package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unsafe"
)

// spill keeps the normalised rows between the passes in a private temporary file, so
// that memory stays bounded by distinct IDs however large the inputs are, and each
// input is parsed only once. The file holds personal data: on Unix it is unlinked as
// soon as it is created, so that it does not outlive even a process killed outright.
// Windows refuses to remove an open file; there it is made delete-on-close
// (spill_windows.go), and Close removes the name if it is still there.
type spill struct {
	f     *os.File
	w     *bufio.Writer
	buf   []byte
	n     int
	named string // the path still to remove on Close, when unlinking early failed
}

// spilled is one row as written to the spill.
type spilled struct {
	ref    rowRef
	entry  int32  // the ID's index entry, or -1 when an ID rule excluded the row
	local  Reason // the first rule that applies, ignoring the rules that need the whole run
	detail string
	f      fields
	key    idKey // worked out beside the normalising, for the index; not spilled
}

func newSpill(dir string) (*spill, error) {
	f, err := createSpill(dir)
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	s := &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	if os.Remove(f.Name()) != nil {
		s.named = f.Name()
	}
	return s, nil
}

func (s *spill) Close() error {
	err := s.f.Close()
	if s.named != "" {
		if rerr := os.Remove(s.named); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("remove temporary file %s: %w", s.named, rerr)
		}
	}
	return err
}

func (s *spill) put(r *spilled) error {
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(r.ref.src))
	b = binary.AppendUvarint(b, uint64(r.ref.row))
	b = binary.AppendVarint(b, int64(r.entry))
	b = append(b, byte(r.local), byte(r.f.idReason), flags(r))
	b = binary.AppendVarint(b, int64(r.f.expiry))
	b = binary.AppendVarint(b, int64(r.f.purge))
	strs := [6]string{r.f.id, r.detail, r.f.group, r.f.recordType, r.f.expiryText, r.f.purgeText}
	b = binary.AppendUvarint(b, uint64(len(r.f.extra)))
	for _, str := range strs {
		b = binary.AppendUvarint(b, uint64(len(str)))
	}
	for _, str := range r.f.extra {
		b = binary.AppendUvarint(b, uint64(len(str)))
	}
	for _, str := range strs {
		b = append(b, str...)
	}
	for _, str := range r.f.extra {
		b = append(b, str...)
	}
	s.buf = b
	s.n++
	_, err := s.w.Write(b)
	return err
}

func flags(r *spilled) byte {
	var f byte
	if r.f.expiryOK {
		f |= 1
	}
	if r.f.purgeOK {
		f |= 2
	}
	if r.f.hasRType {
		f |= 4
	}
	return f
}

// rows replays the spill from the start; each call is a new pass.
func (s *spill) rows(each func(*spilled) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind temporary file: %w", err)
	}
	r := bufio.NewReaderSize(s.f, 1<<20)
	var rec spilled
	var arena chunkArena
	for i := 0; i < s.n; i++ {
		if err := readSpilled(r, &rec, &arena); err != nil {
			return fmt.Errorf("read temporary file: %w", err)
		}
		if err := each(&rec); err != nil {
			return err
		}
	}
	return nil
}

var errSpill = errors.New("damaged temporary file")

// chunkArena hands out pieces of 64 KiB chunks, so that the strings of a million
// rows cost a few thousand allocations. A chunk lives as long as any string in it.
type chunkArena struct{ chunk []byte }

func (a *chunkArena) take(n int) []byte {
	if n > 16<<10 {
		return make([]byte, n)
	}
	if len(a.chunk) < n {
		a.chunk = make([]byte, 64<<10)
	}
	b := a.chunk[:n:n]
	a.chunk = a.chunk[n:]
	return b
}

func readSpilled(r *bufio.Reader, rec *spilled, arena *chunkArena) error {
	src, err1 := binary.ReadUvarint(r)
	row, err2 := binary.ReadUvarint(r)
	ent, err6 := binary.ReadVarint(r)
	var head [3]byte
	_, err3 := io.ReadFull(r, head[:])
	exp, err4 := binary.ReadVarint(r)
	pur, err5 := binary.ReadVarint(r)
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return err
	}
	rec.ref = rowRef{src: int32(src), row: int32(row)}
	rec.entry = int32(ent)
	rec.local, rec.f.idReason = Reason(head[0]), Reason(head[1])
	rec.f.expiryOK, rec.f.purgeOK, rec.f.hasRType = head[2]&1 != 0, head[2]&2 != 0, head[2]&4 != 0
	rec.f.expiry, rec.f.purge = Date(exp), Date(pur)
	// The strings of one row share one allocation: the lengths come first.
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	if n > 1<<20 {
		return errSpill
	}
	var lens [6 + 16]uint64
	ls := lens[:0]
	total := uint64(0)
	for i := 0; i < 6+int(n); i++ {
		l, err := binary.ReadUvarint(r)
		if err != nil {
			return err
		}
		ls = append(ls, l)
		total += l
	}
	if total > 1<<31 {
		return errSpill
	}
	buf := arena.take(int(total))
	if _, err := io.ReadFull(r, buf); err != nil {
		return err
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	next := func(i int) string {
		s := all[:ls[i]]
		all = all[ls[i]:]
		return s
	}
	rec.f.id, rec.detail, rec.f.group, rec.f.recordType = next(0), next(1), next(2), next(3)
	rec.f.expiryText, rec.f.purgeText = next(4), next(5)
	rec.f.extra = rec.f.extra[:0]
	for i := 0; i < int(n); i++ {
		rec.f.extra = append(rec.f.extra, next(6+i))
	}
	return nil
}
