package readers

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
)

// notAnExport names a file that is something else entirely (SPEC §8): a PDF of the
// report, a web page (Excel saves HTML under .xls; a browser saves the Analytics
// page), judged by its first bytes after an optional BOM and white space. It returns
// "" for anything that may be an export.
func notAnExport(head []byte) string {
	h := bytes.TrimPrefix(head, bomUTF8)
	h = bytes.TrimLeft(h, " \t\r\n")
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return "a PDF document"
	case hasPrefixFold(h, "<!doctype html"), hasPrefixFold(h, "<html"):
		return "a web page (HTML)"
	}
	return ""
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

const hintExportFile = "export the report from Analytics as CSV or Excel (.xlsx) and give that file"

// zipKind names a zip that is not an XLSX workbook by what it holds: an office
// document of another kind, or just an archive.
func zipKind(parts map[string]*zip.File) string {
	switch {
	case parts["word/document.xml"] != nil:
		return "a Word document (.docx)"
	case parts["ppt/presentation.xml"] != nil:
		return "a PowerPoint presentation (.pptx)"
	}
	if f := parts["mimetype"]; f != nil {
		var mime []byte
		if readPart(f, func(r io.Reader) (err error) {
			mime, err = io.ReadAll(io.LimitReader(r, 100))
			return err
		}) == nil {
			switch m := string(bytes.TrimSpace(mime)); {
			case m == "application/vnd.oasis.opendocument.spreadsheet":
				return "an OpenDocument spreadsheet (.ods)"
			case m == "application/vnd.oasis.opendocument.text":
				return "an OpenDocument text document (.odt)"
			case strings.HasPrefix(m, "application/vnd.oasis.opendocument."):
				return "an OpenDocument file (" + strings.TrimPrefix(m, "application/vnd.oasis.opendocument.") + ")"
			}
		}
	}
	return "a zip archive"
}

// Mojibake reports text that went through the wrong character set (SPEC §8): UTF-8
// read as Windows-1252 or Latin-1 and saved again, so that "ä" became "Ã¤", a no-break
// space "Â " and a zero-width space or a dash "â€‹", "â€“". In UTF-8 every one of these
// starts with the byte 0xC3 (Ã, Â and â all encode as C3 xx), so a cell without that
// byte, nearly every cell, costs one IndexByte.
func Mojibake(s string) bool {
	for {
		i := strings.IndexByte(s, 0xC3)
		if i < 0 {
			return false
		}
		s = s[i:]
		if len(s) >= 4 {
			switch s[1] {
			case 0x83: // Ã, then U+0080–U+00BF: C2 80–C2 BF
				if s[2] == 0xC2 && s[3] >= 0x80 && s[3] <= 0xBF {
					return true
				}
			case 0x82: // Â, then U+00A0–U+00BF: C2 A0–C2 BF
				if s[2] == 0xC2 && s[3] >= 0xA0 && s[3] <= 0xBF {
					return true
				}
			case 0xA2: // â, then € (E2 82 AC)
				if len(s) >= 5 && s[2] == 0xE2 && s[3] == 0x82 && s[4] == 0xAC {
					return true
				}
			}
		}
		s = s[1:]
	}
}

// MojibakeError names where mis-decoded text was found, never the text (it may be a
// name).
func MojibakeError(file string, row int, column string) error {
	return &ParseError{File: file, Row: row, Column: column,
		Msg:  "this text went through the wrong character set (UTF-8 read as Windows-1252: \"ä\" shows as \"Ã¤\", a hidden space as \"â€‹\"), so values such as IDs may have changed",
		Hint: "the file was re-saved with the wrong character set: export it again from Analytics and do not open and save it in Excel (or save it as \"CSV UTF-8\")"}
}
