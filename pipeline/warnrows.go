package pipeline

import (
	"fmt"
	"unicode/utf8"

	"github.com/purgeset/purgeset/writers"
)

// The data warnings that concern rows (SPEC §5: the manifest and the review page name
// the first rows of each).
const (
	WarnBadPurgeDate   = "bad_purge_date"
	WarnNoPurgeDate    = "no_purge_date"
	WarnShortNumericID = "short_numeric_id"
)

// BadPurgeDate says whether a decided row counts for bad_purge_date, and NoPurgeDate
// for no_purge_date: the run and verify's recount share them.
func BadPurgeDate(r *writers.Record) bool { return r.Purge != "" && !r.PurgeOK }

// NoPurgeDate: an included row is its ID's first row, whose purge date the index recorded.
func NoPurgeDate(r *writers.Record) bool { return r.Included && r.Purge == "" }

// rowWarnings says, for each row-level warning, whether a decided row is one it
// counts. Each test must agree with the count made in the first or second pass:
// warnRows.attach checks that it does.
var rowWarnings = []struct {
	code  string
	about func(s *Summary, r *writers.Record) bool
}{
	{WarnBadPurgeDate, func(_ *Summary, r *writers.Record) bool { return BadPurgeDate(r) }},
	{WarnNoPurgeDate, func(_ *Summary, r *writers.Record) bool { return NoPurgeDate(r) }},
	{WarnShortNumericID, func(s *Summary, r *writers.Record) bool {
		return r.Included && s.shortUsual > 0 && skipDigits(r.ID, 0) == len(r.ID) && utf8.RuneCountInString(r.ID) < s.shortUsual
	}},
}

// warnRows collects, during the third pass, the first writers.WarningRowsKept rows of
// each row-level warning, and counts them all.
type warnRows struct {
	sum   *Summary
	rows  [][]writers.WarningRow
	count []int
}

func newWarnRows(sum *Summary) *warnRows {
	return &warnRows{sum: sum, rows: make([][]writers.WarningRow, len(rowWarnings)), count: make([]int, len(rowWarnings))}
}

func (w *warnRows) add(r *writers.Record) {
	for i, rw := range rowWarnings {
		if !rw.about(w.sum, r) {
			continue
		}
		w.count[i]++
		if len(w.rows[i]) < writers.WarningRowsKept {
			w.rows[i] = append(w.rows[i], writers.WarningRow{Source: r.Source, Row: r.Row})
		}
	}
}

// attach returns a copy of ws with each row-level warning's rows, after checking that
// the rows found number exactly what the warning counts.
func (w *warnRows) attach(ws []writers.Warning) ([]writers.Warning, error) {
	out := append([]writers.Warning(nil), ws...)
	for i, rw := range rowWarnings {
		found := false
		for j := range out {
			if out[j].Code != rw.code {
				continue
			}
			found = true
			if out[j].Count != w.count[i] {
				return nil, fmt.Errorf("%w: warning %s counts %d rows, the rows written hold %d", ErrConservation, rw.code, out[j].Count, w.count[i])
			}
			out[j].Rows = w.rows[i]
		}
		if !found && w.count[i] > 0 {
			return nil, fmt.Errorf("%w: %d rows for warning %s, which was not raised", ErrConservation, w.count[i], rw.code)
		}
	}
	return out, nil
}
