package alma

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/writers"
)

// Run is what the Alma step needs from a run directory that has passed verify.
type Run struct {
	Dir   string
	RunID string
	IDs   []string // the included IDs, in order: what the set files hold
}

// RunUser is what the run knew of one included user, for check-users.
type RunUser struct {
	ID, Group, RecordType, Expiry, Purge string
}

// LoadRun reads the run ID and the included IDs of a run directory, streaming
// decisions.csv through rundir so that only the included IDs are held. Call it only
// for a directory that verify has passed: it relies on the hashes and the set files
// having been checked.
func LoadRun(dir string) (*Run, error) {
	d, err := rundir.Open(dir)
	if err != nil {
		return nil, err
	}
	id, err := writers.RunID(d.Manifest.Outputs)
	if err != nil {
		return nil, err
	}
	if d.Manifest.RunID != "" && d.Manifest.RunID != id {
		return nil, fmt.Errorf("%s: run_id is not the run ID of the files it lists: run purgeset verify", writers.ManifestName)
	}
	r := &Run{Dir: dir, RunID: id}
	seen := make(map[string]struct{})
	for row, err := range d.Decisions() {
		if err != nil {
			return nil, err
		}
		if row.Decision != "included" {
			continue
		}
		if _, dup := seen[row.ID]; dup || row.ID == "" {
			// verify would have caught it; an upload must never carry it
			return nil, fmt.Errorf("%s line %d: an included ID that is empty or included twice: run purgeset verify", writers.DecisionsName, row.Line)
		}
		seen[row.ID] = struct{}{}
		r.IDs = append(r.IDs, row.ID)
	}
	return r, nil
}

// LoadRunUsers reads what the run knew of each included user: group and expiry from
// decisions.csv, record type and purge date from archive.parquet when the run wrote one.
// Both are streamed; only the included users are held.
func LoadRunUsers(dir string) ([]RunUser, bool, error) {
	d, err := rundir.Open(dir)
	if err != nil {
		return nil, false, err
	}
	var users []RunUser
	at := map[string]int{}
	for row, err := range d.Decisions() {
		if err != nil {
			return nil, false, err
		}
		if row.Decision == "included" {
			at[row.ID] = len(users)
			users = append(users, RunUser{ID: row.ID, Group: row.UserGroup, Expiry: row.Expiry})
		}
	}
	if _, listed := d.Listed(writers.ArchiveName); !listed {
		return users, false, nil
	}
	f, err := d.OpenListed(writers.ArchiveName)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	_, recs := writers.ArchiveRecords(f, d.MaxRows())
	for rec, err := range recs {
		if err != nil {
			return nil, false, fmt.Errorf("read %s: %w", writers.ArchiveName, err)
		}
		if i, ok := at[rec.ID]; ok && rec.Included {
			users[i].RecordType, users[i].Purge = rec.RecordType, rec.Purge
		}
	}
	return users, true, nil
}

// CheckRunID compares the operator's --run-id with the run's: at least 12 hex digits,
// a prefix of the run ID. It returns a message for the operator, or "".
func CheckRunID(given, runID string) string {
	g := strings.ToLower(strings.TrimSpace(given))
	if len(g) < 12 {
		return fmt.Sprintf("--run-id %q: give at least the first 12 hex digits of the run ID (the review page shows it where the reviewer signs)", given)
	}
	if _, err := hex.DecodeString(g[:len(g)&^1]); err != nil || strings.Trim(g, "0123456789abcdef") != "" {
		return fmt.Sprintf("--run-id %q: want hex digits only", given)
	}
	if !strings.HasPrefix(runID, g) {
		// The run ID is not shown: copying it from here would defeat the check.
		return fmt.Sprintf("--run-id %s is not the ID of the run in this directory: upload only the run that was reviewed (its ID is on the signed review page)", given)
	}
	return ""
}
