package pipeline

import (
	"fmt"
	"unsafe"
)

// rowRef names one data row: which input (index into the run's inputs) and its row.
type rowRef struct {
	src int32
	row int32
}

// index is the only state that grows with the data: one entry per distinct ID, grouped
// by case-folded ID. It is an open-addressing hash table over an arena of ID bytes
// rather than Go maps, because it holds millions of IDs: about 50 bytes an ID instead
// of three maps' worth, and one probe per row.
type index struct {
	slots   *slab[int32] // group index + 1; 0 is empty
	groups  *slab[foldGroup]
	entries *slab[entry]
	arena   *slab[byte] // ID bytes, referenced by offset
	fold    []byte      // scratch for foldInto
	names   []string
}

// foldGroup is every exact ID sharing one case-folded form.
type foldGroup struct {
	hash      uint64
	key       span  // the folded ID in the arena
	first     int32 // first entry (its first row is the group's first row)
	collision bool  // more than one exact ID
}

// entry is one exact ID.
type entry struct {
	id         span
	first      rowRef // the ID's first row
	fp         uint64 // fingerprint of the first row's decision fields
	next       int32  // next entry of the same group, or -1
	group      int32
	rows       int32  // rows with this ID
	firstLocal Reason // the first row's own reason (rules after case_collision)
	conflict   bool
	noPurge    bool // the first row has no purge date
}

type span struct{ off, n uint32 }

// newIndex sizes the index for about rows IDs. Reserving capacity costs little: the
// pages of a mapping are not resident until written, and growing copies (both copies
// mapped for a moment).
func newIndex(names []string, rows int) (*index, error) {
	x := &index{names: names}
	n := max(rows, 1024)
	err := x.reserve(n)
	if err != nil && n > 1024 {
		err = x.reserve(1024) // the estimate did not fit under ulimit -v: grow as needed
	}
	if err != nil {
		return nil, memoryError(0, 80*n, err)
	}
	return x, nil
}

// reserve makes the slabs. The slot table starts small and doubles: its pages are
// written at random, so a table sized for every row would be resident in full even
// when most rows repeat an ID. The others are written in order and cost only what
// they hold, but their reservation counts against ulimit -v.
func (x *index) reserve(rows int) error {
	var errs [4]error
	x.slots, errs[0] = newSlab[int32](1 << 16)
	x.groups, errs[1] = newSlab[foldGroup](rows)
	x.entries, errs[2] = newSlab[entry](rows)
	x.arena, errs[3] = newSlab[byte](16 * rows)
	for _, err := range errs {
		if err != nil {
			x.free()
			return err
		}
	}
	x.slots.items = x.slots.items[:1<<16]
	return nil
}

// free returns the index's memory; nothing may use it afterwards.
func (x *index) free() {
	x.slots.free()
	x.groups.free()
	x.entries.free()
	x.arena.free()
}

func (x *index) bytes(s span) []byte { return x.arena.items[s.off : s.off+s.n] }

func (x *index) str(s span) string {
	b := x.bytes(s)
	return unsafe.String(unsafe.SliceData(b), len(b)) // only for comparisons and copies
}

func (x *index) put(b []byte) span {
	return span{off: uint32(x.arena.pushAll(b)), n: uint32(len(b))}
}

// add records one row whose ID passed the ID rules, with its row-local reason, and
// returns the ID's entry.
func (x *index) add(id string, ref rowRef, fp uint64, local Reason, noPurge bool) (int32, error) {
	if len(x.arena.items)+2*len(id) >= 1<<32-1 {
		return 0, fmt.Errorf("more ID text than purgeset can index (4 GiB)")
	}
	if err := x.room(len(id)); err != nil {
		return 0, err
	}
	x.fold = foldInto(x.fold[:0], id)
	h := hashBytes(x.fold)
	g := x.findGroup(h, x.fold)
	if g < 0 {
		return x.newGroup(h, id, ref, fp, local, noPurge), nil
	}
	grp := &x.groups.items[g]
	for e := grp.first; e >= 0; e = x.entries.items[e].next {
		en := &x.entries.items[e]
		if x.str(en.id) == id {
			en.rows++
			if en.fp != fp {
				en.conflict = true
			}
			return e, nil
		}
	}
	grp.collision = true
	n := x.newEntry(id, ref, fp, local, noPurge, g)
	last := grp.first
	for x.entries.items[last].next >= 0 {
		last = x.entries.items[last].next
	}
	x.entries.items[last].next = n
	return n, nil
}

