package readers

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
)

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
		if _, ok := rel(sheets[0]); pick < 0 && !ok {
			pick = 0 // reported below: the workbook does not say where the data is
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

// parseSharedStrings reads the shared string table: each <si> is one string, either
// one <t> or rich text runs <r><t> concatenated; phonetic runs <rPh> are left out.
func parseSharedStrings(sc *xmlScanner) ([]string, error) {
	var (
		out               []string
		inSI, inRun       bool
		capturing         int
		text              []byte
		sawRoot           bool
		depthSI, depthT   = 2, 3
		depthRun, depthRT = 3, 4
	)
	for {
		tok, err := sc.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokEOF:
			if !sawRoot {
				return nil, syntaxErr("no root element")
			}
			return out, nil
		case tokStart:
			local := localName(sc.name)
			switch d := sc.depth(); {
			case d == 1:
				if string(local) != "sst" {
					return nil, syntaxErr("root element <%s>, want <sst>", local)
				}
				sawRoot = true
				if n, ok, _ := sc.attr("uniqueCount"); ok {
					if c, ok := parseIndex(n); ok {
						out = make([]string, 0, min(c, 1<<20))
					}
				}
			case d == depthSI && string(local) == "si":
				inSI, text = true, text[:0]
			case d == depthT && inSI && capturing == 0 && string(local) == "t":
				sc.capture, sc.text, capturing = true, text, d
			case d == depthRun && inSI && string(local) == "r":
				inRun = true
			case d == depthRT && inRun && capturing == 0 && string(local) == "t":
				sc.capture, sc.text, capturing = true, text, d
			}
		case tokEnd:
			switch d := sc.depth() + 1; {
			case d == capturing:
				if err := validText(sc.text); err != nil {
					return nil, err
				}
				text, sc.capture, capturing = sc.text, false, 0
			case d == depthRun && inRun:
				inRun = false
			case d == depthSI && inSI:
				inSI = false
				out = append(out, string(unescapeX(text)))
			}
		}
	}
}
