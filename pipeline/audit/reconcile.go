package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// The statuses of a reconcile report line.
const (
	StillPresent      = "still_present"       // included, and still in the fresh export
	RemovedOutsideSet = "removed_outside_set" // not included, and gone from the fresh export
)

// ReconcileName is the report's default name in the run directory; it is not a
// purgeset output, so verify and --force leave it alone.
const ReconcileName = "reconcile.csv"

// ReconcileHeader is the report's header line.
var ReconcileHeader = []string{"id", "status", "source", "row"}

// ReconcileOptions steer how the fresh exports are read.
type ReconcileOptions struct {
	Sheet    string
	IDHeader string // --column id=HEADER
}

// ReconcileEntry is one line of the report: an ID and the first row of decisions.csv
// that holds it (the included row for still_present).
type ReconcileEntry struct {
	ID     string
	Status string
	Source string
	Row    int
	pos    int32 // order in decisions.csv
}

// Reconciliation compares a run with a fresh export taken after the Alma job. Counts
// are of distinct IDs.
type Reconciliation struct {
	ExportRows        int `json:"export_rows"` // data rows read from the exports
	ExportIDs         int `json:"export_ids"`  // distinct IDs in them
	Included          int `json:"included"`
	Purged            int `json:"purged"` // included and now gone: purged as planned
	StillPresent      int `json:"still_present"`
	NotIncluded       int `json:"not_included"`
	NotIncludedKept   int `json:"not_included_present"`
	RemovedOutsideSet int `json:"removed_outside_set"`
	// Warnings are about the exports, e.g. one that is the run's own input again.
	Warnings []string `json:"warnings"`
	// Entries are the report lines: still_present, then removed_outside_set, each in
	// the order of decisions.csv.
	Entries []ReconcileEntry `json:"-"`
}

// Reconcile verifies DIR, reads the fresh exports (the same first pass as run; only
// the ID column is used) and compares them with DIR/decisions.csv, streamed: memory is
// bounded by distinct IDs.
func Reconcile(ctx context.Context, dir string, exports []string, opts ReconcileOptions) (*Reconciliation, error) {
	d, err := openVerified(ctx, dir)
	if err != nil {
		return nil, err
	}
	res := &Reconciliation{Warnings: []string{}}
	// One map for both sides, one small value per distinct ID: the exports' IDs go in
	// first (present), then the run's rows mark where each ID first appears (or its
	// included row). An ID in both costs one key, not two: with the run's input as the
	// export this halves what a second map of a million IDs cost. The map holds an
	// index into states and is never assigned an existing key again: assigning would
	// replace the key with the caller's string, here a slice of a whole decisions.csv
	// line, and pin that line (about 100 bytes per ID).
	ids := &idTable{index: map[string]int32{}}
	for _, path := range exports {
		n, err := readExportIDs(ctx, path, opts, ids)
		if err != nil {
			return nil, err
		}
		res.ExportRows += n
	}
	res.ExportIDs = len(ids.states)
	res.Warnings = append(res.Warnings, sameAsInputs(ctx, d, exports)...)

	var sources []string
	srcIndex := map[string]int32{}
	n, next := 0, int32(0)
	for r, err := range d.Decisions() {
		if err != nil {
			return nil, &UnverifiedError{Dir: dir, Mismatches: []Mismatch{{Problem: err.Error()}}}
		}
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if r.ID == "" {
			continue
		}
		si, ok := srcIndex[r.Source]
		if !ok {
			si = int32(len(sources))
			src := strings.Clone(r.Source) // not the line it came in
			sources = append(sources, src)
			srcIndex[src] = si
		}
		included := r.Decision == "included"
		st := ids.get(r.ID)
		switch {
		case st.pos < 0: // the ID's first row in the run
			st.pos, st.src, st.row = next, si, int32(r.Row)
			next++
			if included {
				st.flags |= inRunIncluded
			}
		case included && st.flags&inRunIncluded == 0: // the included row is the one to name
			st.flags |= inRunIncluded
			st.src, st.row = si, int32(r.Row)
		}
	}
	// Counted first, so that the lists are made at their size: 330,000 entries of a
	// 1M-row run grown by append would leave as much again behind as garbage.
	nStill, nRemoved := 0, 0
	for i := range ids.states {
		if st := &ids.states[i]; st.pos >= 0 {
			switch st.flags {
			case inExport | inRunIncluded:
				nStill++
			case 0:
				nRemoved++
			}
		}
	}
	still, removed := make([]ReconcileEntry, 0, nStill+nRemoved), make([]ReconcileEntry, 0, nRemoved)
	for id, i := range ids.index {
		st := &ids.states[i]
		if st.pos < 0 {
			continue // only in the exports
		}
		here := st.flags&inExport != 0
		switch {
		case st.flags&inRunIncluded != 0 && here:
			res.Included++
			res.StillPresent++
			still = append(still, ReconcileEntry{ID: id, Status: StillPresent, Source: sources[st.src], Row: int(st.row), pos: st.pos})
		case st.flags&inRunIncluded != 0:
			res.Included++
			res.Purged++
		case here:
			res.NotIncluded++
			res.NotIncludedKept++
		default:
			res.NotIncluded++
			res.RemovedOutsideSet++
			removed = append(removed, ReconcileEntry{ID: id, Status: RemovedOutsideSet, Source: sources[st.src], Row: int(st.row), pos: st.pos})
		}
	}
	for _, list := range [][]ReconcileEntry{still, removed} {
		sort.Slice(list, func(i, j int) bool { return list[i].pos < list[j].pos })
	}
	res.Entries = append(still, removed...)
	return res, nil
}

