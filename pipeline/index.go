package pipeline

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// rowRef names one data row: which input (index into the run's inputs) and its row.
type rowRef struct {
	src int32
	row int32
}

// index is the only state that grows with the data: one entry per distinct ID. It is an
// open-addressing hash table over slabs (an arena of ID bytes, the entries) rather than
// Go maps, because it holds millions of IDs: about 55 bytes an ID instead of three
// maps' worth, and one probe per row.
//
// IDs equal but for letter case form a group (SPEC §3.1, case_collision). A slot points
// at the group's first entry, whose ID folded is the group's key; the other exact IDs of
// a group, rare, hang off it in variants. A slot also holds 32 bits of the key's hash,
// so that a probe reads an entry and the arena only on a likely match.
type index struct {
	slots    *slab[uint64] // hash>>32 <<32 | (entry + 1); 0 is empty. At most 2^32.
	entries  *slab[entry]
	arena    *slab[byte] // ID bytes, referenced by offset
	groups   int         // distinct folded IDs: the slots in use
	variants map[int32]variant
	seed     maphash.Seed // per process: outputs never depend on slot order (see grow)
	probe    idKey        // scratch for has
	fold2    []byte
	names    []string
}

// entry is one exact ID.
type entry struct {
	id         span
	first      rowRef // the ID's first row
	fp         uint64 // fingerprint of the first row's decision fields
	rows       int32  // rows with this ID
	firstLocal Reason // the first row's own reason (rules after case_collision)
	conflict   bool
	noPurge    bool // the first row has no purge date
	collision  bool // other exact IDs share this one's folded form: see variants
}

// variant links the exact IDs of one group, in order of first appearance.
type variant struct {
	head int32 // the group's first entry, which the slot points at
	next int32 // the group's next entry, or -1
}

type span struct{ off, n uint32 }

// newIndex sizes the index for about rows IDs. Reserving capacity costs little: the
// pages of a mapping are not resident until written, and growing copies (both copies
// mapped for a moment).
func newIndex(names []string, rows int) (*index, error) {
	x := &index{names: names, variants: map[int32]variant{}, seed: maphash.MakeSeed()}
	n := max(rows, 1024)
	err := x.reserve(n)
	if err != nil && n > 1024 {
		err = x.reserve(1024) // the estimate did not fit under ulimit -v: grow as needed
	}
	if err != nil {
		return nil, memoryError(0, 60*n, err)
	}
	return x, nil
}

