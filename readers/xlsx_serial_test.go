package readers

import (
	"fmt"
	"testing"
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
