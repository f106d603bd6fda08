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
	present := map[string]struct{}{}
	for _, path := range exports {
		n, err := readExportIDs(ctx, path, opts, present)
		if err != nil {
			return nil, err
		}
		res.ExportRows += n
	}
	res.ExportIDs = len(present)
	res.Warnings = append(res.Warnings, sameAsInputs(ctx, d, exports)...)

	// One small value per distinct ID: where its first row is (or its included row).
	type idState struct {
		pos      int32 // order of first appearance
		src      int32 // index into sources
		row      int32
		included bool
	}
	states := map[string]idState{}
	var sources []string
	srcIndex := map[string]int32{}
	n := 0
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
			sources = append(sources, r.Source)
			srcIndex[r.Source] = si
		}
		st, seen := states[r.ID]
		if !seen {
			st = idState{pos: int32(len(states)), src: si, row: int32(r.Row)}
		}
		if r.Decision == "included" && !st.included {
			st.included, st.src, st.row = true, si, int32(r.Row)
		}
		if !seen || st.included {
			if !seen {
				states[strings.Clone(r.ID)] = st
			} else {
				states[r.ID] = st
			}
		}
	}
	type keyed struct {
		e   ReconcileEntry
		pos int32
	}
	var still, removed []keyed
	for id, st := range states {
		_, here := present[id]
		switch {
		case st.included && here:
			res.Included++
			res.StillPresent++
			still = append(still, keyed{ReconcileEntry{ID: id, Status: StillPresent, Source: sources[st.src], Row: int(st.row)}, st.pos})
		case st.included:
			res.Included++
			res.Purged++
		case here:
			res.NotIncluded++
			res.NotIncludedKept++
		default:
			res.NotIncluded++
			res.RemovedOutsideSet++
			removed = append(removed, keyed{ReconcileEntry{ID: id, Status: RemovedOutsideSet, Source: sources[st.src], Row: int(st.row)}, st.pos})
		}
	}
	for _, list := range [][]keyed{still, removed} {
		sort.Slice(list, func(i, j int) bool { return list[i].pos < list[j].pos })
		for _, k := range list {
			res.Entries = append(res.Entries, k.e)
		}
	}
	return res, nil
}

// readExportIDs adds the trimmed, non-blank IDs of one export to present and returns
// its data rows. An export without data rows is refused, as run refuses one: it
// usually means a failed report, and would make every user look removed.
func readExportIDs(ctx context.Context, path string, opts ReconcileOptions, present map[string]struct{}) (int, error) {
	sc, err := pipeline.OpenScan(path, pipeline.ScanOptions{Sheet: opts.Sheet,
		Columns: map[readers.Role]string{readers.RoleID: opts.IDHeader}, IDOnly: true, Lenient: true})
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	err = sc.Each(ctx, func(row *pipeline.ScanRow) error {
		if id := row.ID(); id != "" {
			if _, ok := present[id]; !ok {
				present[strings.Clone(id)] = struct{}{}
			}
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
	// A link fails if path exists, even one made since the caller checked: without
	// overwrite, no file is ever replaced.
	defer os.Remove(f.Name())
	err = os.Link(f.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here (FAT, some shares): check, then rename.
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(f.Name(), path)
		} else {
			err = fs.ErrExist
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write report: %s exists (made while reconcile ran?): name a new file, or pass --overwrite", path)
	} else if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
