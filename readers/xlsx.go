package readers

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path"
	"strings"
)

// oleSignature starts every OLE compound file: Excel 97-2003 .xls workbooks and, more to
// the point, password-protected .xlsx files, which Excel wraps in one.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// IsOLE reports whether head, the first bytes of a file, is an OLE compound file: an
// encrypted (password-protected) XLSX or an old .xls workbook.
func IsOLE(head []byte) bool { return bytes.HasPrefix(head, oleSignature) }

const (
	hintExportAgain = "export it again from Alma Analytics (a download cut short gives this), or open it in Excel and save it again"
	hintSaveXLSX    = "export the report again as Excel (.xlsx), or open the file and save it as Excel Workbook (.xlsx)"
	msgCorruptZip   = "the file is not a readable XLSX workbook (truncated or corrupt zip)"
)

// xlsxSource reads one worksheet of an XLSX workbook.
type xlsxSource struct {
	name      string
	file      *os.File
	sheet     *zip.File
	info      Info
	sst       []string
	dateStyle []bool
	used      bool
}

// OpenXLSX opens path (shown in errors as name, the path as the user gave it) and returns
// a Source over the rows of sheet ("" = the first worksheet in workbook order; a name is
// matched exactly, else ignoring case). The shared strings and styles are read here; the
// sheet itself is streamed by Rows. Problems with the content, and a file that cannot be
// opened, are *ParseError; a read error of the machine (disk, network share) is returned
// as the os error.
func OpenXLSX(path, name, sheet string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ParseError{File: name, Msg: "cannot open the file: " + pathErrText(err),
			Hint: "check the path and that you may read it"}
	}
	src, err := openXLSX(f, name, sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

// pathErrText is the reason of an os error without the path, which the message names
// as the user gave it.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

func openXLSX(f *os.File, name, sheet string) (*xlsxSource, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(oleSignature))
	if n, _ := f.ReadAt(head, 0); IsOLE(head[:n]) {
		return nil, &ParseError{File: name,
			Msg:  "the file is encrypted (password-protected) or an Excel 97-2003 .xls workbook, which cannot be read",
			Hint: "remove the password or save it as Excel Workbook (.xlsx), then try again"}
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, zipErr(name, "", err)
	}
	parts, err := zipParts(zr, name)
	if err != nil {
		return nil, err
	}
	x := &xlsxSource{name: name, file: f, info: Info{Format: "xlsx"}}

	wbPath := officeDocument(parts)
	if strings.HasSuffix(wbPath, ".bin") {
		return nil, &ParseError{File: name, Msg: "an Excel binary workbook (.xlsb), not an XLSX workbook", Hint: hintSaveXLSX}
	}
	wbFile := parts[strings.ToLower(wbPath)]
	if wbFile == nil {
		return nil, &ParseError{File: name, Msg: "a zip file but not an XLSX workbook (it has no xl/workbook.xml)", Hint: hintSaveXLSX}
	}
	var sheets []wbSheet
	err = readPart(wbFile, func(r io.Reader) (err error) {
		sheets, x.info.Date1904, err = readWorkbook(r)
		return err
	})
	if err != nil {
		return nil, partErr(name, wbPath, err)
	}
	wbDir := path.Dir(wbPath)
	relsPath := path.Join(wbDir, "_rels", path.Base(wbPath)+".rels")
	var rels []relationship
	if rf := parts[strings.ToLower(relsPath)]; rf != nil {
		if err := readPart(rf, func(r io.Reader) (err error) { rels, err = readRels(r, wbDir); return err }); err != nil {
			return nil, partErr(name, relsPath, err)
		}
	}

	chosen, err := chooseSheet(name, sheet, sheets, rels)
	if err != nil {
		return nil, err
	}
	x.info.Sheet = chosen.name
	if x.sheet = parts[strings.ToLower(chosen.target)]; x.sheet == nil {
		return nil, &ParseError{File: name, Msg: fmt.Sprintf("the workbook lists sheet %q but its data (%s) is missing from the file", chosen.name, chosen.target), Hint: hintExportAgain}
	}

	if p, f := relPart(parts, rels, "/sharedStrings", path.Join(wbDir, "sharedStrings.xml")); f != nil {
		err := readPart(f, func(r io.Reader) (err error) {
			ra := newReadAhead(r)
			defer ra.close()
			x.sst, err = parseSharedStrings(newXMLScanner(ra))
			return err
		})
		if err != nil {
			return nil, partErr(name, p, err)
		}
	}
	if p, f := relPart(parts, rels, "/styles", path.Join(wbDir, "styles.xml")); f != nil {
		err := readPart(f, func(r io.Reader) (err error) { x.dateStyle, err = readDateStyles(r); return err })
		if err != nil {
			return nil, partErr(name, p, err)
		}
	}
	return x, nil
}

