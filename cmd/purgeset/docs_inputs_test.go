package main

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// docBadInputs are the broken exports and lists of the guide's Troubleshooting section,
// each as small as the message it gives needs (setup=troubleshooting writes them).
func docBadInputs() map[string]string {
	const title = "Expired patrons report,,,,\r\n\r\n"
	const head = "Primary Identifier,User Group,User Record Type,Expiry Date\r\n"
	u16 := utf16.Encode([]rune("Primary Identifier,Expiry Date\r\ns1000001,2020-06-30\r\n"))
	var le strings.Builder
	for _, r := range u16 {
		le.WriteByte(byte(r))
		le.WriteByte(byte(r >> 8))
	}
	return map[string]string{
		"moved.csv":    title + "First Name,Primary Identifier,User Group,User Record Type,Expiry Date\r\nAda,s1000001,Alumni,Public,2020-06-30\r\n",
		"noheader.csv": "s1000001,Alumni,Public,2020-06-30\r\ns1000002,Alumni,Public,2021-06-30\r\n",
		// The UTF-8 byte-order mark read as Windows-1252 and saved as UTF-8 again.
		"mojibake.csv": "\u00ef\u00bb\u00bf" + head + "s1000001,Alumni,Public,2020-06-30\r\n",
		"noexpiry.csv": title + "Primary Identifier,User Group,User Record Type,Purge Date\r\ns1000001,Alumni,Public,2020-12-31\r\n",
		"slash.csv":    head + "s1000001,Alumni,Public,2020-06-30\r\ns1000002,Alumni,Public,2021-06-30\r\ns1000003,Alumni,Public,18/12/2022\r\n",
		"shifted.csv": "Primary Identifier,First Name,Last Name,User Group,User Record Type,Expiry Date,Purge Date,Email\r\n" +
			strings.Repeat("s1000001,Ada,Byron,Alumni,Public,2020-06-30,2020-12-31,ab@example.edu\r\n", 4) +
			"s1000005,Ann,Lee, Jr.,Alumni,Public,2020-06-30,2020-12-31,al@example.edu\r\n",
		"empty.csv":      head,
		"old.xls":        "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 504),
		"u16.csv":        le.String(),
		"emptyfines.csv": "Primary Identifier,Fine Balance\r\n",
		"dmy.csv":        head + "s1000001,Alumni,Public,2020-06-30\r\ns1000002,Alumni,Public,30/06/2024\r\n",
		"moj.csv":        "Primary Identifier,Name,User Group,Expiry Date\r\ns1000001,J\u00c3\u00a4ger,Alumni,2020-06-30\r\n",
		"cp.csv":         "Primary Identifier,Name,User Group,Expiry Date\r\ns1000001,J\xe4ger,Alumni,2020-06-30\r\n",
		"rep.pdf":        "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
		"list.txt":       "s1000001,12.50\ns1000002,3.00\n",
	}
}

func writeBadInputs(t *testing.T, dir string) {
	for name, content := range docBadInputs() {
		writeFile(t, filepath.Join(dir, name), []byte(content))
	}
}
