package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The bad-input catalogue: every kind of damaged, awkward or wrong input we know of, run
// through the CLI in-process. An input error must exit with the right code, name the
// file (and row or cell), say what to do, and leave nothing behind; an input that is
// not an error must get the right row decisions. Small text inputs are in
// testdata/bad/; binary and large ones are made here from Go code.

var badCases = append(append(badCasesFirst, badCasesMore...), badCasesGuards...)

var badCasesFirst = []badCase{
	// -- empty or nearly empty files --
	{
		name:   "empty file",
		inputs: []badInput{{"users.csv", badText("")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file is empty", "export again"},
	},
	{
		name:   "header only",
		inputs: []badInput{{"users.csv", badFixture("header-only.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: no data rows below the header", "export again"},
	},
	{
		name:   "BOM-only file",
		inputs: []badInput{{"users.csv", badText("\xEF\xBB\xBF")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file holds only a byte-order mark", "export again"},
	},
	{
		name:   "only empty lines",
		inputs: []badInput{{"users.csv", badText("\r\n\r\n\r\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: no data at all", "export again"},
	},

	// -- the header check and columns --
	{
		name:   "wrong first header",
		inputs: []badInput{{"users.csv", badFixture("wrong-first-header.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `the first column must be headed "USERNAME", "Primary ID" or "Primary Identifier"`,
			"export the report with the primary identifier as its first column"},
		hidden: []string{"jdoe01"},
	},
	{
		name:   "accepted header in another column",
		inputs: []badInput{{"users.csv", badFixture("id-header-in-column-b.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `"Primary Identifier" is in column B`, "move that column first", `--column id="Primary Identifier"`},
	},
	{
		name:   "accepted header in another column, --column id",
		inputs: []badInput{{"users.csv", badFixture("id-header-in-column-b.csv")}},
		args:   badArgs("--all-groups", "--column", "id=Primary Identifier", "users.csv"),
		rows:   []string{"2 expired"},
	},
	{
		name:   "BOM re-read as Windows-1252 (mojibake)",
		inputs: []badInput{{"users.csv", badText("\u00ef\u00bb\u00bfPrimary Identifier,Expiry Date\njdoe01,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", "wrong character set", `save it as "CSV UTF-8"`},
	},
	{
		name:   "HTML saved as .xls",
		inputs: []badInput{{"users.xls", badFixture("html-saved-as-xls.xls")}},
		args:   badArgs("--all-groups", "users.xls"),
		exit:   3, stderr: []string{"users.xls: the file is a web page (HTML), not an export", "export the report from Analytics"},
	},
	{
		name:   "duplicate column names",
		inputs: []badInput{{"users.csv", badFixture("duplicate-columns.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `more than one column could be the expiry column: C ("Expiry Date"), E ("Expiry Date")`,
			"--column expiry=HEADER"},
	},
	{
		name:   "missing expiry column",
		inputs: []badInput{{"users.csv", badFixture("missing-expiry-column.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `no expiry column: looked for a header named "Expiry Date"`, "--column expiry=HEADER"},
	},
	{
		name:   "missing group column with --group",
		inputs: []badInput{{"users.csv", badFixture("missing-group-column.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 1", `no group column: looked for a header named "User Group"`, "--column group=HEADER"},
	},
	{
		name:   "missing group column with --all-groups",
		inputs: []badInput{{"users.csv", badFixture("missing-group-column.csv")}},
		args:   badArgs("--all-groups", "users.csv"),
		rows:   []string{"2 expired"},
	},

	// -- text structure --
	{
		name:   "ragged row with more fields than the header",
		inputs: []badInput{{"users.csv", badFixture("ragged-more-fields.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "the row has 5 fields but the header has 3", "quote the value) or export again"},
	},
	{
		// README "Ragged text rows": fewer fields are empty cells; extra empty fields are
		// a trailing delimiter.
		name:   "ragged rows with fewer fields than the header",
		inputs: []badInput{{"users.csv", badFixture("ragged-fewer-fields.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 missing_expiry", "4 group_not_selected", "5 expired"},
	},
	{
		name:   "bare quote",
		inputs: []badInput{{"users.csv", badFixture("bare-quote.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 5", `a quote (") inside an unquoted field`, "export again"},
	},
	{
		name:   "unterminated quote",
		inputs: []badInput{{"users.csv", badFixture("unterminated-quote.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "a quoted field is never closed", "export it again"},
	},
	{
		name:   "NUL bytes",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Expiry Date\njdoe01,2020-01-01\njdoe\x0002,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 3", "field 1 holds a NUL byte", "export it again"},
	},
	{
		name:   "invalid UTF-8",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Name,Expiry Date\njdoe01,Doe,2020-01-01\n\njdoe02,M\xfcller,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv row 4", "field 2 is not valid UTF-8", "export it again"},
	},
	{
		name:   "UTF-16 without BOM",
		inputs: []badInput{{"users.txt", badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\n", false, false)}},
		args:   badArgs("--all-groups", "users.txt"),
		exit:   3, stderr: []string{"users.txt: the file looks like UTF-16 text without a byte-order mark", "export it again as UTF-8"},
	},
	{
		name: "UTF-16 LE and BE with BOM",
		inputs: []badInput{
			{"le.txt", badUTF16("Primary Identifier\tExpiry Date\r\nj\u00f6rg\t2020-01-01\r\n\r\n\U0001F600\t2030-01-01\r\n", false, true)},
			{"be.txt", badUTF16("Primary Identifier\tExpiry Date\r\nanna\t2020-01-01\r\n", true, true)},
		},
		args: badArgs("--all-groups", "le.txt", "be.txt"),
		rows: []string{"2 expired", "4 not_expired", "2 expired"},
	},
	{
		name:   "UTF-16 odd byte count",
		inputs: []badInput{{"users.txt", badConcat(badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\n", false, true), badText("x"))}},
		args:   badArgs("--all-groups", "users.txt"),
		exit:   3, stderr: []string{"users.txt row 3", "invalid UTF-16", "export it again"},
	},
	{
		name: "UTF-16 unpaired surrogate",
		inputs: []badInput{{"users.txt", badConcat(badUTF16("Primary Identifier\tExpiry Date\r\njdoe01\t2020-01-01\r\njdoe", false, true),
			badText("\x3D\xD8"), badUTF16("02\t2020-01-01\r\n", false, false))}},
		args: badArgs("--all-groups", "users.txt"),
		exit: 3, stderr: []string{"users.txt row 3", "invalid UTF-16", "export it again"},
	},
	{
		// README "Ragged text rows": a row in another delimiter is one field, so its
		// group and expiry are empty (or its ID holds tabs); never included.
		name:   "mixed delimiters",
		inputs: []badInput{{"users.csv", badFixture("mixed-delimiters.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 group_not_selected", "4 malformed_id", "5 expired"},
	},
	{
		name:   "a .csv full of tabs",
		inputs: []badInput{{"users.csv", badFixture("tabs-in-csv.csv")}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "CR-only line ends",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Expiry Date\rjdoe01,2020-01-01\rjdoe02,2020-01-01\r")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the lines end with a carriage return (CR) alone", `save it as "CSV UTF-8"`},
	},
	{
		// Far more than a user export's line; a real 1 GB line fails the same way, at
		// 16 MiB, without reading on.
		name: "a 1 GB single line (20 MB here)",
		setup: func(t *testing.T) { // streamed to disk, never held in memory
			f, err := os.Create("users.csv")
			badMust(t, err)
			_, err = io.Copy(f, io.LimitReader(badRepeat('x'), 20<<20))
			badMust(t, err)
			badMust(t, f.Close())
		},
		args: badArgs("--all-groups", "users.csv"),
		exit: 3, stderr: []string{"users.csv row 1", "a line or row longer than 16 MiB", "export it again"},
	},
	{
		// A lost quote turns the rest of the file into one value of short lines: the
		// same limit stops it, with the row of the quote, long before the end.
		name: "lost quote in a big CSV",
		inputs: []badInput{{"users.csv", func(*testing.T) []byte {
			return []byte("Primary Identifier,Name,Expiry Date\njdoe01,Doe,2020-01-01\njdoe02,\"Smith, Robert,2020-01-01\n" +
				strings.Repeat("jdoe03,Doe,2020-01-01\n", 20<<20/22))
		}}},
		args: badArgs("--all-groups", "users.csv"),
		exit: 3, stderr: []string{"users.csv row 3", "longer than 16 MiB", `a quote (") was lost`},
	},
	{
		name:   "10,000 columns",
		inputs: []badInput{{"users.csv", badWideCSV(10000)}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "10,000 columns in a workbook",
		inputs: []badInput{{"users.xlsx", badWideSheet(10000)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		rows:   []string{"2 expired", "3 not_expired"},
	},

	// -- formats by content, not by name --
	{
		name:   "a .xlsx that is a CSV",
		inputs: []badInput{{"users.xlsx", badFixture("csv-named-xlsx.xlsx")}},
		args:   badArgs("--group", "Alumni", "users.xlsx"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name:   "a CSV that is an XLSX",
		inputs: []badInput{{"users.csv", badUsersBook([]any{"jdoe01", "Alumni", "2020-01-01"}, []any{"jdoe02", "Alumni", "2030-01-01"})}},
		args:   badArgs("--group", "Alumni", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired"},
	},
	{
		name: "truncated zip",
		inputs: []badInput{{"users.xlsx", func(t *testing.T) []byte {
			b := badUsersBook([]any{"jdoe01", "Alumni", "2020-01-01"})(t)
			return b[:len(b)/2]
		}}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: the file is not a readable XLSX workbook (truncated or corrupt zip)", "export it again"},
	},
	{
		// Excel wraps a password-protected workbook in an OLE compound file.
		name: "encrypted XLSX",
		inputs: []badInput{{"users.xlsx", func(*testing.T) []byte {
			b := make([]byte, 4096)
			copy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
			copy(b[0x200:], "E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")
			return b
		}}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: the file is a password-protected workbook or an old .xls file", "remove the password"},
	},
	{
		name:   "XLSX with no sheets",
		inputs: []badInput{{"users.xlsx", badRawBook("", true)}},
		args:   badArgs("--all-groups", "users.xlsx"),
		exit:   3, stderr: []string{"users.xlsx: the workbook has no sheets", "export it again"},
	},
	{
		name: "XLSX with an empty first sheet",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			_, err := f.NewSheet("Users")
			badMust(t, err)
			badPutRows(t, f, "Users", 1, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx: no data at all", `sheet "Sheet1" is empty`, "pass --sheet"},
	},
	{
		name: "XLSX with an empty first sheet, --sheet",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			_, err := f.NewSheet("Users")
			badMust(t, err)
			badPutRows(t, f, "Users", 1, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "--sheet", "Users", "users.xlsx"),
		rows: []string{"2 expired"},
	},
	{
		name: "XLSX with the header on row 25",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			for r := 1; r <= 24; r++ {
				badPutRows(t, f, "Sheet1", r, []any{fmt.Sprintf("Report line %d", r)})
			}
			badPutRows(t, f, "Sheet1", 25, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		exit: 3, stderr: []string{"users.xlsx row 1", "no header row in the first 20 rows", "export the report with the primary identifier as its first column"},
	},
	{
		// Rows missing from the sheet XML are not rows (SPEC §2): a title on row 1 and
		// the header on row 25 is a header on the second row there is.
		name: "XLSX with the header on row 25 below empty rows",
		inputs: []badInput{{"users.xlsx", badBook(func(t *testing.T, f *excelize.File) {
			badPutRows(t, f, "Sheet1", 1, []any{"Expired patrons"})
			badPutRows(t, f, "Sheet1", 25, []any{"Primary Identifier", "Expiry Date"}, []any{"jdoe01", "2020-01-01"})
		})}},
		args: badArgs("--all-groups", "users.xlsx"),
		rows: []string{"26 expired"},
	},
}
