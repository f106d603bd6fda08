package readers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strings"
	"unicode/utf8"
)

// fastLines reads the lines that hold no quote character without encoding/csv (issue
// 13: parsing was the largest part of reading a CSV). Such a line is, to encoding/csv,
// its fields split at each delimiter: no quoting rule applies, and a bare quote, the
// one error of an unquoted field, cannot occur. A line with a quote, one not yet whole
// in the buffer, and the end of the file go to encoding/csv as before, which reads from
// the same bufio.Reader and so continues where this left off; its line numbers and
// offsets then lack what was read here, which lines and bytes add back.
// fastdiff_test.go checks it against encoding/csv alone, at the buffer's edges.
type fastLines struct {
	on    bool
	br    *bufio.Reader
	comma byte
	rec   []string
	lines int   // physical lines read here, all before encoding/csv's current line
	bytes int64 // bytes read here
	at    int   // the physical line on which the last record ended
}

func (f *fastLines) init(r *csv.Reader, br *bufio.Reader) {
	f.br = br
	f.comma = byte(r.Comma)
	// encoding/csv reads from br itself only when br is at least as large as the
	// bufio.Reader it would make (4096 bytes); otherwise it would read ahead of us.
	f.on = r.Comma < utf8.RuneSelf && r.Comment == 0 && !r.TrimLeadingSpace && br.Size() >= 4096
}

// next reads the next record when it stands on a line of its own without a quote,
// already in the buffer, and reports whether the whole line is plainField text. It
// skips empty lines first, as encoding/csv does, until it meets another kind of line.
func (f *fastLines) next() (rec []string, clean, ok bool) {
	if !f.on {
		return nil, false, false
	}
	for {
		buf, _ := f.br.Peek(f.br.Buffered()) // no read, so no error
		n := bytes.IndexByte(buf, '\n')
		if n < 0 {
			return nil, false, false
		}
		line := buf[:n]
		if len(line) > 0 && line[len(line)-1] == '\r' { // encoding/csv: \r\n is \n
			line = line[:len(line)-1]
		}
		if bytes.IndexByte(line, '"') >= 0 {
			return nil, false, false
		}
		var str string
		if len(line) > 0 {
			str = string(line) // one string for the record, as encoding/csv makes
		}
		f.br.Discard(n + 1)
		f.lines++
		f.bytes += int64(n + 1)
		f.at++
		if len(line) == 0 {
			continue
		}
		clean = plainField(str)
		rec = f.rec[:0]
		for {
			i := strings.IndexByte(str, f.comma)
			if i < 0 {
				break
			}
			rec = append(rec, str[:i])
			str = str[i+1:]
		}
		rec = append(rec, str)
		f.rec = rec
		return rec, clean, true
	}
}

// read returns the next record, the physical lines on which it starts and ends, and
// whether all its text is known to be plainField.
func (s *textSource) read() (rec []string, start, end int, clean bool, err error) {
	if rec, clean, ok := s.fast.next(); ok {
		return rec, s.fast.at, s.fast.at, clean, nil
	}
	rec, err = s.csv.Read()
	if err != nil {
		return rec, 0, 0, false, err
	}
	start, _ = s.csv.FieldPos(0)
	end, _ = s.csv.FieldPos(len(rec) - 1)
	start += s.fast.lines
	end += s.fast.lines + strings.Count(rec[len(rec)-1], "\n")
	s.fast.at = end
	return rec, start, end, false, nil
}