// idTable is reconcile's one set of IDs: each distinct ID once, as a map key (a copy of
// its own), with its state in a slice.
type idTable struct {
	index  map[string]int32
	states []idState
}

// get returns the state of id, adding it (not in the run, not in an export) if new.
func (t *idTable) get(id string) *idState {
	i, ok := t.index[id]
	if !ok {
		i = int32(len(t.states))
		t.index[strings.Clone(id)] = i
		t.states = append(t.states, idState{pos: -1})
	}
	return &t.states[i]
}

// idState is what reconcile keeps of one distinct ID, in 16 bytes: a million IDs must
// fit next to their keys.
type idState struct {
	pos   int32 // order of first appearance in decisions.csv; -1: only in the exports
	src   int32 // index into the run's sources
	row   int32
	flags uint8
}

const (
	inExport      uint8 = 1 << iota // in a fresh export
	inRunIncluded                   // included by the run
)

// readExportIDs adds the trimmed, non-blank IDs of one export to present and returns
// its data rows. An export without data rows is refused, as run refuses one: it
// usually means a failed report, and would make every user look removed.
func readExportIDs(ctx context.Context, path string, opts ReconcileOptions, ids *idTable) (int, error) {
	sc, err := pipeline.OpenScan(path, pipeline.ScanOptions{Sheet: opts.Sheet,
		Columns: map[readers.Role]string{readers.RoleID: opts.IDHeader}, IDOnly: true, Lenient: true})
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	err = sc.Each(ctx, func(row *pipeline.ScanRow) error {
		if id := row.ID(); id != "" {
			ids.get(id).flags |= inExport
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if sc.Input.DataRows == 0 {
		return 0, &readers.ParseError{File: path, Msg: "no data rows below the header",
			Hint: "an empty export usually means the Analytics report failed: run it and export again"}
	}
	return sc.Input.DataRows, nil
}

// sameAsInputs warns about an export that is byte for byte one of the run's inputs:
// the export read before the job, not one taken after it.
func sameAsInputs(ctx context.Context, d *rundir.Dir, exports []string) []string {
	var out []string
	for _, path := range exports {
		sum, err := fileSHA256(ctx, path)
		if err != nil {
			continue
		}
		for _, in := range d.Manifest.Inputs {
			if in.SHA256 == sum {
				out = append(out, fmt.Sprintf("%s is the same file as the run's input %s: reconcile needs an export taken after the Alma job", path, in.Path))
				break
			}
		}
	}
	return out
}

// WriteReconcileReport writes the report (an existing file is replaced only with
// overwrite) as CSV (UTF-8, \n line ends), mode 0600 since
// it holds IDs (os.CreateTemp makes it so), through a temporary file in the same directory renamed into place, so
// that a failure never leaves half a report.
func WriteReconcileReport(path string, res *Reconciliation, overwrite bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".purgeset-reconcile-*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	b := bufio.NewWriter(f)
	w := csv.NewWriter(b)
	w.Write(ReconcileHeader)
	for _, e := range res.Entries {
		w.Write([]string{e.ID, e.Status, e.Source, strconv.Itoa(e.Row)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if overwrite {
		if err := os.Rename(f.Name(), path); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	// Without overwrite no file is ever replaced, even one made since the caller checked.
	defer os.Remove(f.Name())
	err = writers.PlaceNew(f.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write report: %s exists (made while reconcile ran?): name a new file, or pass --overwrite", path)
	} else if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
