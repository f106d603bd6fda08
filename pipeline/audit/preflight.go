package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// The statuses of preflight (SPEC §9.1).
const (
	WillPurge      = "will_purge"       // in the set and due: the job purges them, as reviewed
	OutsideSet     = "outside_set"      // due, but not in the reviewed set: exit 5
	NotMoved       = "not_moved"        // in the set, but not in the job's group and record type
	NoPurgeDate    = "no_purge_date"    // in the group, but no purge date: the job skips them
	PurgeDateLater = "purge_date_later" // in the group, purge date + N days after the job date
)

// PreflightStatuses in report order.
var PreflightStatuses = []string{OutsideSet, WillPurge, NotMoved, NoPurgeDate, PurgeDateLater}

// PreflightOptions describe the job as it will be run, and how to read the exports.
type PreflightOptions struct {
	JobGroup      string // exact after trimming, as --group
	JobRecordType string // ignoring case
	DaysAfter     int    // "Number of Days After Purge Date"
	JobDate       pipeline.Date
	Sheet         string
	Columns       map[readers.Role]string
	DateOrder     pipeline.DateOrder
	// AcceptNumericIDs reads XLSX IDs stored as whole numbers as their digits, as run
	// does under --accept-numeric-ids; without it such a row has no usable ID.
	AcceptNumericIDs bool
}

// PreflightEntry is one line of the report.
type PreflightEntry struct {
	ID        string
	Status    string
	InSet     bool
	Source    string // the export row that decided it ("" for a set member absent from the exports)
	Row       int
	PurgeDate string
}

// Preflight is whom the job would purge, set against the reviewed run. Counts are of
// distinct IDs.
type Preflight struct {
	ExportRows int            `json:"export_rows"`
	ExportIDs  int            `json:"export_ids"`
	Included   int            `json:"included"`
	Counts     map[string]int `json:"counts"`
	// InGroupNotDue counts users outside the set, in the job's group and record type,
	// whose purge date is missing or later: not purged by this run of the job, but by
	// a later one once their date passes.
	InGroupNotDue int `json:"in_group_not_due"`
	// OtherGroup counts export users outside the set and outside the job's group or
	// record type: the job does not touch them.
	OtherGroup int              `json:"other_group"`
	Entries    []PreflightEntry `json:"-"`
}

// exportUser is what the exports say of one ID: the row that decides its status
// (a due row wins over one that is not: the job purges a user if any reading says so).
type exportUser struct {
	source    string
	row       int
	inJob     bool
	due       bool
	hasPurge  bool
	purgeText string
}

func (u *exportUser) rank() int {
	switch {
	case u.inJob && u.due:
		return 3
	case u.inJob && u.hasPurge:
		return 2
	case u.inJob:
		return 1
	}
	return 0
}

// RunPreflight reads the exports of the job's user group (taken after Update/Notify
// Users and before the job) and gives every included ID and every export ID in the
// job's group and record type one status. included are the run's included IDs in
// order; the caller has verified the run directory.
func RunPreflight(ctx context.Context, included []string, exports []string, opts PreflightOptions) (*Preflight, error) {
	if opts.JobRecordType == "" {
		opts.JobRecordType = "Public"
	}
	users := map[string]*exportUser{}
	var order []string
	res := &Preflight{Counts: map[string]int{}, Included: len(included)}
	var odd []PreflightEntry // rows without a usable ID
	oddNotDue, jobRows := 0, 0
	groups := map[string]int{}
	for _, path := range exports {
		n, err := readPreflightExport(ctx, path, opts, users, &order, &odd, &oddNotDue, &jobRows, groups)
		if err != nil {
			return nil, err
		}
		res.ExportRows += n
	}
	res.ExportIDs = len(order)
	inSet := make(map[string]bool, len(included))
	for _, id := range included {
		inSet[id] = true
		u := users[id]
		e := PreflightEntry{ID: id, InSet: true}
		switch {
		case u == nil || !u.inJob:
			e.Status = NotMoved
		case u.due:
			e.Status = WillPurge
		case u.hasPurge:
			e.Status = PurgeDateLater
		default:
			e.Status = NoPurgeDate
		}
		if u != nil {
			e.Source, e.Row, e.PurgeDate = u.source, u.row, u.purgeText
		}
		res.Counts[e.Status]++
		res.Entries = append(res.Entries, e)
	}
	var outside []PreflightEntry
	for _, id := range order {
		u := users[id]
		switch {
		case inSet[id]:
		case u.inJob && u.due:
			res.Counts[OutsideSet]++
			outside = append(outside, PreflightEntry{ID: id, Status: OutsideSet, Source: u.source, Row: u.row, PurgeDate: u.purgeText})
		case u.inJob:
			res.InGroupNotDue++
		default:
			res.OtherGroup++
		}
	}
	if jobRows == 0 {
		return nil, &JobGroupUnmatched{Group: opts.JobGroup, RecordType: opts.JobRecordType, Groups: groups}
	}
	res.Counts[OutsideSet] += len(odd)
	res.InGroupNotDue += oddNotDue
	// The dangerous lines first: a reviewer reads the top of the report.
	res.Entries = append(append(outside, odd...), res.Entries...)
	return res, nil
}

