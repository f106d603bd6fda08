package pipeline

import (
	"testing"
	"time"
)

func TestParseTextDate(t *testing.T) {
	cases := []struct {
		in    string
		order DateOrder
		want  string // YYYY-MM-DD, or "" when a problem is expected
		prob  dateProblem
	}{
		{"2021-05-31", OrderNone, "2021-05-31", dateOK},
		// Dotted dates: always day first, with or without a time, under any order.
		{"31.05.2023", OrderNone, "2023-05-31", dateOK},
		{"1.2.2024", OrderNone, "2024-02-01", dateOK},
		{"01.02.2024", OrderMDY, "2024-02-01", dateOK},
		{"31.5.2023 10:00", OrderNone, "2023-05-31", dateOK},
		{"31.05.2023T10:00:00Z", OrderNone, "2023-05-31", dateOK},
		{"29.02.2023", OrderNone, "", impossibleDate},
		{"05.31.2023", OrderNone, "", impossibleDate}, // month first with dots: never
		{"31.05.23", OrderNone, "", twoDigitYear},
		{"2023.05.31", OrderNone, "", notADate},
		{"031.05.2023", OrderNone, "", notADate},
		{"31.05.02023", OrderNone, "", notADate},
		{"31.05-2023", OrderNone, "", notADate},
		{"31..2023", OrderNone, "", notADate},
		{"2021/05/31", OrderNone, "2021-05-31", dateOK},
		{"2024-06-30T00:00:00", OrderNone, "2024-06-30", dateOK},
		{"2024-06-30 23:59", OrderNone, "2024-06-30", dateOK},
		{"2024-06-30 23:59:59.123Z", OrderNone, "2024-06-30", dateOK},
		{"2024-06-30T23:59:59Z", OrderNone, "2024-06-30", dateOK},
		{"2024-06-30 25:00", OrderNone, "", notADate},
		{"2024-06-30 noon", OrderNone, "", notADate},
		{"2021-02-30", OrderNone, "", impossibleDate},
		{"2024-02-29", OrderNone, "2024-02-29", dateOK},
		{"2023-02-29", OrderNone, "", impossibleDate},
		{"1900-02-29", OrderNone, "", impossibleDate},
		{"2000-02-29", OrderNone, "2000-02-29", dateOK},
		{"0000-01-01", OrderNone, "", impossibleDate},
		{"9999-12-31", OrderNone, "9999-12-31", dateOK},
		{"1850-03-01", OrderNone, "1850-03-01", dateOK},
		{"21-05-31", OrderNone, "", twoDigitYear},
		{"2020-1-5", OrderNone, "", notADate},
		{"N/A", OrderNone, "", notADate},
		{"soon", OrderNone, "", notADate},
		{"2021-05-31-01", OrderNone, "", notADate},
		{"2021-05/31", OrderNone, "", notADate},
		{"03/04/2021", OrderNone, "", slashNoOrder},
		{"03/04/2021", OrderMDY, "2021-03-04", dateOK},
		{"03/04/2021", OrderDMY, "2021-04-03", dateOK},
		{"3/4/2021", OrderDMY, "2021-04-03", dateOK},
		{"31/05/2023 10:00", OrderDMY, "2023-05-31", dateOK},
		{"13/45/2020", OrderDMY, "", impossibleDate},
		{"13/05/2020", OrderMDY, "", impossibleDate},
		{"03/04/21", OrderDMY, "", twoDigitYear},
		{"03/04/021", OrderDMY, "", notADate},
		{"003/04/2021", OrderDMY, "", notADate},
		{"２０２１-05-31", OrderNone, "", notADate}, // full-width digits are not digits here
		{"44712", OrderNone, "", notADate},      // an Excel serial in a text file
	}
	for _, c := range cases {
		d, p := parseTextDate(c.in, c.order)
		if p != c.prob {
			t.Errorf("parseTextDate(%q, %q) problem = %q, want %q", c.in, c.order, p, c.prob)
			continue
		}
		if c.prob == dateOK && d.String() != c.want {
			t.Errorf("parseTextDate(%q, %q) = %s, want %s", c.in, c.order, d, c.want)
		}
	}
}

func TestIsSlashDate(t *testing.T) {
	yes := []string{"03/04/2021", "3/4/21", "12/31/2020 10:00", "1/2/3", "31/05/2023T10:00"}
	no := []string{"2021/05/31", "2021-05-31", "a/b/c", "03/04", "03/04/2021/5", "", "N/A", "03-04-2021"}
	for _, s := range yes {
		if !isSlashDate(s) {
			t.Errorf("isSlashDate(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if isSlashDate(s) {
			t.Errorf("isSlashDate(%q) = true, want false", s)
		}
	}
}

// TestDateRoundTrip checks MakeDate and Civil against the time package for every day
// of a wide range, so the hand-written calendar arithmetic cannot drift.
func TestDateRoundTrip(t *testing.T) {
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := start; day.Year() < 2500; day = day.AddDate(0, 0, 1) {
		d, ok := MakeDate(day.Year(), day.Month(), day.Day())
		if !ok {
			t.Fatalf("MakeDate(%s) not ok", day.Format(time.DateOnly))
		}
		if want := Date(day.Unix() / 86400); d != want {
			t.Fatalf("MakeDate(%s) = %d, want %d", day.Format(time.DateOnly), d, want)
		}
		if got := d.String(); got != day.Format(time.DateOnly) {
			t.Fatalf("Date(%d).String() = %s, want %s", d, got, day.Format(time.DateOnly))
		}
	}
}

func TestParseISODate(t *testing.T) {
	if d, ok := ParseISODate("2024-07-01"); !ok || d.String() != "2024-07-01" {
		t.Errorf("ParseISODate(2024-07-01) = %s, %v", d, ok)
	}
	for _, bad := range []string{"2024-7-1", "2024/07/01", "2024-02-30", "01-07-2024", "", "2024-07-01T00:00"} {
		if _, ok := ParseISODate(bad); ok {
			t.Errorf("ParseISODate(%q) accepted", bad)
		}
	}
}
