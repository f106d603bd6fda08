package audit

import (
	"slices"
	"time"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// maxDigitLengths bounds the ID lengths tallied for short_numeric_id: a damaged
// decisions.csv could hold an all-digit ID of every length.
const maxDigitLengths = 64

// warnCheck recomputes the warnings that decisions.csv, the archive and the parameters
// determine, so that a warning emptied, lowered or deleted by hand is a mismatch: the
// run ID covers the files, not the manifest's warnings. protect_unmatched,
// unmatched_group and unmatched_record_type depend on the inputs: verify --rerun checks
// those.
type warnCheck struct {
	m *writers.Manifest
	// short_numeric_id: the longest all-digit ID of any row, and per length the
	// included all-digit IDs (count and first rows, with their lines for merging).
	longest  int
	byLen    map[int]*lenRows
	tooMany  bool
	badPurge rowList
	noPurge  rowList
}

type lenRows struct {
	count int
	rows  []lineRow
}

type lineRow struct {
	line int
	row  writers.WarningRow
}

type rowList struct {
	count int
	rows  []writers.WarningRow
}

func (l *rowList) add(source string, row int) {
	if l.count++; len(l.rows) < writers.WarningRowsKept {
		l.rows = append(l.rows, writers.WarningRow{Source: source, Row: row})
	}
}

func newWarnCheck(m *writers.Manifest) *warnCheck {
	return &warnCheck{m: m, byLen: map[int]*lenRows{}}
}

// row sees every line of decisions.csv in order.
func (w *warnCheck) row(d *writers.DecisionRow, line int) {
	if !pipeline.AllDigits(d.ID) {
		return
	}
	w.longest = max(w.longest, len(d.ID))
	if d.Decision != "included" || w.tooMany {
		return
	}
	l := w.byLen[len(d.ID)]
	if l == nil {
		if len(w.byLen) >= maxDigitLengths {
			w.tooMany = true
			return
		}
		l = &lenRows{}
		w.byLen[len(d.ID)] = l
	}
	if l.count++; len(l.rows) < writers.WarningRowsKept {
		l.rows = append(l.rows, lineRow{line, writers.WarningRow{Source: d.Source, Row: d.Row}})
	}
}

// record sees the archive record of a row that agreed with its decisions.csv line.
func (w *warnCheck) record(r *writers.Record) {
	if pipeline.BadPurgeDate(r) {
		w.badPurge.add(r.Source, r.Row)
	}
	if pipeline.NoPurgeDate(r) {
		w.noPurge.add(r.Source, r.Row)
	}
}

// finish compares what was recomputed with the manifest's warnings. archived says
// whether the archive was read through for every row.
func (w *warnCheck) finish(v *Verification, archived bool) {
	p := w.m.Parameters
	if p == nil {
		return // the parameters check says so; nothing here can be recomputed without them
	}
	if !w.tooMany && p.IDPattern == "" {
		var short rowList
		var merged []lineRow
		for n, l := range w.byLen {
			if n < w.longest {
				short.count += l.count
				merged = append(merged, l.rows...)
			}
		}
		slices.SortFunc(merged, func(a, b lineRow) int { return a.line - b.line })
		for _, r := range merged[:min(len(merged), writers.WarningRowsKept)] {
			short.rows = append(short.rows, r.row)
		}
		w.compareRows(v, pipeline.WarnShortNumericID, short, "included all-digit IDs shorter than the longest all-digit ID")
	}
	if archived {
		w.compareRows(v, pipeline.WarnBadPurgeDate, w.badPurge, "rows whose purge date cannot be read")
		w.compareRows(v, pipeline.WarnNoPurgeDate, w.noPurge, "included rows without a purge date")
	}
	// A cutoff after the day of the run stops the run unless allow_future_cutoff let it
	// through with the warning. (A run made through the library without a clock has
	// neither guard nor warning: only the flag makes the warning certain.)
	if created, err := time.Parse(time.RFC3339, w.m.Created); err == nil {
		future := p.Cutoff > created.UTC().Format(time.DateOnly)
		switch have := w.find("future_cutoff"); {
		case future && p.AllowFutureCutoff && have == nil:
			v.add(writers.ManifestName, "has no warning future_cutoff, but the cutoff %s is after the day of the run and allow_future_cutoff let it through", p.Cutoff)
		case !future && have != nil:
			v.add(writers.ManifestName, "has the warning future_cutoff, but the cutoff %s is not after the day of the run", p.Cutoff)
		}
	}
	overridden := 0
	if len(p.ConfigOverridden) > 0 {
		overridden = 1
	}
	w.compareRun(v, pipeline.WarnConfigOverridden, overridden, "parameters.config_overridden names options")
}

func (w *warnCheck) find(code string) *writers.Warning {
	for i := range w.m.Warnings {
		if w.m.Warnings[i].Code == code {
			return &w.m.Warnings[i]
		}
	}
	return nil
}

func (w *warnCheck) compareRows(v *Verification, code string, got rowList, what string) {
	have := w.find(code)
	switch {
	case have == nil && got.count == 0:
	case have == nil:
		v.add(writers.ManifestName, "has no warning %s, but the run holds %d %s", code, got.count, what)
	case have.Count != got.count:
		v.add(writers.ManifestName, "warning %s counts %d, but the run holds %d %s", code, have.Count, got.count, what)
	case !slices.Equal(have.Rows, got.rows):
		v.add(writers.ManifestName, "warning %s lists rows that are not the first %d it concerns", code, writers.WarningRowsKept)
	}
}

// compareRun checks a warning about the run as a whole: present exactly when want is 1.
func (w *warnCheck) compareRun(v *Verification, code string, want int, why string) {
	have := w.find(code)
	switch {
	case have == nil && want == 1:
		v.add(writers.ManifestName, "has no warning %s, but %s", code, why)
	case have != nil && want == 0:
		v.add(writers.ManifestName, "has the warning %s, which this run does not call for", code)
	}
}