func readPreflightExport(ctx context.Context, path string, opts PreflightOptions, users map[string]*exportUser, order *[]string, odd *[]PreflightEntry, oddNotDue, jobRows *int, groups map[string]int) (int, error) {
	sc, err := pipeline.OpenScan(path, pipeline.ScanOptions{Sheet: opts.Sheet, Columns: opts.Columns, DateOrder: opts.DateOrder,
		AcceptNumericIDs: opts.AcceptNumericIDs,
		Required:         []readers.Role{readers.RoleGroup, readers.RoleRecordType, readers.RolePurgeDate}})
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	group, rtype := strings.TrimSpace(opts.JobGroup), strings.TrimSpace(opts.JobRecordType)
	purgeHeader := sc.Input.Columns[string(readers.RolePurgeDate)]
	err = sc.Each(ctx, func(row *pipeline.ScanRow) error {
		id := row.ID()
		text, d, ok := row.Purge()
		if text != "" && !ok {
			return &readers.ParseError{File: path, Row: row.Num, Column: purgeHeader, Found: text,
				Msg:  "the purge date cannot be read, so it cannot be told whether the job purges this user",
				Hint: "export the report again with dates as YYYY-MM-DD, or pass --date-order for slash dates"}
		}
		inJob := row.Group() == group && strings.EqualFold(row.RecordType(), rtype)
		if inJob {
			*jobRows++
		}
		if g := row.Group(); groups[g] > 0 || len(groups) < 1000 {
			if groups[g] == 0 {
				g = strings.Clone(g)
			}
			groups[g]++
		}
		due := inJob && ok && d+pipeline.Date(opts.DaysAfter) <= opts.JobDate
		if row.IDReason() != pipeline.Expired {
			// A blank or damaged ID (an already purged user, a contact) matches no set
			// member, but the job may purge that record all the same: each such row
			// stands for itself.
			switch {
			case due:
				*odd = append(*odd, PreflightEntry{ID: strings.Clone(id), Status: OutsideSet, Source: path, Row: row.Num, PurgeDate: strings.Clone(text)})
			case inJob:
				*oddNotDue++
			}
			return nil
		}
		u := &exportUser{source: path, row: row.Num, hasPurge: ok, purgeText: text, inJob: inJob, due: due}
		if old, seen := users[id]; !seen {
			id = strings.Clone(id)
			u.purgeText = strings.Clone(text)
			users[id] = u
			*order = append(*order, id)
		} else if u.rank() > old.rank() {
			u.purgeText = strings.Clone(text)
			users[id] = u
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if sc.Input.DataRows == 0 {
		return 0, &readers.ParseError{File: path, Msg: "no data rows below the header",
			Hint: "an empty export of the job's group usually means the Analytics report failed: check it and export again"}
	}
	return sc.Input.DataRows, nil
}

// JobGroupUnmatched is an export with no row of the job's group and record type: the
// group was mistyped, or the export is not of the job's group. Either way preflight
// would check nobody the job purges.
type JobGroupUnmatched struct {
	Group, RecordType string
	Groups            map[string]int // user groups found, with their row counts
}

func (e *JobGroupUnmatched) Error() string {
	type gc struct {
		g string
		n int
	}
	var found []gc
	for g, n := range e.Groups {
		found = append(found, gc{g, n})
	}
	sort.Slice(found, func(i, j int) bool {
		return found[i].n > found[j].n || found[i].n == found[j].n && found[i].g < found[j].g
	})
	var list []string
	for i, f := range found {
		if i == 20 {
			break
		}
		list = append(list, fmt.Sprintf("%q (%d)", f.g, f.n))
	}
	return fmt.Sprintf("no row of the exports has user group %q and record type %s: check --job-group and --job-record-type against the job's parameters (groups found: %s)",
		e.Group, e.RecordType, strings.Join(list, ", "))
}

// PreflightHeader is the report's header line.
var PreflightHeader = []string{"id", "status", "in_set", "purge_date", "source", "row"}

// Record is one report line.
func (e PreflightEntry) Record() []string {
	row := ""
	if e.Row > 0 {
		row = fmt.Sprint(e.Row)
	}
	return []string{e.ID, e.Status, fmt.Sprint(e.InSet), e.PurgeDate, e.Source, row}
}

// WritePreflightReport writes the report as CSV (mode 0600: it holds IDs) through a
// temporary file in the same directory, linked into place so that an existing file is
// never replaced, not even one that appeared while preflight ran.
func WritePreflightReport(path string, res *Preflight) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".purgeset-preflight-*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	b := bufio.NewWriter(f)
	w := csv.NewWriter(b)
	w.Write(PreflightHeader)
	for _, e := range res.Entries {
		w.Write(e.Record())
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
	if err := f.Close(); err != nil { // before the rename of a system without hard links
		return fmt.Errorf("write report: %w", err)
	}
	if err := writers.PlaceNew(f.Name(), path); err != nil {
		return fmt.Errorf("write report %s: %w (preflight never replaces a file)", path, err)
	}
	return nil
}
