package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gocarina/gocsv"
)

// DecisionsName is the per-row decision table.
const DecisionsName = "decisions.csv"

// DecisionRow is one line of decisions.csv (SPEC §5). The csv tags let gocsv read the
// file back (verify, diff, reconcile); DecisionsWriter formats the lines itself.
type DecisionRow struct {
	Source    string `csv:"source"`
	Row       int    `csv:"row"`
	ID        string `csv:"id"`
	UserGroup string `csv:"user_group"`
	Expiry    string `csv:"expiry_date"`
	Decision  string `csv:"decision"`
	Reason    string `csv:"reason"`
	Detail    string `csv:"detail"`
}

// DecisionsHeader is the header line's fields, in order.
var DecisionsHeader = []string{"source", "row", "id", "user_group", "expiry_date", "decision", "reason", "detail"}

// DecisionsWriter streams decisions.csv: UTF-8 without BOM, \n line ends, quoted as
// encoding/csv quotes (the same bytes), but formatted straight into the bufio buffer:
// encoding/csv's per-field work and a string per row number were a third of the write
// pass. The File hashes the bytes as they go to disk.
type DecisionsWriter struct {
	f       *File
	b       *bufio.Writer
	source  string // the last row's source and its field, since runs of rows share it
	srcText []byte
	rows    int
}

func NewDecisionsWriter(stage *Stage) (*DecisionsWriter, error) {
	f, err := stage.Create(DecisionsName)
	if err != nil {
		return nil, err
	}
	w := &DecisionsWriter{f: f, b: bufio.NewWriterSize(f, 1<<20)}
	line := w.b.AvailableBuffer()
	for i, h := range DecisionsHeader {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, h)
	}
	if _, err := w.b.Write(append(line, '\n')); err != nil {
		f.f.Close()
		return nil, err
	}
	return w, nil
}

func (w *DecisionsWriter) Write(r *Record) error {
	if r.Source != w.source || w.srcText == nil {
		w.source, w.srcText = r.Source, appendCSVField(w.srcText[:0], r.Source)
	}
	line := append(w.b.AvailableBuffer(), w.srcText...)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(r.Row), 10)
	line = append(line, ',')
	line = appendCSVField(line, r.ID)
	line = append(line, ',')
	line = appendCSVField(line, r.UserGroup)
	line = append(line, ',')
	line = appendCSVField(line, r.Expiry)
	line = append(line, ',')
	line = append(line, r.Decision()...)
	line = append(line, ',')
	line = appendCSVField(line, r.Reason)
	line = append(line, ',')
	line = appendCSVField(line, r.Detail)
	w.rows++
	_, err := w.b.Write(append(line, '\n'))
	return err
}

// appendCSVField appends f as encoding/csv's Writer (Comma ',', UseCRLF false) writes
// it: in quotes, with quotes doubled, when it holds a comma, quote, CR or LF, starts
// with white space or is \.; as it is otherwise.
func appendCSVField(dst []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	return append(append(dst, f...), '"')
}

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	if c := f[0]; c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f' // \r and \n are caught above
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

func (w *DecisionsWriter) Close() error {
	if err := w.b.Flush(); err != nil {
		w.f.f.Close()
		return err
	}
	w.f.SetRows(w.rows)
	return w.f.Close()
}

// ReadDecisions reads a decisions.csv back (verify, diff, reconcile, tests). It checks
// the header first: a file with other columns is not one of ours.
func ReadDecisions(path string) ([]DecisionRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head, err := csv.NewReader(f).Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if strings.Join(head, ",") != strings.Join(DecisionsHeader, ",") {
		return nil, fmt.Errorf("%s: header is %q, want %q", path, strings.Join(head, ","), strings.Join(DecisionsHeader, ","))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var rows []DecisionRow
	if err := gocsv.UnmarshalCSV(csv.NewReader(f), &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}
