package alma

import (
	"context"
	"fmt"
	"strings"
)

// SetCheck is the read-back of a set against the run's included IDs. Findings never
// hold an ID; Missing and Extra do, for stdout only.
type SetCheck struct {
	Set      *Set
	Read     int      // members read
	Missing  []string // run IDs not in the set, in run order
	Extra    []string // set members not in the run
	Findings []string
}

// OK reports whether the set holds exactly the run's IDs.
func (s *SetCheck) OK() bool { return len(s.Findings) == 0 }

// Progress reports work done: what, how many of how many.
type Progress func(what string, done, total int)

// ReadBackCalls is how many calls VerifySet makes for a set of n members.
func ReadBackCalls(n int) int { return 1 + max(1, (n+PageSize-1)/PageSize) }

// VerifySet reads a set back (its number_of_members and every page of its members)
// and compares it with ids. A member's ID is its id or the tail of its link (Alma's
// docs do not say which is the primary ID); when both are there they must agree.
func VerifySet(ctx context.Context, c *Client, setID string, ids []string, progress Progress) (*SetCheck, error) {
	set, err := c.GetSet(ctx, setID)
	if err != nil {
		return nil, fmt.Errorf("read set %s: %w", setID, err)
	}
	chk := &SetCheck{Set: set}
	if v := strings.ToUpper(set.Content.Value); v != "" && v != "USER" {
		chk.add("set %s holds %s records, not users", setID, set.Content.Value)
	}
	if v := strings.ToUpper(set.Type.Value); v != "" && v != "ITEMIZED" {
		chk.add("set %s is %s, not itemized: a logical set is a search run again each time and may hold other users tomorrow", setID, set.Type.Value)
	}
	switch {
	case !set.NumberMembers.Set:
		chk.add("Alma did not give the set's number_of_members")
	case set.NumberMembers.N != int64(len(ids)):
		chk.add("Alma says the set has %d members; the run includes %d IDs", set.NumberMembers.N, len(ids))
	}

	want := make(map[string]bool, len(ids)) // true once seen in the set
	for _, id := range ids {
		want[id] = false
	}
	// A damaged or hostile answer could claim any total: read at most what a correct
	// set could hold, plus one page to see that there is more.
	limit := len(ids) + PageSize
	var total int64 = -1
	noID, differ, dup, extra := 0, 0, 0, 0
	for offset := 0; ; {
		page, t, tSet, err := c.MembersPage(ctx, setID, offset)
		if err != nil {
			return nil, fmt.Errorf("read the members of set %s at offset %d: %w", setID, offset, err)
		}
		switch {
		case !tSet:
			chk.add("Alma did not give total_record_count for the members")
			return chk.finish(want, ids, noID, differ, dup, extra), nil
		case total >= 0 && t != total:
			chk.add("the member count changed from %d to %d while the set was read: someone is changing it", total, t)
			return chk.finish(want, ids, noID, differ, dup, extra), nil
		}
		total = t
		for _, m := range page {
			chk.Read++
			id, link := strings.TrimSpace(string(m.ID)), m.LinkID()
			switch {
			case id == "" && link == "":
				noID++
				continue
			case id != "" && link != "" && id != link:
				differ++
				continue
			case id == "":
				id = link
			}
			seen, ok := want[id]
			switch {
			case !ok:
				extra++
				chk.Extra = append(chk.Extra, id)
			case seen:
				dup++
			default:
				want[id] = true
			}
		}
		offset += len(page)
		if progress != nil {
			progress("reading set members", offset, int(min(total, int64(limit))))
		}
		if int64(offset) >= total {
			break
		}
		if len(page) == 0 {
			chk.add("Alma gave no members at offset %d of %d", offset, total)
			break
		}
		if offset >= limit {
			chk.add("the set has more than %d members; stopped reading", limit)
			break
		}
	}
	if total >= 0 && set.NumberMembers.Set && set.NumberMembers.N != total {
		chk.add("the members list says %d members, the set's number_of_members %d", total, set.NumberMembers.N)
	}
	return chk.finish(want, ids, noID, differ, dup, extra), nil
}

func (s *SetCheck) add(format string, a ...any) {
	s.Findings = append(s.Findings, fmt.Sprintf(format, a...))
}

func (s *SetCheck) finish(want map[string]bool, ids []string, noID, differ, dup, extra int) *SetCheck {
	for _, id := range ids {
		if !want[id] {
			s.Missing = append(s.Missing, id)
		}
	}
	if len(s.Missing) > 0 {
		s.add("%d IDs of the run are not members of the set", len(s.Missing))
	}
	if extra > 0 {
		s.add("%d members of the set are not IDs of the run", extra)
	}
	if dup > 0 {
		s.add("%d members appear twice", dup)
	}
	if noID > 0 {
		s.add("%d members have neither an id nor a user link", noID)
	}
	if differ > 0 {
		s.add("%d members have an id that differs from the user ID in their link: cannot tell which user is in the set (see docs/alma.md)", differ)
	}
	return s
}
