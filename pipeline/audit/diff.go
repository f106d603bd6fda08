package audit

import (
	"context"
	"sort"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/rundir"
)

// The change categories of Diff, in report order.
const (
	NewlyIncluded    = "newly_included"     // excluded or absent in OLD, included in NEW
	NoLongerIncluded = "no_longer_included" // included in OLD, excluded or absent in NEW
	ReasonChanged    = "reason_changed"     // excluded in both, for different reasons
)

// Absent is the decision shown for an ID that is not in a run.
const Absent = "absent"

// DiffChange is one ID whose fate differs between two runs.
type DiffChange struct {
	Change      string `json:"change"`
	ID          string `json:"id"`
	OldDecision string `json:"old_decision"` // included, excluded or absent
	OldReason   string `json:"old_reason"`
	NewDecision string `json:"new_decision"`
	NewReason   string `json:"new_reason"`
}

// DiffCounts counts the changes, and the distinct IDs of each run.
type DiffCounts struct {
	NewlyIncluded    int `json:"newly_included"`
	NoLongerIncluded int `json:"no_longer_included"`
	ReasonChanged    int `json:"reason_changed"`
	OldIDs           int `json:"old_ids"`
	NewIDs           int `json:"new_ids"`
	BlankIDRows      int `json:"blank_id_rows"` // rows without an ID in either run: not compared
}

// RunDiff is what changed between two runs.
type RunDiff struct {
	Counts  DiffCounts   `json:"counts"`
	Changes []DiffChange `json:"changes"` // by category, then NEW's row order
}

// idFate is what OLD decided for an ID's first row, in a few bytes: a million IDs
// must fit in memory next to their keys.
type idFate struct {
	pos    int32 // order of first appearance in OLD's decisions.csv
	reason pipeline.Reason
}

func fateText(r pipeline.Reason) (decision, reason string) {
	if r.Included() {
		return "included", r.String()
	}
	return "excluded", r.String()
}

// decisionsOf streams a verified directory's decisions.csv to fn, which sees each row
// with a non-blank ID; blank IDs are counted. A verified file holds only known codes.
func decisionsOf(ctx context.Context, d *rundir.Dir, fn func(id string, r pipeline.Reason)) (blank int, err error) {
	dir, n := d.Path, 0
	for r, err := range d.Decisions() {
		if err != nil {
			return 0, &UnverifiedError{Dir: dir, Mismatches: []Mismatch{{Problem: err.Error()}}}
		}
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if r.ID == "" {
			blank++
			continue
		}
		reason, ok := pipeline.ParseReason(r.Reason)
		if !ok {
			return 0, &UnverifiedError{Dir: dir, Mismatches: []Mismatch{{File: r.Source, Problem: "an unknown reason code"}}}
		}
		fn(r.ID, reason)
	}
	return blank, nil
}

// Diff verifies both runs, then compares their decisions ID by ID (exact match),
// streaming both: memory holds OLD's distinct IDs and the IDs only NEW has. An ID on
// several rows counts with its first row's decision and reason: the later rows of a
// duplicate only repeat it, and every row of a conflicting duplicate or case collision
// shares it.
func Diff(ctx context.Context, oldDir, newDir string) (*RunDiff, error) {
	// Both are verified before either is compared: a damaged NEW must not cost the
	// memory of OLD's IDs first.
	var dirs [2]*rundir.Dir
	for i, dir := range []string{oldDir, newDir} {
		d, err := openVerified(ctx, dir)
		if err != nil {
			return nil, err
		}
		dirs[i] = d
	}
	old := map[string]idFate{}
	oldBlank, err := decisionsOf(ctx, dirs[0], func(id string, r pipeline.Reason) {
		if _, ok := old[id]; !ok {
			old[strings.Clone(id)] = idFate{pos: int32(len(old)), reason: r}
		}
	})
	if err != nil {
		return nil, err
	}
	type keyed struct {
		c   DiffChange
		key int // NEW's order; IDs absent from NEW come after, in OLD's order
	}
	var out []keyed
	add := func(change, id string, o idFate, n pipeline.Reason, oldOK, newOK bool, key int) {
		c := DiffChange{Change: change, ID: strings.Clone(id), OldDecision: Absent, NewDecision: Absent}
		if oldOK {
			c.OldDecision, c.OldReason = fateText(o.reason)
		}
		if newOK {
			c.NewDecision, c.NewReason = fateText(n)
		}
		out = append(out, keyed{c, key})
	}
	// inNew marks, by pos, the OLD IDs that occur in NEW too. A flag in the map's value
	// would need old[id] = o, and assigning to a string key stores the new key: a slice
	// of NEW's decisions.csv line, whose whole line it would keep alive.
	inNew := make([]bool, len(old))
	newOnly := map[string]struct{}{}
	newIDs := 0
	newBlank, err := decisionsOf(ctx, dirs[1], func(id string, n pipeline.Reason) {
		o, inOld := old[id]
		switch {
		case inOld && inNew[o.pos]:
			return // a later row of an ID: its first row counts
		case inOld:
			inNew[o.pos] = true
		default:
			if _, seen := newOnly[id]; seen {
				return
			}
			newOnly[strings.Clone(id)] = struct{}{}
		}
		pos := newIDs
		newIDs++
		oldInc, newInc := inOld && o.reason.Included(), n.Included()
		switch {
		case newInc && !oldInc:
			add(NewlyIncluded, id, o, n, inOld, true, pos)
		case oldInc && !newInc:
			add(NoLongerIncluded, id, o, n, true, true, pos)
		case inOld && !oldInc && !newInc && o.reason != n:
			add(ReasonChanged, id, o, n, true, true, pos)
		}
	})
	if err != nil {
		return nil, err
	}
	d := &RunDiff{Changes: []DiffChange{}}
	d.Counts.OldIDs, d.Counts.NewIDs, d.Counts.BlankIDRows = len(old), newIDs, oldBlank+newBlank
	for id, o := range old {
		if o.reason.Included() && !inNew[o.pos] {
			add(NoLongerIncluded, id, o, 0, true, false, newIDs+int(o.pos))
		}
	}
	rank := map[string]int{NewlyIncluded: 0, NoLongerIncluded: 1, ReasonChanged: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := rank[out[i].c.Change], rank[out[j].c.Change]; ri != rj {
			return ri < rj
		}
		return out[i].key < out[j].key
	})
	for _, k := range out {
		d.Changes = append(d.Changes, k.c)
		switch k.c.Change {
		case NewlyIncluded:
			d.Counts.NewlyIncluded++
		case NoLongerIncluded:
			d.Counts.NoLongerIncluded++
		case ReasonChanged:
			d.Counts.ReasonChanged++
		}
	}
	return d, nil
}
