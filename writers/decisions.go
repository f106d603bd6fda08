package writers

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"
)

// DecisionsName is the per-row decision table.
const DecisionsName = "decisions.csv"

// DecisionRow is one line of decisions.csv (SPEC §5). The csv tags let gocsv read the
// file back (verify, diff, reconcile); writing goes through encoding/csv directly,
// which is several times faster for a million rows.
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

// DecisionsWriter streams decisions.csv: UTF-8 without BOM, \n line ends.
type DecisionsWriter struct {
	f    *File
	b    *bufio.Writer
	c    *csv.Writer
	rec  []string
	rows int
}

func NewDecisionsWriter(stage *Stage) (*DecisionsWriter, error) {
	f, err := stage.Create(DecisionsName)
	if err != nil {
		return nil, err
	}
	b := bufio.NewWriterSize(f, 1<<20)
	w := &DecisionsWriter{f: f, b: b, c: csv.NewWriter(b), rec: make([]string, len(DecisionsHeader))}
	if err := w.c.Write(DecisionsHeader); err != nil {
		f.f.Close()
		return nil, err
	}
	return w, nil
}

func (w *DecisionsWriter) Write(r *Record) error {
	w.rec[0], w.rec[1], w.rec[2], w.rec[3] = r.Source, strconv.Itoa(r.Row), r.ID, r.UserGroup
	w.rec[4], w.rec[5], w.rec[6], w.rec[7] = r.Expiry, r.Decision(), r.Reason, r.Detail
	w.rows++
	return w.c.Write(w.rec)
}

func (w *DecisionsWriter) Close() error {
	w.c.Flush()
	if err := w.c.Error(); err != nil {
		w.f.f.Close()
		return err
	}
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
