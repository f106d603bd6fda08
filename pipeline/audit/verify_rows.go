package audit

import (
	"context"
	"iter"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// maxSources bounds the sources tallied from decisions.csv: a damaged file could name
// a new source on every line.
const maxSources = 1000

func openRegular(path string) (interface {
	Read([]byte) (int, error)
	Close() error
}, error) {
	return readers.OpenRegular(path)
}

// checkRows is the one pass over decisions.csv: every row's decision against its
// reason, tallies for the counts, the set files and the archive read alongside.
func (v *Verification) checkRows(ctx context.Context, d *rundir.Dir, listed map[string]bool) error {
	m := d.Manifest
	sets := v.openSets(d, listed)
	defer sets.close()
	arch := v.openArchive(d, listed)
	defer arch.close()
	pc := newParamCheck(v, m.Parameters)
	wc := newWarnCheck(m)
	arch.warn = wc

	type tally struct{ inc, exc int }
	bySource := map[string]*tally{}
	var sources []string
	otherSources := 0
	byReason := map[string]int{}
	total := tally{}
	bad, rows, included := 0, 0, 0
	var readErr error
	for r, err := range d.Decisions() {
		if err != nil {
			readErr = err
			break
		}
		if rows++; rows%8192 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		t := bySource[r.Source]
		if t == nil {
			if len(bySource) >= maxSources {
				otherSources++
				t = &tally{}
			} else {
				t = &tally{}
				bySource[r.Source] = t
				sources = append(sources, r.Source)
			}
		}
		if problem := decisionProblem(&r.DecisionRow); problem != "" {
			if bad++; bad <= maxRowFindings {
				v.add(writers.DecisionsName, "line %d (%s row %d): %s", r.Line, clip(r.Source), r.Row, problem)
			}
		}
		if r.Decision == "included" {
			t.inc++
			total.inc++
			sets.next(r, included)
			included++
		} else {
			t.exc++
			total.exc++
			if len(byReason) < 100 || byReason[r.Reason] > 0 {
				byReason[r.Reason]++
			}
		}
		arch.next(r, rows, pc)
		pc.row(r)
		wc.row(&r.DecisionRow, r.Line)
	}
	v.Rows = rows
	if readErr != nil {
		// The counts of a file that could not be read to its end would only repeat it.
		v.addErr(writers.DecisionsName, readErr)
		return nil
	}
	if bad > maxRowFindings {
		v.add(writers.DecisionsName, "%d more lines whose decision and reason do not agree", bad-maxRowFindings)
	}
	sets.finish(included)
	arch.finish(rows)
	pc.limits(m.Parameters, m.Counts)
	wc.finish(v, arch.active && !arch.done && arch.recs == rows)

	const mf = writers.ManifestName
	if o, _ := d.Listed(writers.DecisionsName); o.Rows == nil || *o.Rows != rows {
		v.add(writers.DecisionsName, "has %d rows, but manifest.json says %s", rows, count(o.Rows))
	}
	inputRows := 0
	inManifest := map[string]bool{}
	for _, in := range m.Inputs {
		inManifest[in.Path] = true
		inputRows += in.DataRows
		t := bySource[in.Path]
		if t == nil {
			t = &tally{}
		}
		v.compare(mf, in.DataRows, in.Included+in.Excluded, "input %s: data_rows is %d, but its included + excluded is %d", in.Path)
		v.compare(mf, in.DataRows, t.inc+t.exc, "input %s: data_rows is %d, but decisions.csv has %d rows from it", in.Path)
		v.compare(mf, in.Included, t.inc, "input %s: included is %d, but decisions.csv includes %d of its rows", in.Path)
		v.compare(mf, in.Excluded, t.exc, "input %s: excluded is %d, but decisions.csv excludes %d of its rows", in.Path)
	}
	for _, s := range sources {
		if !inManifest[s] {
			v.add(writers.DecisionsName, "%d rows come from %s, which manifest.json does not list as an input", bySource[s].inc+bySource[s].exc, clip(s))
		}
	}
	if otherSources > 0 {
		v.add(writers.DecisionsName, "%d more rows come from sources manifest.json does not list", otherSources)
	}
	c := m.Counts
	v.compare(mf, c.DataRows, rows, "counts.data_rows is %d, but decisions.csv has %d rows")
	v.compare(mf, c.DataRows, inputRows, "counts.data_rows is %d, but the inputs' data_rows add up to %d")
	v.compare(mf, c.DataRows, c.Included+c.Excluded, "counts.data_rows is %d, but counts.included + counts.excluded is %d")
	v.compare(mf, c.Included, total.inc, "counts.included is %d, but decisions.csv includes %d rows")
	v.compare(mf, c.Excluded, total.exc, "counts.excluded is %d, but decisions.csv excludes %d rows")
	for _, code := range reasonKeys(byReason, c.ExcludedByReason) {
		v.compare(mf, c.ExcludedByReason[code], byReason[code], "counts.excluded_by_reason.%s is %d, but decisions.csv excludes %d rows with it", clip(code))
	}
	return nil
}

// archiveCursor reads archive.parquet alongside decisions.csv.
type archiveCursor struct {
	v      *Verification
	next_  func() (*writers.Record, error, bool)
	stop   func()
	f      interface{ Close() error }
	o      writers.Output
	recs   int
	done   bool // a difference or damage was reported: compare no further
	active bool
	warn   *warnCheck
}

func (v *Verification) openArchive(d *rundir.Dir, listed map[string]bool) *archiveCursor {
	a := &archiveCursor{v: v}
	if !listed[writers.ArchiveName] {
		return a
	}
	f, err := d.OpenListed(writers.ArchiveName)
	if err != nil {
		return a // checkHashes reported it
	}
	a.o, _ = d.Listed(writers.ArchiveName)
	_, seq := writers.ArchiveRecords(f, d.MaxRows())
	a.next_, a.stop = iter.Pull2(seq)
	a.f, a.active = f, true
	return a
}

func (a *archiveCursor) next(d *rundir.Decision, n int, pc *paramCheck) {
	if !a.active || a.done {
		return
	}
	rec, err, ok := a.next_()
	if err != nil {
		a.v.add(writers.ArchiveName, "%v: run again to write a new one", err)
		a.done = true
		return
	}
	if !ok {
		return // fewer records: finish says so
	}
	a.recs++
	var fields []string
	if rec.Source != d.Source {
		fields = append(fields, "source")
	}
	if rec.Row != d.Row {
		fields = append(fields, "row")
	}
	if rec.ID != d.ID {
		fields = append(fields, "id")
	}
	if rec.Decision() != d.Decision {
		fields = append(fields, "decision")
	}
	if rec.Reason != d.Reason {
		fields = append(fields, "reason")
	}
	if len(fields) == 0 {
		pc.record(rec, d.Line)
		a.warn.record(rec)
	}
	if len(fields) > 0 {
		a.v.add(writers.ArchiveName, "record %d (%s row %d) differs from decisions.csv line %d in %s; later records not compared",
			n, clip(rec.Source), rec.Row, d.Line, joinFields(fields))
		a.done = true
	}
}

func (a *archiveCursor) finish(rows int) {
	if !a.active || a.done {
		return
	}
	for {
		_, err, ok := a.next_()
		if err != nil {
			a.v.add(writers.ArchiveName, "%v: run again to write a new one", err)
			return
		}
		if !ok {
			break
		}
		a.recs++
	}
	if a.o.Rows == nil || *a.o.Rows != a.recs {
		a.v.add(writers.ArchiveName, "has %d rows, but manifest.json says %s", a.recs, count(a.o.Rows))
	}
	if a.recs != rows {
		a.v.add(writers.ArchiveName, "has %d records, decisions.csv %d rows", a.recs, rows)
	}
}

func (a *archiveCursor) close() {
	if a.stop != nil {
		a.stop()
	}
	if a.f != nil {
		a.f.Close()
	}
}

func joinFields(f []string) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
