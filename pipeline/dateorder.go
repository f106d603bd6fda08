package pipeline

import (
	"fmt"
	"time"

	"github.com/purgeset/purgeset/readers"
)

// orderEvidence weighs --date-order against the slash dates of one input (SPEC §8):
// a date with a four-digit year that is impossible in the given order but valid in
// the other contradicts it; one valid in the given order only supports it. Dates
// impossible in both orders are neither (they stay bad_date).
type orderEvidence struct {
	order   DateOrder
	support bool
	first   *readers.ParseError // the first contradicting date, in input order
}

// done reports that no later date can change the verdict.
func (e *orderEvidence) done() bool { return e.support }

// see weighs one trimmed slash date.
func (e *orderEvidence) see(text string, row int, column, cell string) {
	mdy, dmy, ok := slashReadings(text)
	if !ok || mdy == dmy {
		return
	}
	given := mdy
	if e.order == OrderDMY {
		given = dmy
	}
	if given {
		e.support = true
		return
	}
	if e.first == nil {
		e.first = &readers.ParseError{Row: row, Cell: cell, Column: column, Found: text}
	}
}

// check stops the run when the data contradicts the order and nothing supports it.
func (e *orderEvidence) check(name string) error {
	if e.first == nil || e.support {
		return nil
	}
	given, other, flag := "month/day/year", "day/month/year", "dmy"
	if e.order == OrderDMY {
		given, other, flag = other, given, "mdy"
	}
	err := *e.first
	err.File = name
	err.Msg = fmt.Sprintf("%s is not a valid %s date but is a valid %s date, and no date in this input is valid only as %s: check --date-order",
		err.Found, given, other, given)
	err.Hint = fmt.Sprintf("this export writes dates %s first: pass --date-order %s (or export the dates as YYYY-MM-DD)", map[string]string{"dmy": "day", "mdy": "month"}[flag], flag)
	err.Found = "" // already in the message; dates are not personal data
	return &err
}

// slashReadings says whether a slash date with a four-digit year is a valid
// month/day/year and a valid day/month/year date; ok is false for any other value.
func slashReadings(text string) (mdy, dmy, ok bool) {
	datePart, _, _ := splitTime(text)
	parts, sep, ok := splitDate(datePart)
	if !ok || sep != '/' || len(parts[2]) != 4 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return false, false, false
	}
	a, ok1 := digits(parts[0])
	b, ok2 := digits(parts[1])
	y, ok3 := digits(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return false, false, false
	}
	_, mdy = MakeDate(y, time.Month(a), b)
	_, dmy = MakeDate(y, time.Month(b), a)
	return mdy, dmy, true
}
