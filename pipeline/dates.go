package pipeline

import (
	"time"

	"github.com/purgeset/purgeset/readers"
)

// Date is a calendar date as days since 1970-01-01. Dates are never shifted by time
// zone: Analytics shows them in the institution's zone and so do we.
type Date int32

// DateOrder says how to read slash dates such as 03/04/2021 (SPEC §4).
type DateOrder string

const (
	OrderNone DateOrder = ""
	OrderMDY  DateOrder = "mdy"
	OrderDMY  DateOrder = "dmy"
)

// dateProblem says why a value is not a date; "" when it is one. The texts end up in
// decisions.csv's detail column.
type dateProblem string

const (
	dateOK         dateProblem = ""
	notADate       dateProblem = "not a date in a form purgeset accepts (YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY)"
	impossibleDate dateProblem = "an impossible date"
	twoDigitYear   dateProblem = "a two-digit year (never guessed)"
	slashNoOrder   dateProblem = "a slash date, ambiguous without --date-order"
)

// MakeDate is the Date of a calendar day; ok is false for a day that does not exist.
func MakeDate(y int, m time.Month, d int) (Date, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	// Days from civil, after Howard Hinnant's algorithm: exact for the proleptic
	// Gregorian calendar and free of time.Time's allocations and zones.
	yy := y
	if m <= 2 {
		yy--
	}
	era := yy / 400
	yoe := yy - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 719468), true
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Civil is the inverse of MakeDate.
func (d Date) Civil() (int, time.Month, int) { return readers.CivilFromDays(int64(d)) }

// String is YYYY-MM-DD.
func (d Date) String() string {
	y, m, day := d.Civil()
	b := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-',
		byte('0' + day/10), byte('0' + day%10),
	}
	return string(b[:])
}

// ParseISODate reads exactly YYYY-MM-DD (used for --cutoff).
func ParseISODate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return MakeDate(y, time.Month(m), d)
}

// parseTextDate reads a trimmed text date in the forms of SPEC §4: YYYY-MM-DD,
// YYYY/MM/DD, D.M.YYYY, and M/D/YYYY or D/M/YYYY under a date order, each optionally followed by
// a time after a space or T, which is checked for form and then ignored.
func parseTextDate(s string, order DateOrder) (Date, dateProblem) {
	datePart, timePart, hasTime := splitTime(s)
	if hasTime && !validTime(timePart) {
		return 0, notADate
	}
	parts, sep, ok := splitDate(datePart)
	if !ok {
		return 0, notADate
	}
	for _, p := range parts {
		if _, ok := digits(p); !ok {
			return 0, notADate
		}
	}
	var y, m, d string
	switch {
	case sep == '.': // D.M.YYYY, always day first: no locale writes month first with dots
		d, m, y = parts[0], parts[1], parts[2]
		if len(d) > 2 || len(m) > 2 {
			return 0, notADate
		}
		if len(y) == 2 {
			return 0, twoDigitYear
		}
		if len(y) != 4 {
			return 0, notADate
		}
	case len(parts[0]) == 4:
		y, m, d = parts[0], parts[1], parts[2]
		if len(m) != 2 || len(d) != 2 {
			return 0, notADate
		}
	case sep == '-':
		if len(parts[0]) == 2 {
			return 0, twoDigitYear
		}
		return 0, notADate
	default: // a slash date with the day and month first
		switch order {
		case OrderMDY:
			m, d, y = parts[0], parts[1], parts[2]
		case OrderDMY:
			d, m, y = parts[0], parts[1], parts[2]
		default:
			return 0, slashNoOrder
		}
		if len(m) > 2 || len(d) > 2 {
			return 0, notADate
		}
		if len(y) == 2 {
			return 0, twoDigitYear
		}
		if len(y) != 4 {
			return 0, notADate
		}
	}
	yi, _ := digits(y)
	mi, _ := digits(m)
	di, _ := digits(d)
	date, ok := MakeDate(yi, time.Month(mi), di)
	if !ok {
		return 0, impossibleDate
	}
	return date, dateOK
}

// isSlashDate reports a value of the form N/N/N with the day or month first (any year
// length), with or without a time: the form whose meaning depends on the locale.
// Year-first YYYY/MM/DD is unambiguous and not one.
func isSlashDate(s string) bool {
	if len(s) < 5 || s[0] < '0' || s[0] > '9' {
		return false // the common case: a year-first date or no date at all
	}
	if len(s) >= 5 && s[4] == '-' {
		return false
	}
	datePart, _, _ := splitTime(s)
	parts, sep, ok := splitDate(datePart)
	if !ok || sep != '/' || len(parts[0]) == 4 {
		return false
	}
	for _, p := range parts {
		if _, ok := digits(p); !ok {
			return false
		}
	}
	return true
}

// splitTime cuts s at the first space or 'T'.
func splitTime(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == 'T' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// splitDate splits "a-b-c", "a/b/c" or "a.b.c" into three non-empty parts; ok is
// false for any other shape. It returns an array, not a slice: it runs on every date
// cell.
func splitDate(s string) (parts [3]string, sep byte, ok bool) {
	n, start := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '-' && c != '/' && c != '.' {
			continue
		}
		if sep == 0 {
			sep = c
		} else if c != sep {
			return parts, 0, false
		}
		if n == 2 || i == start {
			return parts, 0, false
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	if n != 2 || start == len(s) {
		return parts, 0, false
	}
	parts[2] = s[start:]
	return parts, sep, true
}

// validTime accepts HH:MM or HH:MM:SS, an optional fraction and an optional Z.
func validTime(t string) bool {
	if len(t) > 0 && t[len(t)-1] == 'Z' {
		t = t[:len(t)-1]
	}
	if len(t) < 5 || t[2] != ':' {
		return false
	}
	h, ok1 := digits(t[0:2])
	mi, ok2 := digits(t[3:5])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return false
	}
	rest := t[5:]
	if rest == "" {
		return true
	}
	if len(rest) < 3 || rest[0] != ':' {
		return false
	}
	sec, ok := digits(rest[1:3])
	if !ok || sec > 59 {
		return false
	}
	rest = rest[3:]
	if rest == "" {
		return true
	}
	if rest[0] != '.' && rest[0] != ',' {
		return false
	}
	_, ok = digits(rest[1:])
	return ok
}

// digits parses a non-empty run of ASCII digits (at most 9).
func digits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
