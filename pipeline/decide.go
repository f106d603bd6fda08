package pipeline

import (
	"strconv"
	"strings"
)

// rules holds what the row-local rules need (SPEC §3.1 from protected on).
type rules struct {
	cutoff      Date
	cutoffText  string
	groups      map[string]bool // nil: every group is eligible
	recordTypes []string
	protect     map[string]string // ID → protect list it came from
}

func newRules(cfg Config, protect map[string]string) *rules {
	r := &rules{cutoff: cfg.Cutoff, cutoffText: cfg.Cutoff.String(), recordTypes: cfg.RecordTypes, protect: protect}
	if !cfg.AllGroups {
		r.groups = map[string]bool{}
		for _, g := range cfg.Groups {
			r.groups[strings.TrimSpace(g)] = true
		}
	}
	return r
}

// local is the first of the rules that look at this row alone. The rules that need
// the whole run (duplicates, conflicts, case collisions) come before these and are
// applied in the second pass.
func (r *rules) local(f *fields) (Reason, string) {
	if list, ok := r.protect[f.id]; ok {
		return Protected, "in protect list " + list
	}
	if f.hasRType && !r.eligibleType(f.recordType) {
		if f.recordType == "" {
			return RecordType, "record type is blank"
		}
		return RecordType, "record type " + strconv.Quote(f.recordType) + " is not eligible"
	}
	if r.groups != nil && !r.groups[f.group] {
		if f.group == "" {
			return GroupNotSelected, "user group is blank"
		}
		return GroupNotSelected, "user group " + strconv.Quote(f.group) + " is not selected"
	}
	if f.expiryText == "" {
		return MissingExpiry, ""
	}
	if f.expiryBad != dateOK {
		return BadDate, "expiry " + strconv.Quote(f.expiryText) + " is " + string(f.expiryBad)
	}
	if f.expiry >= r.cutoff {
		return NotExpired, "expiry " + f.expiry.String() + " is on or after the cutoff " + r.cutoffText
	}
	return Expired, ""
}

func (r *rules) eligibleType(t string) bool {
	if t == "" {
		return false
	}
	for _, e := range r.recordTypes {
		if strings.EqualFold(strings.TrimSpace(e), t) {
			return true
		}
	}
	return false
}