// reserve makes the slabs. The slot table starts small and doubles: its pages are
// written at random, so a table sized for every row would be resident in full even
// when most rows repeat an ID. The others are written in order and cost only what
// they hold, but their reservation counts against ulimit -v.
func (x *index) reserve(rows int) error {
	var errs [3]error
	x.slots, errs[0] = newSlab[uint64](1 << 16)
	x.entries, errs[1] = newSlab[entry](rows)
	x.arena, errs[2] = newSlab[byte](10 * rows)
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

// hash is the slot hash of a folded ID: maphash reads a word at a time, and its
// per-process seed keeps crafted IDs from colliding on purpose.
func (x *index) hash(folded []byte) uint64 { return maphash.Bytes(x.seed, folded) }

// idKey is what the index needs of a row beyond its ID, worked out ahead of add on
// the goroutines that normalise rows: the folded ID, its hash and the row's fingerprint.
type idKey struct {
	fold []byte
	hash uint64
	fp   uint64
}

// key fills k's folded ID and hash for id; safe for concurrent use. The caller sets
// k.fp, the row's fingerprint.
func (x *index) key(k *idKey, id string) {
	k.fold = foldInto(k.fold[:0], id)
	k.hash = x.hash(k.fold)
}

// add records one row whose ID passed the ID rules, keyed by index.key, with its
// row-local reason, and returns the ID's entry.
func (x *index) add(id string, k *idKey, ref rowRef, local Reason, noPurge bool) (int32, error) {
	if len(x.arena.items)+len(id) >= 1<<32-1 {
		return 0, fmt.Errorf("more ID text than purgeset can index (4 GiB)")
	}
	if err := x.room(len(id)); err != nil {
		return 0, err
	}
	h, fp := k.hash, k.fp
	head := x.find(h, k.fold)
	if head < 0 {
		e := x.newEntry(id, ref, fp, local, noPurge)
		x.insertSlot(h, e)
		x.groups++
		return e, nil
	}
	last := head
	for e := head; e >= 0; e = x.next(e) {
		en := &x.entries.items[e]
		if x.str(en.id) == id {
			en.rows++
			if en.fp != fp {
				en.conflict = true
			}
			return e, nil
		}
		last = e
	}
	n := x.newEntry(id, ref, fp, local, noPurge)
	if !x.entries.items[head].collision {
		x.entries.items[head].collision = true
		x.variants[head] = variant{head: head, next: -1}
	}
	x.entries.items[n].collision = true
	x.variants[n] = variant{head: head, next: -1}
	v := x.variants[last]
	v.next = n
	x.variants[last] = v
	return n, nil
}

// next is the entry after e in e's group, or -1.
func (x *index) next(e int32) int32 {
	if !x.entries.items[e].collision {
		return -1
	}
	return x.variants[e].next
}

// room makes sure that one more ID, as a new entry, fits in the slabs.
func (x *index) room(idLen int) error {
	err := x.entries.room(1)
	if err == nil {
		err = x.arena.room(idLen)
	}
	if err == nil && 4*(x.groups+1) > 3*len(x.slots.items) {
		err = x.grow()
	}
	if err != nil {
		// Each slab grows by half: at most half as much again as is mapped now.
		return memoryError(len(x.entries.items), x.bytesMapped()/2, err)
	}
	return nil
}

func (x *index) bytesMapped() int {
	return len(x.slots.mem) + len(x.entries.mem) + len(x.arena.mem)
}

// find returns the first entry of the group whose folded ID is key, or -1.
func (x *index) find(h uint64, key []byte) int32 {
	slots := x.slots.items
	mask := uint64(len(slots) - 1)
	tag := h >> 32
	for i := x.home(tag); ; i = (i + 1) & mask {
		s := slots[i]
		if s == 0 {
			return -1
		}
		if s>>32 == tag {
			e := int32(uint32(s)) - 1
			if x.foldedEqual(x.bytes(x.entries.items[e].id), key) {
				return e
			}
		}
	}
}

// home is the slot a hash's probe starts at: the tag's top bits, so that growing the
// table can place each slot from its tag alone.
func (x *index) home(tag uint64) uint64 {
	return tag >> (32 - bits.TrailingZeros(uint(len(x.slots.items))))
}

// foldedEqual reports whether id folds to key. Most IDs are stored folded already.
func (x *index) foldedEqual(id, key []byte) bool {
	if string(id) == string(key) {
		return true // folding is idempotent
	}
	x.fold2 = foldInto(x.fold2[:0], unsafe.String(unsafe.SliceData(id), len(id)))
	return string(x.fold2) == string(key)
}

func (x *index) newEntry(id string, ref rowRef, fp uint64, local Reason, noPurge bool) int32 {
	return int32(x.entries.push(entry{id: x.put(unsafe.Slice(unsafe.StringData(id), len(id))), first: ref, fp: fp,
		rows: 1, firstLocal: local, noPurge: noPurge}))
}

func (x *index) insertSlot(h uint64, e int32) { x.place(h>>32<<32 | uint64(e+1)) }

// place puts a slot's value at the first free slot from its home.
func (x *index) place(v uint64) {
	slots := x.slots.items
	mask := uint64(len(slots) - 1)
	i := x.home(v >> 32)
	for slots[i] != 0 {
		i = (i + 1) & mask
	}
	slots[i] = v
}

// grow doubles the slot table. Nothing ever walks the slots to write anything, so the
// seed decides where an ID sits in the table but never the order of an output.
func (x *index) grow() error {
	n := 2 * len(x.slots.items)
	if n > 1<<32 {
		return fmt.Errorf("more than %d distinct IDs (%w)", 1<<31, errAddressSpace)
	}
	slots, err := newSlab[uint64](n)
	if err != nil {
		return err
	}
	old := x.slots
	x.slots = slots
	x.slots.items = x.slots.items[:n]
	for _, v := range old.items {
		if v != 0 {
			x.place(v)
		}
	}
	old.free()
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
	if en.collision {
		other := x.variants[e].head
		if other == e {
			other = x.variants[e].next
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
