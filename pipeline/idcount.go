package pipeline

import "strings"

// IDProblems counts data rows by the ID rules and the rules that need every row
// (SPEC §3.1): each count is the number of rows run excludes with that reason.
type IDProblems struct {
	Blank                int `json:"blank_id"`
	Malformed            int `json:"malformed_id"`
	Numeric              int `json:"numeric_id"`
	ConflictingDuplicate int `json:"conflicting_duplicate"`
	Duplicate            int `json:"duplicate"`
	CaseCollision        int `json:"case_collision"`
}

// IDCounter counts the ID problems of a stream of scanned rows. It keeps its own maps
// rather than run's index (which is tuned for the write path), but uses run's
// normalisation, ID rules and fingerprint, so that the counts are those run decides.
type IDCounter struct {
	ids   map[string]*idStat
	folds map[string]int // case-folded ID → distinct exact IDs with it
	p     IDProblems
}

type idStat struct {
	fp       uint64 // fingerprint of the first row's decision fields
	rows     int
	conflict bool
	fold     string
}

func NewIDCounter() *IDCounter {
	return &IDCounter{ids: map[string]*idStat{}, folds: map[string]int{}}
}

// Add counts one row.
func (c *IDCounter) Add(r *ScanRow) {
	f := &r.rec.f
	switch f.idReason {
	case BlankID:
		c.p.Blank++
		return
	case MalformedID:
		c.p.Malformed++
		return
	case NumericID:
		c.p.Numeric++
		return
	}
	fp := fingerprint(f)
	if st, ok := c.ids[f.id]; ok {
		st.rows++
		st.conflict = st.conflict || st.fp != fp
		return
	}
	id := strings.Clone(f.id) // the reader may reuse its buffers
	fold := foldID(id)
	c.ids[id] = &idStat{fp: fp, rows: 1, fold: fold}
	c.folds[fold]++
}

// Problems applies the rules of SPEC §3.1 to whole IDs, as run's index does: every
// row of a conflicting ID, every later row of any other ID, and the first row of an
// ID that another ID equals but for letter case.
func (c *IDCounter) Problems() IDProblems {
	p := c.p
	for _, st := range c.ids {
		if st.conflict {
			p.ConflictingDuplicate += st.rows
			continue
		}
		p.Duplicate += st.rows - 1
		if c.folds[st.fold] > 1 {
			p.CaseCollision++
		}
	}
	return p
}
