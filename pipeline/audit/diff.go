package audit

import (
	"context"
	"sort"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
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

// idFate is the decision of an ID's first row in one run, and where that row is.
type idFate struct {
	decision, reason string
	pos              int // order of first appearance in decisions.csv
}

// runFates verifies DIR, then streams its decisions.csv into the fate of each distinct
// ID (its first row's) and the IDs in order of first appearance. Blank IDs are counted,
// not kept.
func runFates(ctx context.Context, dir string) (map[string]idFate, []string, int, error) {
	d, err := openVerified(ctx, dir)
	if err != nil {
		return nil, nil, 0, err
	}
	fates := map[string]idFate{}
	var order []string
	blank, n := 0, 0
	for r, err := range d.Decisions() {
		if err != nil {
			return nil, nil, 0, &UnverifiedError{Dir: dir, Mismatches: []Mismatch{{Problem: err.Error()}}}
		}
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return nil, nil, 0, ctx.Err()
		}
		if r.ID == "" {
			blank++
			continue
		}
		if _, ok := fates[r.ID]; !ok {
			id := strings.Clone(r.ID)
			fates[id] = idFate{decision: internDecision(r.Decision), reason: internReason(r.Reason), pos: len(order)}
			order = append(order, id)
		}
	}
	return fates, order, blank, nil
}

// internDecision and internReason share the few distinct values instead of keeping a
// copy per ID (a verified file holds only known codes).
func internDecision(s string) string {
	if s == "included" {
		return "included"
	}
	return "excluded"
}

func internReason(s string) string {
	if r, ok := pipeline.ParseReason(s); ok {
		return r.String()
	}
	return strings.Clone(s)
}

// Diff verifies both runs, then compares their decisions ID by ID (exact match). An ID on several
// rows counts with its first row's decision and reason: the later rows of a duplicate
// only repeat it, and every row of a conflicting duplicate or case collision shares it.
func Diff(ctx context.Context, oldDir, newDir string) (*RunDiff, error) {
	oldF, oldOrder, oldBlank, err := runFates(ctx, oldDir)
	if err != nil {
		return nil, err
	}
	newF, newOrder, newBlank, err := runFates(ctx, newDir)
	if err != nil {
		return nil, err
	}
	d := &RunDiff{Changes: []DiffChange{}}
	d.Counts.OldIDs, d.Counts.NewIDs, d.Counts.BlankIDRows = len(oldOrder), len(newOrder), oldBlank+newBlank
	type keyed struct {
		c   DiffChange
		key int // NEW's order; IDs absent from NEW come after, in OLD's order
	}
	var out []keyed
	add := func(change, id string, o, n idFate, oldOK, newOK bool, key int) {
		c := DiffChange{Change: change, ID: id, OldDecision: Absent, NewDecision: Absent}
		if oldOK {
			c.OldDecision, c.OldReason = o.decision, o.reason
		}
		if newOK {
			c.NewDecision, c.NewReason = n.decision, n.reason
		}
		out = append(out, keyed{c, key})
	}
	for _, id := range newOrder {
		n := newF[id]
		o, inOld := oldF[id]
		oldInc, newInc := inOld && o.decision == "included", n.decision == "included"
		switch {
		case newInc && !oldInc:
			add(NewlyIncluded, id, o, n, inOld, true, n.pos)
		case oldInc && !newInc:
			add(NoLongerIncluded, id, o, n, true, true, n.pos)
		case inOld && !oldInc && !newInc && o.reason != n.reason:
			add(ReasonChanged, id, o, n, true, true, n.pos)
		}
	}
	for _, id := range oldOrder {
		if o := oldF[id]; o.decision == "included" {
			if _, inNew := newF[id]; !inNew {
				add(NoLongerIncluded, id, o, idFate{}, true, false, len(newOrder)+o.pos)
			}
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
