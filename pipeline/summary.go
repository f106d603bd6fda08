package pipeline

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/purgeset/purgeset/writers"
)

// Summary is the count of every decision, per input and in total.
type Summary struct {
	Inputs   []writers.Input
	Counts   writers.Counts
	ByReason [numReasons]int
	Warnings []writers.Warning
	Outputs  []writers.Output // files written; empty on a dry run
	noPurge  int
	// shortUsual is the length of the longest all-digit ID when included all-digit IDs
	// are shorter (the short_numeric_id warning), else 0.
	shortUsual int
	// RunID names the set files and decisions written (SPEC §5); empty on a dry run.
	RunID string
}

func newSummary(inputs []writers.Input) *Summary {
	s := &Summary{Inputs: append([]writers.Input(nil), inputs...)}
	for _, in := range inputs {
		s.Counts.DataRows += in.DataRows
		s.Counts.BlankRows += in.BlankRows
	}
	return s
}

func (s *Summary) finish(badPurge int, digits *digitLengths) {
	for i := range s.Inputs {
		in := &s.Inputs[i]
		in.Excluded = in.DataRows - in.Included
	}
	s.Counts.Included = s.ByReason[Expired]
	for r, n := range s.ByReason {
		if !Reason(r).Included() {
			s.Counts.Excluded += n
		}
	}
	s.Counts.ExcludedByReason = map[string]int{}
	for r, n := range s.ByReason {
		if n > 0 && !Reason(r).Included() {
			s.Counts.ExcludedByReason[Reason(r).String()] = n
		}
	}
	if badPurge > 0 {
		s.Warnings = append(s.Warnings, writers.Warning{Code: WarnBadPurgeDate, Count: badPurge,
			Message: "rows whose purge date is filled but cannot be read (it is reported, not a filter)"})
	}
	if s.noPurge > 0 {
		s.Warnings = append(s.Warnings, writers.Warning{Code: WarnNoPurgeDate, Count: s.noPurge,
			Message: "included rows without a purge date: the Purge User Records job never purges a user without one, so set it with Update/Notify Users"})
	}
	if n := digits.short(); n > 0 {
		s.shortUsual = digits.longest
		s.Warnings = append(s.Warnings, writers.Warning{Code: WarnShortNumericID, Count: n, Message: digits.message()})
	}
}

// ErrConservation is an internal check failing: some row has no decision or two.
var ErrConservation = errors.New("conservation check failed")

// Check proves that every data row got exactly one decision, per input and in total
// (SPEC §3.4). Run calls it before anything is written.
func (s *Summary) Check() error {
	total, inc, exc := 0, 0, 0
	for _, in := range s.Inputs {
		if in.Included+in.Excluded != in.DataRows {
			return fmt.Errorf("%w: %s has %d data rows but %d included + %d excluded", ErrConservation, in.Path, in.DataRows, in.Included, in.Excluded)
		}
		total, inc, exc = total+in.DataRows, inc+in.Included, exc+in.Excluded
	}
	byReason := 0
	for r, n := range s.ByReason {
		if !Reason(r).Included() {
			byReason += n
		}
	}
	c := s.Counts
	if c.DataRows != total || c.Included != inc || c.Excluded != exc || c.Included+c.Excluded != c.DataRows ||
		byReason != c.Excluded || s.ByReason[Expired] != c.Included || in0(s.Inputs) {
		return fmt.Errorf("%w: %d data rows, %d included, %d excluded (%d by reason)", ErrConservation, c.DataRows, c.Included, c.Excluded, byReason)
	}
	return nil
}

// in0 reports an input with a negative count, which the subtraction in finish would
// otherwise hide.
func in0(inputs []writers.Input) bool {
	for _, in := range inputs {
		if in.Included < 0 || in.Excluded < 0 {
			return true
		}
	}
	return false
}

// tally recounts the decisions as the third pass makes them, row by row, so that the
// counts written to the manifest are checked against the rows actually written.
type tally struct {
	included, excluded []int
	byReason           [numReasons]int
}

func newTally(inputs int) *tally {
	return &tally{included: make([]int, inputs), excluded: make([]int, inputs)}
}

func (t *tally) add(src int32, r Reason) {
	t.byReason[r]++
	if r.Included() {
		t.included[src]++
	} else {
		t.excluded[src]++
	}
}

func (t *tally) matches(s *Summary, setIDs int) error {
	if t.byReason != s.ByReason {
		return fmt.Errorf("%w: rows written by reason %v, counted %v", ErrConservation, t.byReason, s.ByReason)
	}
	for i, in := range s.Inputs {
		if t.included[i] != in.Included || t.excluded[i] != in.Excluded {
			return fmt.Errorf("%w: %s: wrote %d included + %d excluded, counted %d + %d", ErrConservation, in.Path, t.included[i], t.excluded[i], in.Included, in.Excluded)
		}
	}
	if setIDs != s.Counts.Included {
		return fmt.Errorf("%w: %d IDs written to set files, %d rows included", ErrConservation, setIDs, s.Counts.Included)
	}
	return nil
}

// digitLengths counts included all-digit IDs by length, to spot lost leading zeros
// (SPEC §8): Excel turns 00179420 into 179420, and no reader can see it.
type digitLengths struct {
	byLen   map[int]int
	longest int  // the longest all-digit ID of the inputs, included or not
	off     bool // --id-pattern states the format: no guessing
}

func newDigitLengths(longest int, pattern bool) *digitLengths {
	return &digitLengths{byLen: map[int]int{}, longest: longest, off: pattern}
}

func (d *digitLengths) add(id string) {
	if AllDigits(id) {
		d.byLen[len(id)]++
	}
}

// AllDigits reports whether id is digits only, as short_numeric_id counts them (verify
// recounts with it).
func AllDigits(id string) bool { return id != "" && skipDigits(id, 0) == len(id) }

// short is how many included all-digit IDs are shorter than the longest all-digit ID
// of the inputs.
func (d *digitLengths) short() int {
	if d.off {
		return 0
	}
	n := 0
	for l, c := range d.byLen {
		if l < d.longest {
			n += c
		}
	}
	return n
}

func (d *digitLengths) message() string {
	lens := slices.Sorted(maps.Keys(d.byLen))
	slices.Reverse(lens)
	parts := make([]string, len(lens))
	for i, l := range lens {
		parts[i] = fmt.Sprintf("%d digits: %d", l, d.byLen[l])
	}
	return fmt.Sprintf("included all-digit IDs shorter than the longest all-digit ID of the inputs (%d digits): leading zeros may have been lost in Excel. "+
		"Included all-digit IDs by length: %s. If your IDs have a fixed length, set --id-pattern (e.g. '^[0-9]{%d}$') so that shortened IDs are excluded as malformed_id",
		d.longest, strings.Join(parts, ", "), d.longest)
}
