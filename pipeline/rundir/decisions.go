package rundir

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/writers"
)

// maxLineBytes bounds one line of decisions.csv: a line is one row's few fields, and a
// damaged file without line breaks must not be read whole into memory.
const maxLineBytes = 1 << 20

// Decision is one line of decisions.csv; Line is its line number (the header is 1).
type Decision struct {
	writers.DecisionRow
	Line int
}

// Decisions streams DIR/decisions.csv: the header is checked first, then every line
// must have the eight fields and a row number. The first error ends the sequence; it is
// a *Problem naming the line and column, never the content. The Decision is reused.
func (d *Dir) Decisions() iter.Seq2[*Decision, error] {
	return func(yield func(*Decision, error) bool) {
		f, err := d.OpenListed(writers.DecisionsName)
		if err != nil {
			yield(nil, err)
			return
		}
		defer f.Close()
		for r, err := range ReadDecisions(f) {
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
}

// ReadDecisions is Decisions over any reader (tests, fuzzing).
func ReadDecisions(r io.Reader) iter.Seq2[*Decision, error] {
	return func(yield func(*Decision, error) bool) {
		const name = writers.DecisionsName
		lr := &lineLimit{r: bufio.NewReaderSize(r, 256<<10)}
		c := csv.NewReader(lr)
		c.ReuseRecord = true
		c.FieldsPerRecord = len(writers.DecisionsHeader)
		head, err := c.Read()
		if err != nil {
			yield(nil, csvProblem(name, err, lr))
			return
		}
		if strings.Join(head, ",") != strings.Join(writers.DecisionsHeader, ",") {
			yield(nil, problemf(name, "line 1 is not the header %s: not purgeset's decisions.csv", strings.Join(writers.DecisionsHeader, ",")))
			return
		}
		var d Decision
		for {
			rec, err := c.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, csvProblem(name, err, lr))
				return
			}
			line, _ := c.FieldPos(0)
			row, err := strconv.Atoi(rec[1])
			if err != nil || row < 1 {
				yield(nil, problemf(name, "line %d, column row: not a row number", line))
				return
			}
			d = Decision{Line: line, DecisionRow: writers.DecisionRow{Source: rec[0], Row: row, ID: rec[2], UserGroup: rec[3],
				Expiry: rec[4], Decision: rec[5], Reason: rec[6], Detail: rec[7]}}
			if !yield(&d, nil) {
				return
			}
		}
	}
}

// csvProblem turns a CSV error into a Problem with line and column, without content.
func csvProblem(name string, err error, lr *lineLimit) error {
	if lr.tooLong {
		return problemf(name, "line %d is longer than %d bytes: not purgeset's decisions.csv", lr.lines+1, maxLineBytes)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		col := "?"
		if pe.Column > 0 {
			col = strconv.Itoa(pe.Column)
		}
		what := "is not valid CSV"
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			what = fmt.Sprintf("does not have the %d fields of the header", len(writers.DecisionsHeader))
			return problemf(name, "line %d %s", pe.Line, what)
		}
		return problemf(name, "line %d, character %s %s (%v)", pe.Line, col, what, pe.Err)
	}
	if err == io.EOF {
		return problemf(name, "is empty: no header line")
	}
	return problemf(name, "cannot be read: %v", errText(err))
}

// lineLimit passes bytes through until a line grows past maxLineBytes.
type lineLimit struct {
	r       *bufio.Reader
	run     int // bytes since the last line break
	lines   int
	tooLong bool
}

var errLineTooLong = errors.New("line too long")

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.tooLong {
		return 0, errLineTooLong
	}
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.run = 0
			l.lines++
		} else if l.run++; l.run > maxLineBytes {
			l.tooLong = true
			return 0, errLineTooLong
		}
	}
	return n, err
}
