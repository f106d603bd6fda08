package readers

import (
	"math"
	"strconv"
	"time"
)

// ExcelSerialDate converts a raw serial value as stored in the sheet XML (e.g. "44712",
// "44712.75", "4.4712E4") to a calendar date, cutting off (never rounding) the time
// fraction. ok is false for: not a number, negative, serial < 1 in the 1900 system
// (serial 0 is "1900-01-00"), serial 60 in the 1900 system (Excel's fictitious
// 1900-02-29, kept from Lotus 1-2-3), anything after 9999-12-31.
//
// 1900 system: serial 1 = 1900-01-01 ... 59 = 1900-02-28, from 61 on the date is
// 1899-12-30 + serial. 1904 system: serial 0 = 1904-01-01.
func ExcelSerialDate(raw string, date1904 bool) (y int, m time.Month, d int, ok bool) {
	days, ok := serialDays(raw)
	if !ok {
		return 0, 0, 0, false
	}
	const last1900 = 2958465 // 9999-12-31
	// base is the day before serial 1 (or serial 0 in the 1904 system), counted from
	// 1970-01-01
	var base int64
	switch {
	case date1904:
		if days > last1900-1462 {
			return 0, 0, 0, false
		}
		base = -24107 // 1904-01-01
	case days < 1 || days == 60 || days > last1900:
		return 0, 0, 0, false
	case days < 60:
		base = -25568 // 1899-12-31
	default:
		base = -25569 // 1899-12-30
	}
	y, m, d = CivilFromDays(base + days)
	return y, m, d, true
}

// serialDays is the whole days of a raw serial, the fraction cut off; ok is false for
// anything but a non-negative number. Dates are whole numbers, the common case, read
// without ParseFloat; a fraction or an exponent goes through it (rounding "44712.99…9"
// to 44713 as Excel does).
func serialDays(raw string) (int64, bool) {
	if raw == "" {
		return 0, false
	}
	if len(raw) <= 9 {
		var n int64
		i := 0
		for ; i < len(raw) && '0' <= raw[i] && raw[i] <= '9'; i++ {
			n = n*10 + int64(raw[i]-'0')
		}
		if i == len(raw) {
			return n, true
		}
	}
	// xsd:double in decimal or exponent form only: ParseFloat would also take
	// "Inf", "NaN", hex floats and underscores, none of which a sheet holds.
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0, false
	}
	f = math.Floor(f)
	if f > 1<<40 { // far beyond 9999-12-31: keep the conversion to int exact
		f = 1 << 40
	}
	return int64(f), true
}

// CivilFromDays is the calendar date of a day counted from 1970-01-01 (Howard Hinnant's
// civil_from_days, proleptic Gregorian), without time.Time's work: it runs for every
// date cell of a sheet, and pipeline's Date.Civil is the same computation.
func CivilFromDays(z int64) (int, time.Month, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d)
}