// room makes sure that one more ID, as a new group and entry, fits in the slabs.
func (x *index) room(idLen int) error {
	err := x.groups.room(1)
	if err == nil {
		err = x.entries.room(1)
	}
	if err == nil {
		err = x.arena.room(2 * idLen)
	}
	if err == nil && 4*(len(x.groups.items)+1) > 3*len(x.slots.items) {
		err = x.grow()
	}
	if err != nil {
		// Each slab grows by half: at most half as much again as is mapped now.
		return memoryError(len(x.entries.items), x.bytesMapped()/2, err)
	}
	return nil
}

func (x *index) bytesMapped() int {
	return len(x.slots.mem) + len(x.groups.mem) + len(x.entries.mem) + len(x.arena.mem)
}

func (x *index) findGroup(h uint64, key []byte) int32 {
	slots := x.slots.items
	mask := uint64(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := slots[i]
		if s == 0 {
			return -1
		}
		g := &x.groups.items[s-1]
		if g.hash == h && string(x.bytes(g.key)) == string(key) {
			return s - 1
		}
	}
}

func (x *index) newGroup(h uint64, id string, ref rowRef, fp uint64, local Reason, noPurge bool) int32 {
	g := int32(len(x.groups.items))
	e := x.newEntry(id, ref, fp, local, noPurge, g)
	key := x.entries.items[e].id
	if string(x.fold) != id {
		key = x.put(x.fold)
	}
	x.groups.push(foldGroup{hash: h, key: key, first: e})
	x.insertSlot(h, g)
	return e
}

func (x *index) newEntry(id string, ref rowRef, fp uint64, local Reason, noPurge bool, g int32) int32 {
	return int32(x.entries.push(entry{id: x.put(unsafe.Slice(unsafe.StringData(id), len(id))), first: ref, fp: fp,
		next: -1, group: g, rows: 1, firstLocal: local, noPurge: noPurge}))
}

func (x *index) insertSlot(h uint64, g int32) {
	slots := x.slots.items
	mask := uint64(len(slots) - 1)
	i := h & mask
	for slots[i] != 0 {
		i = (i + 1) & mask
	}
	slots[i] = g + 1
}

func (x *index) grow() error {
	n := 2 * len(x.slots.items)
	slots, err := newSlab[int32](n)
	if err != nil {
		return err
	}
	x.slots.free()
	x.slots = slots
	x.slots.items = x.slots.items[:n]
	for g := range x.groups.items {
		x.insertSlot(x.groups.items[g].hash, int32(g))
	}
	return nil
}

// classify applies the rules that need the whole run to one row of entry e:
// conflicting_duplicate, duplicate, case_collision. ok is false when none applies.
func (x *index) classify(e int32, ref rowRef) (Reason, string, bool) {
	en := &x.entries.items[e]
	switch {
	case en.conflict:
		return ConflictingDuplicate, "the rows with this ID differ in user group, record type, expiry or purge date (first: " + x.where(ref, en.first) + ")", true
	case en.first != ref:
		return Duplicate, "duplicate of " + x.where(ref, en.first), true
	}
	g := &x.groups.items[en.group]
	if g.collision {
		other := g.first
		if other == e {
			other = en.next
		}
		return CaseCollision, "the same ID in other letter case is at " + x.where(ref, x.entries.items[other].first), true
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

// hashBytes is FNV-1a, 64 bits, finished with a multiply-xorshift so that the low
// bits the table uses are well mixed.
func hashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 32
	h *= 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// fingerprint hashes the decision fields (SPEC §3.2). Two rows of one ID conflict when
// their fingerprints differ; a 64-bit collision between two rows of the same ID is the
// only way to miss a conflict.
func fingerprint(f *fields) uint64 {
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff // a separator byte that never occurs in UTF-8
		h *= 1099511628211
	}
	addDate := func(d Date, ok bool, text string) {
		if ok {
			var b [5]byte
			b[0] = 'd'
			b[1], b[2], b[3], b[4] = byte(d), byte(d>>8), byte(d>>16), byte(d>>24)
			add(string(b[:]))
		} else {
			add("t" + text)
		}
	}
	add(f.group)
	var buf [64]byte // record types are short: folding them here allocates nothing
	rt := foldInto(buf[:0], f.recordType)
	add(unsafe.String(unsafe.SliceData(rt), len(rt)))
	addDate(f.expiry, f.expiryOK, f.expiryText)
	addDate(f.purge, f.purgeOK, f.purgeText)
	return h
}
