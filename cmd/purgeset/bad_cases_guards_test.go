package main

import (
	"archive/zip"
	"bytes"
	"testing"
)

// The catalogue's cases for the guards of SPEC §8 that look at the input itself: not an
// export at all, the wrong character set, options the header contradicts.

// badZip is a zip holding the named parts.
func badZip(parts ...string) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := 0; i+1 < len(parts); i += 2 {
			w, err := zw.Create(parts[i])
			badMust(t, err)
			_, err = w.Write([]byte(parts[i+1]))
			badMust(t, err)
		}
		badMust(t, zw.Close())
		return buf.Bytes()
	}
}

var badCasesGuards = []badCase{
	// -- not an export at all --
	{
		name:   "a PDF of the report",
		inputs: []badInput{{"users.csv", badText("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{"users.csv: the file is a PDF document, not an export", "export the report from Analytics as CSV or Excel"},
	},
	{
		name:   "a web page with a doctype and a BOM",
		inputs: []badInput{{"users.xls", badText("\xEF\xBB\xBF\r\n  <!DOCTYPE html>\n<html><body><table></table></body></html>\n")}},
		args:   badArgs("--all-groups", "users.xls"),
		exit:   3, stderr: []string{"users.xls: the file is a web page (HTML), not an export"},
	},
	{
		name:   "a Word document",
		inputs: []badInput{{"users.xlsx", badZip("[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>")}},
		args:   badArgs("--all-groups", "users.xlsx"),
		exit:   3, stderr: []string{"users.xlsx: the file is a Word document (.docx), not an XLSX workbook", "export the report from Analytics"},
	},
	{
		name:   "an OpenDocument spreadsheet",
		inputs: []badInput{{"users.xlsx", badZip("mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>")}},
		args:   badArgs("--all-groups", "users.xlsx"),
		exit:   3, stderr: []string{"users.xlsx: the file is an OpenDocument spreadsheet (.ods), not an XLSX workbook", "save it as Excel Workbook (.xlsx)"},
	},
	{
		name:   "an OpenDocument text",
		inputs: []badInput{{"users.odt", badZip("mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>")}},
		args:   badArgs("--all-groups", "users.odt"),
		exit:   3, stderr: []string{"users.odt: the file is an OpenDocument text document (.odt), not an XLSX workbook"},
	},

	// -- the wrong character set --
	{
		// The slip: a zero-width space in an ID, re-saved through Windows-1252
		// with a title row above the header, became visible "â€‹".
		name: "mojibake in a data cell",
		inputs: []badInput{{"users.csv", badText("Expired patrons\n\nPrimary Identifier,User Group,Expiry Date\n" +
			"jdoe01,Alumni,2020-01-01\njdoe02\u00e2\u20ac\u2039,Alumni,2020-01-01\n")}},
		args: badArgs("--all-groups", "users.csv"),
		exit: 3, stderr: []string{`users.csv row 5, column "Primary Identifier": this text went through the wrong character set`, "export it again"},
		hidden: []string{"jdoe02"},
	},
	{
		name:   "mojibake in a name column",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Last Name,User Group,Expiry Date\njdoe01,M\u00c3\u00bcller,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{`users.csv row 2, column "Last Name": this text went through the wrong character set`},
		hidden: []string{"M\u00c3\u00bcller"},
	},
	{
		name:   "mojibake in the header",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Geb\u00c3\u00bchren,User Group,Expiry Date\njdoe01,x,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{`users.csv row 1, column "B": this text went through the wrong character set`},
	},
	{
		name:   "real accents are not mojibake",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Last Name,User Group,Expiry Date\njdoe01,Müller–Ærø,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		rows:   []string{"2 expired"},
	},
	{
		// Excel's "CSV (Comma delimited)" writes Windows-1252: "Müller" as M\xFCller.
		name:   "Windows-1252 text names the column",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,Last Name,User Group,Expiry Date\njdoe01,M\xFCller,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		exit:   3, stderr: []string{`users.csv row 2, column "Last Name": field 2 is not valid UTF-8 text`, `save it as "CSV UTF-8 (Comma delimited)"`},
	},

	// -- a --date-order the data contradicts (SPEC §8) --
	{
		name:   "--date-order mdy on a day-first export",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\njdoe01,Alumni,01/07/2024\njdoe02,Alumni,30/06/2024\njdoe03,Alumni,31/06/2024\n")}},
		args:   badArgs("--all-groups", "--date-order", "mdy", "users.csv"),
		exit:   3, stderr: []string{`users.csv row 3, column "Expiry Date": 30/06/2024 is not a valid month/day/year date but is a valid day/month/year date`,
			"check --date-order", "pass --date-order dmy"},
	},
	{
		name:   "--date-order dmy on a month-first export, in the purge date column",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date,Purge Date\njdoe01,Alumni,2020-01-01,01/07/2024\njdoe02,Alumni,2020-01-01,06/30/2024 10:00\n")}},
		args:   badArgs("--all-groups", "--date-order", "dmy", "users.csv"),
		exit:   3, stderr: []string{`users.csv row 3, column "Purge Date": 06/30/2024 10:00 is not a valid day/month/year date but is a valid month/day/year date`, "pass --date-order mdy"},
	},
	{
		name:   "--date-order the day-first export supports",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\njdoe01,Alumni,01/07/2024\njdoe02,Alumni,30/06/2024\n")}},
		args:   badArgs("--all-groups", "--date-order", "dmy", "users.csv"),
		rows:   []string{"2 not_expired", "3 expired"},
	},
	{
		// Impossible in both orders is no evidence: those rows stay bad_date.
		name:   "--date-order with dates impossible both ways",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\njdoe01,Alumni,13/45/2020\njdoe02,Alumni,01/07/2024\njdoe03,Alumni,31/06/2024\n")}},
		args:   badArgs("--all-groups", "--date-order", "mdy", "users.csv"),
		rows:   []string{"2 bad_date", "3 expired", "4 bad_date"},
	},

	// -- dotted dates: always day first (SPEC §4) --
	{
		name:   "dotted dates",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\njdoe01,Alumni,30.6.2024\njdoe02,Alumni,01.07.2024 08:00\njdoe03,Alumni,31.06.2024\njdoe04,Alumni,30.06.24\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		rows:   []string{"2 expired", "3 not_expired", "4 bad_date", "5 bad_date"},
		detail: []string{"5: two-digit year"},
	},

	// -- IDs --
	{
		name: "formula IDs",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\n\"=HYPERLINK(\"\"http://x\"\")\",Alumni,2020-01-01\n" +
			"+4912345,Alumni,2020-01-01\n@SUM(A1),Alumni,2020-01-01\njdoe=1,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "users.csv"),
		rows:   []string{"2 malformed_id", "3 malformed_id", "4 malformed_id", "5 expired"},
		detail: []string{"2: spreadsheet formula text"},
	},
	{
		name:   "--id-pattern",
		inputs: []badInput{{"users.csv", badText("Primary Identifier,User Group,Expiry Date\n00179420,Alumni,2020-01-01\n179420,Alumni,2020-01-01\ns1234567,Alumni,2020-01-01\ns12345678,Alumni,2020-01-01\n")}},
		args:   badArgs("--all-groups", "--id-pattern", "s[0-9]{7}|[0-9]{8}", "users.csv"),
		rows:   []string{"2 expired", "3 malformed_id", "4 expired", "5 malformed_id"},
		detail: []string{"3: does not match --id-pattern", "5: does not match --id-pattern"},
	},

	// -- protect lists (SPEC §3.3) --
	{
		name:   "protect plain list with a comma",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("jdoe03\njdoe01,Jane Doe\n")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		exit:   3, stderr: []string{"fines.txt row 2: the line holds a comma", "one ID per line"},
		hidden: []string{"jdoe01", "Jane Doe"},
	},
	{
		name:   "protect plain list with a tab",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("jdoe01\t12.50\n")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		exit:   3, stderr: []string{"fines.txt row 1: the line holds a tab"},
	},
	{
		name:   "protect plain list with a semicolon",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}, {"fines.txt", badText("jdoe01;12,50\n")}},
		args:   badArgs("--group", "Alumni", "--protect", "fines.txt", "users.csv"),
		exit:   3, stderr: []string{"fines.txt row 1: the line holds a"},
	},

	// -- options the header contradicts (exit 2, before any row is decided) --
	{
		name:   "unknown --archive-column",
		inputs: []badInput{{"users.csv", badFixture("ok.csv")}},
		args:   badArgs("--all-groups", "--archive-column", "Campus", "users.csv"),
		exit:   2, stderr: []string{`users.csv row 1: no column named "Campus" for --archive-column`, "Primary Identifier, User Group, Expiry Date"},
	},
}
