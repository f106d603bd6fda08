package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// spill keeps the normalised rows between the passes in a private temporary file, so
// that memory stays bounded by distinct IDs however large the inputs are, and each
// input is parsed only once. The file is unlinked as soon as it is created: it holds
// personal data and must not outlive the process, even one killed outright.
type spill struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
	n   int
}

// spilled is one row as written to the spill.
type spilled struct {
	ref    rowRef
	entry  int32  // the ID's index entry, or -1 when an ID rule excluded the row
	local  Reason // the first rule that applies, ignoring the rules that need the whole run
	detail string
	f      fields
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, ".purgeset-spill-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlink temporary file: %w", err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *spill) Close() error { return s.f.Close() }

func (s *spill) put(r *spilled) error {
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(r.ref.src))
	b = binary.AppendUvarint(b, uint64(r.ref.row))
	b = binary.AppendVarint(b, int64(r.entry))
	b = append(b, byte(r.local), byte(r.f.idReason), flags(r))
	b = binary.AppendVarint(b, int64(r.f.expiry))
	b = binary.AppendVarint(b, int64(r.f.purge))
	for _, str := range []string{r.f.id, r.detail, r.f.group, r.f.recordType, r.f.expiryText, r.f.purgeText} {
		b = appendString(b, str)
	}
	b = binary.AppendUvarint(b, uint64(len(r.f.extra)))
	for _, str := range r.f.extra {
		b = appendString(b, str)
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

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
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
	for i := 0; i < s.n; i++ {
		if err := readSpilled(r, &rec); err != nil {
			return fmt.Errorf("read temporary file: %w", err)
		}
		if err := each(&rec); err != nil {
			return err
		}
	}
	return nil
}

var errSpill = errors.New("damaged temporary file")

func readSpilled(r *bufio.Reader, rec *spilled) error {
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
	for _, p := range []*string{&rec.f.id, &rec.detail, &rec.f.group, &rec.f.recordType, &rec.f.expiryText, &rec.f.purgeText} {
		s, err := readString(r)
		if err != nil {
			return err
		}
		*p = s
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	if n > 1<<20 {
		return errSpill
	}
	rec.f.extra = rec.f.extra[:0]
	for ; n > 0; n-- {
		s, err := readString(r)
		if err != nil {
			return err
		}
		rec.f.extra = append(rec.f.extra, s)
	}
	return nil
}

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > 1<<30 {
		return "", errSpill
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}
