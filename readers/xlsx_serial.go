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
	// xsd:double in decimal or exponent form only: ParseFloat would also take
	// "Inf", "NaN", hex floats and underscores, none of which a sheet holds.
	if raw == "" {
		return 0, 0, 0, false
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, 0, 0, false
		}
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0, 0, 0, false
	}
	const last1900 = 2958465 // 9999-12-31
	days := math.Floor(f)
	var base time.Time
	switch {
	case date1904:
		if days > last1900-1462 {
			return 0, 0, 0, false
		}
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 1 || days == 60 || days > last1900:
		return 0, 0, 0, false
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	y, m, d = base.AddDate(0, 0, int(days)).Date()
	return y, m, d, true
}
