package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The second half of the bad-input catalogue (see bad_cases_test.go).

var badCasesMore = []badCase{
	{
		name: "formulas and error cells in the ID and date columns",
		inputs: []badInput{{"users.xlsx", badRawBook(badRawHeader+
			`<row r="2"><c r="A2" t="e"><f>VLOOKUP(X2,Y:Z,2,0)</f><v>#N/A</v></c><c r="B2" s="1"><v>43831</v></c></row>`+
			`<row r="3"><c r="A3" t="str"><f>TRIM(X3)</f><v>jdoe03</v></c><c r="B3" s="1"><f>DATE(2020,1,1)</f><v>43831</v></c></row>`+
			`<row r="4">`+badInline("A4", "jdoe04")+`<c r="B4" t="e"><f>VLOOKUP(X4,Y:Z,2,0)</f><v>#N/A</v></c></row>`+
			`<row r="5">`+badInline("A5", "#N/A")+`<c r="B5" s="1"><v>43831</v></c></row>`+
			`<row r="6">`+badInline("A6", "jdoe06")+`<c r="B6" t="str"><f>TEXT(X6,"yyyy-mm-dd")</f><v>2020-01-01</v></c></row>`+
			`<row r="7">`+badInline("A7", "jdoe07")+`<c r="B7" s="1"><f>X7+1</f></c></row>`+
			`<row r="8"><c r="A8" t="e"><v>#REF!</v></c><c r="B8" s="1"><v>43831</v></c></row>`+
			`<row r="9">`+badInline("A9", "jdoe09")+`<c r="B9" t="e"><v>#VALUE!</v></c></row>`+
			`<row r="10">`+badInline("A10", "jdoe10")+`<c r="B10" s="1"><v>60</v></c></row>`, false)}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 malformed_id", "3 expired", "4 bad_date", "5 malformed_id", "6 expired", "7 missing_expiry",
			"8 malformed_id", "9 bad_date", "10 bad_date"},
	},
	{
		name: "error cell in the date column: the detail",
		inputs: []badInput{{"users.xlsx", badRawBook(badRawHeader+
			`<row r="2">`+badInline("A2", "jdoe02")+`<c r="B2" t="e"><f>VLOOKUP(X2,Y:Z,2,0)</f><v>#N/A</v></c></row>`, false)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		rows:   []string{"2 bad_date"},
		detail: []string{`2: is an error cell, not a date`},
	},
	{
		name: "merged cells",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Expired patrons, all groups"},
				[]any{"Primary Identifier", "User Group", "Expiry Date", "User Record Type"},
				[]any{"jdoe03", "Alumni", "2020-01-01", "Public"},
				[]any{"jdoe04", nil, "2020-01-01", "Public"},
				[]any{"jdoe05", nil, "2020-01-01", "Public"},
				[]any{"jdoe06", "Alumni", "2020-01-01", "Public"},
				[]any{"jdoe07", "Alumni", nil, "Public"},
			)
			badMust(t, f.MergeCell("Sheet1", "A1", "D1"))
			badMust(t, f.MergeCell("Sheet1", "B3", "B5"))
			badMust(t, f.MergeCell("Sheet1", "C6", "C7"))
		})}},
		args: badArgs("--group", "Alumni", "users.xlsx"),
		rows: []string{"3 expired", "4 group_not_selected", "5 group_not_selected", "6 expired", "7 missing_expiry"},
	},
	{
		name: "hidden rows",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "User Group", "Expiry Date"},
				[]any{"jdoe02", "Alumni", "2020-01-01"},
				[]any{"jdoe03", "Alumni", "2020-01-01"},
				[]any{"jdoe04", "Alumni", "2030-01-01"},
				[]any{"jdoe05", "Staff", "2020-01-01"},
			)
			badMust(t, f.SetRowVisible("Sheet1", 3, false))
			badMust(t, f.SetRowVisible("Sheet1", 4, false))
		})}},
		args: badArgs("--group", "Alumni", "users.xlsx"),
		rows: []string{"2 expired", "3 expired", "4 not_expired", "5 group_not_selected"},
	},
	{
		name: "dates as text in an XLSX",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "Expiry Date"},
				[]any{"jdoe02", "2020-01-01"},
				[]any{"jdoe03", "2020-01-01 13:45:00"},
				[]any{"jdoe04", "2020/01/31"},
				[]any{"jdoe05", "31.01.2020"},
				[]any{"jdoe06", "2030-01-01"},
				[]any{"jdoe07", nil},
				[]any{"jdoe08", 43831},
			)
			badPutDates(t, f, "Sheet1", map[string]float64{"B7": 43831})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 expired", "3 expired", "4 expired", "5 expired", "6 not_expired", "7 expired", "8 bad_date"}, // 31.01.2020: day first (SPEC §4)
	},
	{
		name: "numeric IDs in an XLSX",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "Expiry Date"},
				[]any{12345, "2020-01-01"},
				[]any{"00012345", "2020-01-01"},
				[]any{1.5, "2020-01-01"},
			)
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"2 numeric_id", "3 expired", "4 numeric_id"},
	},

	// -- dates --
	{
		name:   "Excel serial dates in a CSV",
		inputs: []badInput{{"users.csv", badFixture("excel-serial-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 bad_date", "3 expired"},
	},
	{
		name:   "impossible dates",
		inputs: []badInput{{"users.csv", badFixture("impossible-dates.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired", "5 bad_date", "6 bad_date", "7 bad_date", "8 bad_date"},
	},
	{
		name:   "two-digit years",
		inputs: []badInput{{"users.csv", badFixture("two-digit-years.csv")}},
		args:   badArgs("--group", "Alumni", "--date-order", "dmy", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired"},
	},
	{
		name:   "two-digit years without --date-order",
		inputs: []badInput{{"users.csv", badFixture("two-digit-years.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Expiry Date"`, "a slash date", "--date-order dmy"},
	},
	{
		name:   "far-future and pre-1900 dates",
		inputs: []badInput{{"users.csv", badFixture("far-future-and-pre-1900.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 not_expired", "3 expired", "4 expired"},
	},
	{
		name:   "--date-order with dates impossible in that order",
		inputs: []badInput{{"users.csv", badFixture("date-order-impossible.csv")}},
		args:   badArgs("--group", "Alumni", "--date-order", "dmy", "users.csv"),
		rows:   []string{"2 bad_date", "3 bad_date", "4 expired", "5 bad_date", "6 expired"},
	},
	{
		name:   "slash date in the expiry column without --date-order",
		inputs: []badInput{{"users.csv", badFixture("slash-expiry-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Expiry Date"`, "a slash date", "--date-order dmy", "--date-order mdy"},
	},
	{
		name:   "slash date in the purge date column without --date-order",
		inputs: []badInput{{"users.csv", badFixture("slash-purge-date.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", `column "Purge Date"`, "a slash date", "--date-order dmy"},
	},
	{
		name: "XLSX date cells and slash text in one column",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1,
				[]any{"Primary Identifier", "User Group", "Expiry Date"},
				[]any{"jdoe02", "Alumni", nil},
				[]any{"jdoe03", "Alumni", "31/05/2023"},
			)
			badPutDates(t, f, "Sheet1", map[string]float64{"C2": 44289})
		})}},
		args: badArgs("--group", "Alumni", "--date-order", "dmy", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx row 3 (cell C3)", `column "Expiry Date"`, "both date cells and slash dates",
			"export the report from Analytics again"},
	},

	// -- IDs --
	{
		name:   "IDs damaged by Excel",
		inputs: []badInput{{"users.csv", badFixture("ids-excel-damage.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows: []string{"2 malformed_id", "3 malformed_id", "4 malformed_id", "5 malformed_id", "6 expired",
			"7 malformed_id", "8 malformed_id", "9 malformed_id", "10 blank_id"},
	},
	{
		name: "IDs with inner spaces or invisible characters",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\n" +
			"jdoe\u200b01,Alumni,2020-01-01\n" + // zero-width space
			"\ufeffjdoe02,Alumni,2020-01-01\n" + // a BOM inside the text
			"jdoe\u00a003,Alumni,2020-01-01\n" + // no-break space inside
			"jdoe\t04,Alumni,2020-01-01\n" +
			"\u00a0jdoe05\u00a0,Alumni,2020-01-01\n" + // trimmed at both ends: fine
			"jdoe\u200d06,Alumni,2020-01-01\n" + // zero-width joiner
			"jdoe\x0107,Alumni,2020-01-01\n")}}, // a control character
		args: badArgs("--group", "Alumni", "users.csv"),
		rows: []string{"2 malformed_id", "3 malformed_id", "4 malformed_id", "5 malformed_id", "6 expired", "7 malformed_id", "8 malformed_id"},
	},

	// -- usage errors (exit 2) --
	{
		name:   "unknown flag",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutof", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{"unknown flag: --cutof"},
	},
	{
		name:   "unknown flag names the right one",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutof", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{"did you mean --cutoff?"},
	},
	{
		name:   "unknown command",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"runn", "--cutoff", "2024-07-01", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{`unknown command "runn"`, "run"},
	},
	{
		name:   "impossible --cutoff",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutoff", "2024-02-30", "--all-groups", "--out", "out", "users.csv"},
		exit:   2, stderr: []string{`--cutoff "2024-02-30" is not a valid date`, "want YYYY-MM-DD"},
	},
	{
		name:   "both --group and --all-groups",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   badArgs("--group", "Alumni", "--all-groups", "users.csv"),
		exit:   2, stderr: []string{"--group and --all-groups exclude each other"},
	},
	{
		name:   "non-empty --out without --force",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		setup: func(t *testing.T) {
			badMust(t, os.Mkdir("out", 0o755))
			badMust(t, os.WriteFile(filepath.Join("out", "notes.txt"), []byte("keep me\n"), 0o644))
		},
		args: badArgs("--group", "Alumni", "users.csv"),
		exit: 2, stderr: []string{"--out out is not empty", "pass --force"},
	},
	{
		name:   "--out naming an input file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   []string{"run", "--cutoff", "2024-07-01", "--group", "Alumni", "--out", "users.csv", "users.csv"},
		exit:   2, stderr: []string{"--out users.csv is one of the inputs", "name a new directory"},
	},
	{
		name:   "empty --out made beforehand",
		inputs: []badInput{{"users.csv", badText("")}},
		setup:  func(t *testing.T) { badMust(t, os.Mkdir("out", 0o755)) },
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file is empty"},
	},

	// -- protect lists --
	{
		name:   "empty protect file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badText("")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: the file is empty", "export again"},
	},
	{
		name:   "protect export with no IDs",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badFixture("protect-header-only.csv")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: the protect list holds no IDs", "check the report it came from"},
	},
	{
		name:   "missing protect file",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: cannot open the file", "check the path"},
	},
	{
		name:   "unreadable protect file (a directory)",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		setup:  func(t *testing.T) { badMust(t, os.Mkdir("fines.csv", 0o755)) },
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: not a regular file: it is a directory", "save the export to a file"},
	},
	{
		name:   "unreadable protect file (no permission)",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.csv", badText("jdoe01\n")}},
		setup:  func(t *testing.T) { badMust(t, os.Chmod("fines.csv", 0)) },
		args:   badArgs("--group", "Alumni", "--protect", "fines.csv", "users.csv"),
		exit:   3, stderr: []string{"fines.csv: cannot open the file", "that you may read it"},
		unprivileged: true,
	},
	{
		// A plain list with old Mac line ends would be one "ID" that protects nobody.
		name:   "protect list with CR-only line ends",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("jdoe01\rjdoe02\r")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		exit:   3, stderr: []string{"fines.txt: the lines end with a carriage return (CR) alone"},
	},
	{
		name:   "protect plain list",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("\n jdoe01 \n\n")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		rows:   []string{"2 protected", "3 not_expired", "4 group_not_selected"},
	},
}