func (x *xlsxSource) Info() Info { return x.info }

// Close closes the file. It may be called more than once.
func (x *xlsxSource) Close() error {
	if x.file == nil {
		return nil
	}
	err := x.file.Close()
	x.file = nil
	return err
}

// Rows streams the sheet's rows. Rows missing from the XML are not yielded; a row the XML
// has without cells is yielded with none. Cells are reused by the next row.
func (x *xlsxSource) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		if x.used {
			yield(Row{}, errors.New("readers: Rows of an XLSX source is single use"))
			return
		}
		x.used = true
		rc, err := x.sheet.Open()
		if err != nil {
			yield(Row{}, zipErr(x.name, x.sheet.Name, err))
			return
		}
		defer rc.Close()
		ra := newReadAhead(rc)
		defer ra.close()
		b := newSheetBuilder(x.name, x.sst, x.dateStyle)
		err = b.parseSheet(newXMLScanner(ra), func(r Row) bool { return yield(r, nil) })
		switch {
		case err == nil || err == errStopped:
		case isCorrupt(err):
			yield(Row{}, b.fail("", msgCorruptZip, hintExportAgain))
		default:
			var pe *ParseError
			if !errors.As(err, &pe) {
				err = fmt.Errorf("%s: read sheet %q: %w", x.name, x.info.Sheet, err)
			}
			yield(Row{}, err)
		}
	}
}

// zipParts indexes the entries of the zip by lower-case name ('\' read as '/': some
// Windows tools write it), refusing two entries of one name, since readers would not
// agree on which one holds the data.
func zipParts(zr *zip.Reader, name string) (map[string]*zip.File, error) {
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		key := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))
		if parts[key] != nil {
			return nil, &ParseError{File: name, Msg: fmt.Sprintf("the zip holds two entries named %s", f.Name), Hint: hintExportAgain}
		}
		parts[key] = f
	}
	return parts, nil
}

// officeDocument is the workbook part named by the package relationships, or the
// usual xl/workbook.xml.
func officeDocument(parts map[string]*zip.File) string {
	if f := parts["_rels/.rels"]; f != nil {
		var rels []relationship
		if readPart(f, func(r io.Reader) (err error) { rels, err = readRels(r, ""); return err }) == nil {
			for _, r := range rels {
				if strings.HasSuffix(r.typ, "/officeDocument") && parts[strings.ToLower(r.target)] != nil {
					return r.target
				}
			}
		}
	}
	return "xl/workbook.xml"
}

// relPart finds the part of a relationship type, falling back to its usual path.
func relPart(parts map[string]*zip.File, rels []relationship, typ, usual string) (string, *zip.File) {
	for _, r := range rels {
		if strings.HasSuffix(r.typ, typ) {
			if f := parts[strings.ToLower(r.target)]; f != nil {
				return r.target, f
			}
		}
	}
	return usual, parts[strings.ToLower(usual)]
}

func readPart(f *zip.File, read func(io.Reader) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := read(rc); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, rc) // to the end, where archive/zip checks the CRC
	return err
}

// isCorrupt reports whether err comes from damaged zip data rather than the machine.
func isCorrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce)
}

