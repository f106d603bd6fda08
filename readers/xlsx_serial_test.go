package readers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestXLSXExcelSerialDate(t *testing.T) {
	cases := []struct {
		raw      string
		date1904 bool
		want     string // "" when not ok
	}{
		{"1", false, "1900-01-01"},
		{"59", false, "1900-02-28"},
		{"59.99", false, "1900-02-28"},
		{"60", false, ""},
		{"60.5", false, ""},
		{"61", false, "1900-03-01"},
		{"25569", false, "1970-01-01"},
		{"44712", false, "2022-05-31"},
		{"44712.75", false, "2022-05-31"},
		{"44712.999", false, "2022-05-31"},
		{"44712.99999999999", false, "2022-05-31"},
		{"4.4712E4", false, "2022-05-31"},
		{"4.4712e+4", false, "2022-05-31"},
		{"0", false, ""},
		{"0.5", false, ""},
		{"0", true, "1904-01-01"},
		{"0.9", true, "1904-01-01"},
		{"1461", true, "1908-01-01"}, // 1904 + 366 + 3*365 days
		{"1462", true, "1908-01-02"},
		{"43250", true, "2022-05-31"},
		{"-1", false, ""},
		{"-1", true, ""},
		{"-0.5", true, ""},
		{"2958465", false, "9999-12-31"},
		{"2958465.9", false, "9999-12-31"},
		{"2958466", false, ""},
		{"2957003", true, "9999-12-31"},
		{"2957004", true, ""},
		{"1e300", false, ""},
		{"abc", false, ""},
		{"", false, ""},
		{" 44712", false, ""},
		{"NaN", false, ""},
		{"Inf", false, ""},
		{"0x1p4", false, ""},
		{"44_712", false, ""},
		{"2022-05-31", false, ""},
	}
	for _, tc := range cases {
		y, m, d, ok := ExcelSerialDate(tc.raw, tc.date1904)
		got := ""
		if ok {
			got = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		}
		if got != tc.want {
			t.Errorf("ExcelSerialDate(%q, %v) = %q (ok %v), want %q", tc.raw, tc.date1904, got, ok, tc.want)
		}
	}
}

// refSerialDate is ExcelSerialDate as it was written first, on time.Time: the reference
// for the integer fast path and the day arithmetic.
func refSerialDate(raw string, date1904 bool) (int, time.Month, int, bool) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsNaN(f) || strings.ContainsAny(raw, "xXpPnNiI_") {
		return 0, 0, 0, false
	}
	days := math.Floor(f)
	var base time.Time
	switch {
	case date1904:
		if days > 2958465-1462 {
			return 0, 0, 0, false
		}
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 1 || days == 60 || days > 2958465:
		return 0, 0, 0, false
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	y, m, d := base.AddDate(0, 0, int(days)).Date()
	return y, m, d, true
}

// TestXLSXExcelSerialDateEveryDay checks every serial to 200000 (year 2447), then every
// 13th (13 is prime to the 146097 days of the Gregorian cycle) to after 9999-12-31, in
// both date systems, as a whole number, with leading zeros, with a
// fraction and in exponent form, against the time.Time reference.
func TestXLSXExcelSerialDateEveryDay(t *testing.T) {
	check := func(raw string, date1904 bool) {
		y, m, d, ok := ExcelSerialDate(raw, date1904)
		ry, rm, rd, rok := refSerialDate(raw, date1904)
		if y != ry || m != rm || d != rd || ok != rok {
			t.Fatalf("ExcelSerialDate(%q, %v) = %d-%d-%d %v, reference %d-%d-%d %v", raw, date1904, y, m, d, ok, ry, rm, rd, rok)
		}
	}
	for n := 0; n <= 2958467; n += 1 + 12*min(n/200000, 1) {
		for _, date1904 := range []bool{false, true} {
			check(strconv.Itoa(n), date1904)
			if n%97 == 0 || n > 2958400 {
				check(strconv.Itoa(n)+".5", date1904)
				check("0"+strconv.Itoa(n), date1904)
				check(strconv.FormatFloat(float64(n)+0.25, 'E', -1, 64), date1904)
			}
		}
	}
	for _, raw := range []string{"999999999", "1000000000", "99999999999999999999", "1e15", "44712.99999999999999999", "-0", "+44712", "4471a"} {
		check(raw, false)
		check(raw, true)
	}
}
