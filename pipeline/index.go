package pipeline

import "fmt"

// rowRef names one data row: which input (index into the run's inputs) and its row.
type rowRef struct {
	src int32
	row int32
}

// index is the only state that grows with the data: one entry per distinct ID and per
// case-folded ID. It is filled in the first pass and read in the second, so that a
// row's fate can depend on rows that come after it (conflicts, case collisions).
type index struct {
	exact   map[string]int32
	entries []entry
	folds   map[string]int32
	groups  []foldGroup
	names   []string // input paths as given, for details
}

type entry struct {
	first    rowRef
	fp       uint64 // fingerprint of the first row's decision fields
	conflict bool
	group    int32
}

type foldGroup struct {
	first     rowRef // first row of the group
	firstID   int32  // entry of that row's ID
	other     rowRef // first row whose ID differs in case from the first
	collision bool
}

func newIndex(names []string) *index {
	return &index{exact: map[string]int32{}, folds: map[string]int32{}, names: names}
}

// add records one row whose ID passed the ID rules.
func (x *index) add(id string, ref rowRef, fp uint64) {
	if i, ok := x.exact[id]; ok {
		e := &x.entries[i]
		if e.fp != fp {
			e.conflict = true
		}
		return
	}
	id = cloneString(id) // the reader reuses its buffers
	n := int32(len(x.entries))
	x.exact[id] = n
	key := foldID(id)
	g, ok := x.folds[key]
	if !ok {
		g = int32(len(x.groups))
		if key != id {
			key = cloneString(key)
		}
		x.folds[key] = g
		x.groups = append(x.groups, foldGroup{first: ref, firstID: n})
	} else if grp := &x.groups[g]; !grp.collision {
		grp.collision = true
		grp.other = ref
	}
	x.entries = append(x.entries, entry{first: ref, fp: fp, group: g})
}

// classify applies the rules that need the whole run: conflicting_duplicate,
// duplicate, case_collision. ok is false when none applies.
func (x *index) classify(id string, ref rowRef) (Reason, string, bool) {
	i, found := x.exact[id]
	if !found {
		panic("pipeline: ID missing from the index") // the first pass adds every checked ID
	}
	e := &x.entries[i]
	switch {
	case e.conflict:
		return ConflictingDuplicate, "the rows with this ID differ in user group, record type, expiry or purge date (first: " + x.where(ref, e.first) + ")", true
	case e.first != ref:
		return Duplicate, "duplicate of " + x.where(ref, e.first), true
	}
	g := &x.groups[e.group]
	if g.collision {
		other := g.other
		if g.firstID != i {
			other = g.first
		}
		return CaseCollision, "the same ID in other letter case is at " + x.where(ref, other), true
	}
	return 0, "", false
}

// where is "row N", or "FILE row N" when the row is in another input than ref.
func (x *index) where(ref, at rowRef) string {
	if at.src == ref.src {
		return fmt.Sprintf("row %d", at.row)
	}
	return fmt.Sprintf("%s row %d", x.names[at.src], at.row)
}

func cloneString(s string) string { return string([]byte(s)) }

// fingerprint hashes the decision fields (SPEC §3.2) with FNV-1a. Two rows of one ID
// conflict when their fingerprints differ; a 64-bit collision between two rows of the
// same ID is the only way to miss a conflict.
func fingerprint(f *fields) uint64 {
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff // separator: a byte that never occurs in UTF-8
		h *= 1099511628211
	}
	addDate := func(d Date, ok bool, text string) {
		if ok {
			add("d" + d.String())
		} else {
			add("t" + text)
		}
	}
	add(f.group)
	add(foldID(f.recordType))
	addDate(f.expiry, f.expiryOK, f.expiryText)
	addDate(f.purge, f.purgeOK, f.purgeText)
	return h
}