func zipErr(name, part string, err error) error {
	switch {
	case errors.Is(err, zip.ErrAlgorithm):
		return &ParseError{File: name, Msg: fmt.Sprintf("the zip entry %s is compressed with a method XLSX does not use", part), Hint: hintExportAgain}
	case isCorrupt(err):
		return &ParseError{File: name, Msg: msgCorruptZip, Hint: hintExportAgain}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	// archive/zip reports other damage with plain errors.New values ("zip: not a valid
	// zip file" and the like); the machine's read errors are *fs.PathError.
	return &ParseError{File: name, Msg: msgCorruptZip, Hint: hintExportAgain}
}

// partErr classifies an error met while reading a workbook part other than the sheet.
func partErr(name, part string, err error) error {
	var pe *ParseError
	var xe *xml.SyntaxError
	switch {
	case errors.As(err, &pe):
		return err
	case errors.As(err, &xe) || isSyntax(err):
		return &ParseError{File: name, Msg: fmt.Sprintf("the workbook part %s is malformed: %v", part, err), Hint: hintExportAgain}
	}
	return zipErr(name, part, err)
}

type wbSheet struct{ name, rid string }

type relationship struct{ id, target, typ string }

// readWorkbook reads the sheet list and the date system of workbook.xml.
func readWorkbook(r io.Reader) (sheets []wbSheet, date1904 bool, err error) {
	dec := xml.NewDecoder(r)
	inSheets := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return sheets, date1904, nil
		}
		if err != nil {
			return nil, false, err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == "sheets" {
			inSheets = false
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case t.Name.Local == "sheets":
			inSheets = true
		case t.Name.Local == "workbookPr":
			v := strings.TrimSpace(xmlAttr(t, "date1904"))
			date1904 = v == "1" || v == "true"
		case t.Name.Local == "sheet" && inSheets:
			s := wbSheet{name: xmlAttr(t, "name")}
			for _, a := range t.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" { // r:id
					s.rid = a.Value
				}
			}
			sheets = append(sheets, s)
		}
	}
}

// readRels reads a relationships part; targets are resolved against dir, the folder of
// the part they belong to, into zip entry names.
func readRels(r io.Reader, dir string) ([]relationship, error) {
	var rels []relationship
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return rels, nil
		}
		if err != nil {
			return nil, err
		}
		t, ok := tok.(xml.StartElement)
		if !ok || t.Name.Local != "Relationship" || xmlAttr(t, "TargetMode") == "External" {
			continue
		}
		target := xmlAttr(t, "Target")
		if u, err := url.PathUnescape(target); err == nil {
			target = u
		}
		if strings.HasPrefix(target, "/") {
			target = path.Clean(target[1:])
		} else {
			target = path.Clean(path.Join(dir, target))
		}
		rels = append(rels, relationship{id: xmlAttr(t, "Id"), target: target, typ: xmlAttr(t, "Type")})
	}
}

type chosenSheet struct{ name, target string }

// chooseSheet picks the sheet to read: the first worksheet when want is "", else the one
// named want, exactly or, failing that, ignoring case.
func chooseSheet(file, want string, sheets []wbSheet, rels []relationship) (chosenSheet, error) {
	if len(sheets) == 0 {
		return chosenSheet{}, &ParseError{File: file, Msg: "the workbook has no sheets", Hint: hintExportAgain}
	}
	rel := func(s wbSheet) (relationship, bool) {
		for _, r := range rels {
			if r.id == s.rid {
				return r, true
			}
		}
		return relationship{}, false
	}
	isWorksheet := func(s wbSheet) bool {
		r, ok := rel(s)
		return ok && strings.HasSuffix(r.typ, "/worksheet")
	}
	pick := -1
	if want == "" {
		for i, s := range sheets {
			if isWorksheet(s) {
				pick = i
				break
			}
		}
		if pick < 0 {
			return chosenSheet{}, &ParseError{File: file, Msg: "the workbook has no worksheet (only charts or macros)", Hint: hintExportAgain}
		}
	} else {
		for i, s := range sheets {
			if s.name == want {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i, s := range sheets {
				if strings.EqualFold(s.name, want) {
					if pick >= 0 { // two sheets differ only in case: ambiguous
						pick = -1
						break
					}
					pick = i
				}
			}
		}
		if pick < 0 {
			names := make([]string, len(sheets))
			for i, s := range sheets {
				names[i] = fmt.Sprintf("%q", s.name)
			}
			return chosenSheet{}, &ParseError{File: file,
				Msg:  fmt.Sprintf("no sheet named %q; the workbook has %s", want, strings.Join(names, ", ")),
				Hint: "pass --sheet with one of these"}
		}
	}
	s := sheets[pick]
	r, ok := rel(s)
	if !ok {
		return chosenSheet{}, &ParseError{File: file, Msg: fmt.Sprintf("the workbook lists sheet %q but not where its data is", s.name), Hint: hintExportAgain}
	}
	if !strings.HasSuffix(r.typ, "/worksheet") {
		return chosenSheet{}, &ParseError{File: file, Msg: fmt.Sprintf("sheet %q is a chart or macro sheet, not a worksheet with cells", s.name), Hint: "pass --sheet with the name of the sheet that holds the export"}
	}
	return chosenSheet{name: s.name, target: r.target}, nil
}
