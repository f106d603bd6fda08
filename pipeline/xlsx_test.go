package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeXLSX makes a workbook whose first sheet holds rows; a float64 or int becomes a
// number cell, a string a text cell. dateStyle names the columns (1-based) styled as
// dates.
func writeXLSX(t *testing.T, rows [][]any, dateCols ...int) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
			for _, dc := range dateCols {
				if dc == c+1 && r > 0 {
					f.SetCellStyle("Sheet1", cell, cell, style)
				}
			}
		}
	}
	p := filepath.Join(t.TempDir(), "in.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNumericID(t *testing.T) {
	in := writeXLSX(t, [][]any{
		{"Primary Identifier", "User Group", "Expiry Date"},
		{123456, "Alumni", 43831.0},     // a number ID, expiry 2020-01-01
		{"00123456", "Alumni", 43831.0}, // the text ID whose zeros the number lost
		{1.23456789012e11, "Alumni", 43831.0},
	}, 3)
	cfg := baseConfig(t, in)
	got := reasons(runRows(t, cfg))
	if got[2] != "numeric_id" || got[3] != "expired" || got[4] != "numeric_id" {
		t.Fatalf("default: %v", got)
	}
	cfg = baseConfig(t, in)
	cfg.AcceptNumericIDs = true
	rows := runRows(t, cfg)
	if rows[0].Reason != "expired" || rows[0].ID != "123456" || rows[0].Expiry != "2020-01-01" {
		t.Fatalf("accepted number ID: %+v", rows[0])
	}
	if rows[1].Reason != "expired" {
		t.Fatalf("00123456 is another ID than 123456: %+v", rows[1])
	}
	if rows[2].Reason != "expired" {
		// 123456789012 has 12 digits and is stored exactly.
		t.Fatalf("a 12-digit number: %+v", rows[2])
	}
}

func TestXLSXDateCellEqualsTextDate(t *testing.T) {
	in := writeXLSX(t, [][]any{
		{"USERNAME", "User Group", "Expiry Date"},
		{"a1", "Alumni", 44712.0},      // 2022-05-31 as a date cell
		{"a1", "Alumni", "2022-05-31"}, // the same day as text: a duplicate, not a conflict
		{"b2", "Alumni", 44712.0},
		{"b2", "Alumni", 44713.0}, // another day: a conflict
		{"c3", "Alumni", 60.0},    // Excel's 29 February 1900
	}, 3)
	got := reasons(runRows(t, baseConfig(t, in)))
	want := map[int]string{2: "expired", 3: "duplicate", 4: "conflicting_duplicate", 5: "conflicting_duplicate", 6: "bad_date"}
	for row, w := range want {
		if got[row] != w {
			t.Errorf("row %d: %s, want %s", row, got[row], w)
		}
	}
}
