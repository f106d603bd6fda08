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
	hintExportAgain = "export it again from Alma Analytics (a download cut short gives this); do not repair it by re-saving in Excel, which changes IDs and dates"
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
	f, err := OpenRegular(path)
	if err != nil {
		if pe := notRegularError(name, err); pe != nil {
			return nil, pe
		}
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
		kind := zipKind(parts)
		hint := hintExportFile
		if strings.HasSuffix(kind, "(.ods)") {
			hint = hintSaveXLSX
		}
		return nil, &ParseError{File: name, Msg: "the file is " + kind + ", not an XLSX workbook (it has no xl/workbook.xml)", Hint: hint}
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
		budget := sharedStringsBudget(x.sheet)
		err := readPart(f, func(r io.Reader) (err error) {
			ra := newReadAhead(&capReader{r: r, left: budget})
			defer ra.close()
			x.sst, err = parseSharedStrings(newXMLScanner(ra))
			return err
		})
		if errors.Is(err, errSharedStringsTooBig) {
			x.sst = nil
			return nil, sharedStringsTooBig(name, p, budget, x.sheet)
		}
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

// readAhead inflates a zip entry in its own goroutine, a few buffers ahead of the
// scanner: inflating is about a quarter of the work of reading a sheet, and that
// quarter then runs on another core. It is bounded (three buffers) and stopped by close.
type readAhead struct {
	chunks chan readChunk
	free   chan []byte
	stop   chan struct{}
	done   chan struct{}
	cur    readChunk
	off    int
}

type readChunk struct {
	b   []byte
	err error
}

const readAheadBufs = 3

func newReadAhead(src io.Reader) *readAhead {
	r := &readAhead{
		chunks: make(chan readChunk, readAheadBufs),
		free:   make(chan []byte, readAheadBufs),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for range readAheadBufs {
		r.free <- make([]byte, scanBufSize)
	}
	go r.run(src)
	return r
}

func (r *readAhead) run(src io.Reader) {
	defer close(r.done)
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.stop:
			return
		}
		n, zeros := 0, 0
		var err error
		for n < len(buf) && err == nil {
			var k int
			k, err = src.Read(buf[n:])
			n += k
			if k == 0 && err == nil {
				if zeros++; zeros > 100 {
					err = io.ErrNoProgress
				}
			}
		}
		select {
		case r.chunks <- readChunk{buf[:n], err}:
		case <-r.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (r *readAhead) Read(p []byte) (int, error) {
	for r.off == len(r.cur.b) {
		if r.cur.err != nil {
			return 0, r.cur.err
		}
		if r.cur.b != nil {
			r.free <- r.cur.b[:cap(r.cur.b)] // never blocks: there are only readAheadBufs buffers
		}
		r.cur, r.off = <-r.chunks, 0
	}
	n := copy(p, r.cur.b[r.off:])
	r.off += n
	return n, nil
}

// close stops the goroutine and waits for it, so that the entry can then be closed.
func (r *readAhead) close() {
	close(r.stop)
	<-r.done
}
