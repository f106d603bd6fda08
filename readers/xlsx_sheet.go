package readers

import (
	"bytes"
	"errors"
	"fmt"
)

// maxColumns is Excel's limit (column XFD); a reference beyond it is damage, and
// refusing it keeps a hostile file from making us allocate a huge row.
const maxColumns = 16384

// Cell types of the t attribute (ECMA-376 ST_CellType).
type cellType uint8

const (
	typeNumber cellType = iota
	typeShared
	typeInline
	typeFormulaStr
	typeBool
	typeError
	typeISODate
)

// errStopped ends parsing when the consumer breaks out of the row loop.
var errStopped = errors.New("stopped")

// sheetBuilder turns what the sheet XML says into rows: it numbers rows and cells,
// checks their order, and gives each cell its text and kind. The XML scanner and the
// encoding/xml reference in the tests both drive it, so they differ only in
// tokenizing.
type sheetBuilder struct {
	file      string
	sst       []string
	dateStyle []bool // per cellXfs index: the style has a date number format

	rowNum  int // number of the row being read
	lastRow int // number of the previous row; 0 before the first
	inRow   bool
	col     int // 0-based column of the current cell; -1 before the first of a row
	cells   []Cell

	style int
	typ   cellType

	// last text of each column: a value equal to the one above (a user group, a
	// status) is shared instead of allocated again
	last    []string
	rowText []byte        // new texts of the row being read, end to end
	pending []pendingText // the cells whose texts are in rowText

	fastBuf   []byte // a value of the fast path with entities decoded
	fastCount int    // rows the fast path read (tests check that it ran)
	noFast    bool   // tests: the general path only, the reference for the fast one
}

func newSheetBuilder(file string, sst []string, dateStyle []bool) *sheetBuilder {
	return &sheetBuilder{file: file, sst: sst, dateStyle: dateStyle, cells: make([]Cell, 0, 32)}
}

// fail is a ParseError at the current position.
func (b *sheetBuilder) fail(cell, msg, hint string) error {
	row := b.lastRow
	if b.inRow {
		row = b.rowNum
	}
	return &ParseError{File: b.file, Row: row, Cell: cell, Msg: msg, Hint: hint}
}

const hintDamaged = "the file is damaged: export it again from Alma Analytics (re-saving it in Excel changes IDs and dates)"

// malformed reports a well-formedness problem with the row number reached.
func (b *sheetBuilder) malformed(err error) error {
	where := "before the first row"
	if b.inRow {
		where = fmt.Sprintf("in row %d", b.rowNum)
	} else if b.lastRow > 0 {
		where = fmt.Sprintf("after row %d", b.lastRow)
	}
	return b.fail("", fmt.Sprintf("the sheet XML is malformed %s: %v", where, err), hintDamaged)
}

// root checks the name of the document element.
func (b *sheetBuilder) root(local []byte) error {
	if string(local) != "worksheet" {
		return b.fail("", fmt.Sprintf("the sheet is a <%s>, not a worksheet with cells", local),
			"pass --sheet with the name of the sheet that holds the export")
	}
	return nil
}

func (b *sheetBuilder) empty() error {
	return b.fail("", "the sheet XML is empty", hintDamaged)
}

func (b *sheetBuilder) startRow(r []byte, hasR bool) error {
	b.inRow = false
	num := b.lastRow + 1
	if hasR {
		n, ok := parseIndex(r)
		if !ok || n < 1 {
			return b.fail("", fmt.Sprintf("invalid row number %q after row %d", r, b.lastRow), hintDamaged)
		}
		num = n
	}
	if num <= b.lastRow {
		return b.fail("", fmt.Sprintf("row %d comes after row %d (rows out of order)", num, b.lastRow), hintDamaged)
	}
	b.rowNum, b.inRow = num, true
	b.col = -1
	b.cells = b.cells[:0]
	b.rowText, b.pending = b.rowText[:0], b.pending[:0]
	return nil
}

func (b *sheetBuilder) endRow() Row {
	b.setTexts()
	b.inRow = false
	b.lastRow = b.rowNum
	return Row{Num: b.rowNum, Cells: b.cells}
}

// startCell reads the attributes of <c>: reference, style and type.
func (b *sheetBuilder) startCell(ref []byte, hasRef bool, s []byte, hasS bool, t []byte) error {
	col := b.col + 1
	if hasRef {
		c, row, ok := parseCellRef(ref)
		if !ok {
			return b.fail("", fmt.Sprintf("invalid cell reference %q", ref), hintDamaged)
		}
		if row != b.rowNum {
			return b.fail(string(ref), fmt.Sprintf("cell %s is inside row %d", ref, b.rowNum), hintDamaged)
		}
		col = c
	}
	if col <= b.col {
		return b.fail(cellName(col, b.rowNum), fmt.Sprintf("cell %s comes after cell %s (cells out of order)",
			cellName(col, b.rowNum), cellName(b.col, b.rowNum)), hintDamaged)
	}
	if col >= maxColumns {
		return b.fail("", fmt.Sprintf("a cell beyond column XFD, Excel's last, in row %d", b.rowNum), hintDamaged)
	}
	b.col = col
	b.style = 0
	if hasS {
		n, ok := parseIndex(s)
		if !ok {
			return b.fail(cellName(col, b.rowNum), fmt.Sprintf("invalid style index %q", s), hintDamaged)
		}
		b.style = n
	}
	switch string(t) {
	case "", "n":
		b.typ = typeNumber
	case "s":
		b.typ = typeShared
	case "inlineStr":
		b.typ = typeInline
	case "str":
		b.typ = typeFormulaStr
	case "b":
		b.typ = typeBool
	case "e":
		b.typ = typeError
	case "d":
		b.typ = typeISODate
	default:
		return b.fail(cellName(col, b.rowNum), fmt.Sprintf("unknown cell type %q", t), hintDamaged)
	}
	return nil
}

// endCell stores the current cell. v is the text of <v>, is the text of <is> (inline
// string, rich text runs concatenated), both raw: _xHHHH_ escapes still in place.
func (b *sheetBuilder) endCell(v []byte, hasV bool, is []byte, hasIs bool) error {
	for len(b.cells) < b.col {
		b.cells = append(b.cells, Cell{})
	}
	var c Cell
	switch b.typ {
	case typeShared:
		if !hasV || len(v) == 0 {
			break
		}
		n, ok := parseIndex(v)
		if !ok || n >= len(b.sst) {
			return b.fail(cellName(b.col, b.rowNum),
				fmt.Sprintf("shared string index %q is out of range (the workbook has %d shared strings)", v, len(b.sst)),
				hintDamaged)
		}
		c = Cell{Text: b.sst[n], Kind: KindText}
	case typeInline:
		if hasIs {
			c.Text = b.text(unescapeX(is))
		} else if hasV {
			c.Text = b.text(unescapeX(v))
		}
	case typeFormulaStr:
		c.Text = b.text(unescapeX(v))
	case typeISODate:
		c.Text = b.text(v)
	default:
		if len(v) == 0 {
			break // a cell with a style or a formula but no value is empty
		}
		c.Text = b.text(v)
		switch b.typ {
		case typeBool:
			c.Kind = KindBool
		case typeError:
			c.Kind = KindError
		default:
			c.Kind = KindNumber
			if b.style < len(b.dateStyle) && b.dateStyle[b.style] {
				c.Kind = KindDate
			}
		}
	}
	b.cells = append(b.cells, c)
	return nil
}

// text is raw as a string, reusing the column's previous string when equal. A new
// text is only noted here: endRow makes the texts of a row one string and slices it,
// one allocation a row instead of one a cell. Until then the cell's Text is "".
func (b *sheetBuilder) text(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	if b.col < len(b.last) && b.last[b.col] == string(raw) {
		return b.last[b.col]
	}
	off := len(b.rowText)
	b.rowText = append(b.rowText, raw...)
	b.pending = append(b.pending, pendingText{cell: len(b.cells), col: b.col, off: off, end: len(b.rowText)})
	return ""
}

// pendingText is a cell's text waiting in rowText for the end of the row.
type pendingText struct{ cell, col, off, end int }

// setTexts gives the cells noted by text their strings, slices of one string.
func (b *sheetBuilder) setTexts() {
	if len(b.pending) == 0 {
		return
	}
	all := string(b.rowText)
	for _, p := range b.pending {
		t := all[p.off:p.end]
		b.cells[p.cell].Text = t
		if p.col < 256 {
			for len(b.last) <= p.col {
				b.last = append(b.last, "")
			}
			b.last[p.col] = t
		}
	}
	b.rowText, b.pending = b.rowText[:0], b.pending[:0]
}

// Depths of the worksheet elements the parser reads: worksheet > sheetData > row > c >
// v | is > t | r > t.
const (
	depthRoot = iota + 1
	depthSheetData
	depthRow
	depthCell
	depthValue
	depthText
	depthRunText
)

// parseSheet streams the rows of a worksheet part to emit, which returns false to stop.
// It reads to the end of the part so that archive/zip checks its checksum.
func (b *sheetBuilder) parseSheet(sc *xmlScanner, emit func(Row) bool) error {
	var (
		sawRoot, inSheetData, inCell, inIs, inRun bool
		capturing                                 int // depth of the <v> or <t> being captured; 0: none
		v, is                                     []byte
		hasV, hasIs                               bool
	)
	for {
		if inSheetData && sc.depth() == depthSheetData && !sc.pendingEnd && !b.noFast {
			if b.fastRows(sc, emit) {
				return errStopped
			}
		}
		tok, err := sc.next()
		if err != nil {
			if isSyntax(err) {
				return b.malformed(err)
			}
			return err
		}
		switch tok {
		case tokEOF:
			if !sawRoot {
				return b.empty()
			}
			return nil
		case tokStart:
			local := localName(sc.name)
			switch d := sc.depth(); {
			case d == depthRoot:
				if err := b.root(local); err != nil {
					return err
				}
				sawRoot = true
			case d == depthSheetData && sawRoot:
				inSheetData = string(local) == "sheetData"
			case d == depthRow && inSheetData && string(local) == "row":
				r, hasR, err := sc.attr("r")
				if err == nil {
					err = b.startRow(r, hasR)
				}
				if err != nil {
					return b.attrErr(err)
				}
			case d == depthCell && b.inRow && string(local) == "c":
				if err := b.cellAttrs(sc); err != nil {
					return b.attrErr(err)
				}
				inCell, hasV, hasIs, v, is = true, false, false, v[:0], is[:0]
			case d == depthValue && inCell && capturing == 0:
				switch string(local) {
				case "v":
					sc.capture, sc.text, capturing = true, v[:0], d
				case "is":
					inIs, hasIs, is = true, true, is[:0]
				}
			case d == depthText && inIs && capturing == 0:
				switch string(local) {
				case "t":
					sc.capture, sc.text, capturing = true, is, d
				case "r":
					inRun = true
				}
			case d == depthRunText && inRun && capturing == 0 && string(local) == "t":
				sc.capture, sc.text, capturing = true, is, d
			}
		case tokEnd:
			switch d := sc.depth() + 1; {
			case d == capturing:
				if err := validText(sc.text); err != nil {
					return b.malformed(err)
				}
				if d == depthValue {
					v, hasV = sc.text, true
				} else {
					is = sc.text
				}
				sc.capture, capturing = false, 0
			case d == depthText && inRun:
				inRun = false
			case d == depthValue && inIs:
				inIs = false
			case d == depthCell && inCell:
				inCell = false
				if err := b.endCell(v, hasV, is, hasIs); err != nil {
					return err
				}
			case d == depthRow && b.inRow:
				if !emit(b.endRow()) {
					return errStopped
				}
			case d == depthSheetData:
				inSheetData = false
			}
		}
	}
}

// cellAttrs reads the attributes r, s and t of <c> in one pass and starts the cell.
func (b *sheetBuilder) cellAttrs(sc *xmlScanner) error {
	var (
		ref, s, t         []byte
		hasR, hasS, seenT bool
	)
	for i, a := range sc.attrs {
		name := sc.buf[a.ns:a.ne]
		if len(name) != 1 {
			continue
		}
		var dst *[]byte
		switch {
		case name[0] == 'r' && !hasR:
			dst, hasR = &ref, true
		case name[0] == 's' && !hasS:
			dst, hasS = &s, true
		case name[0] == 't' && !seenT:
			dst, seenT = &t, true
		default:
			continue
		}
		v := sc.buf[a.vs:a.ve]
		if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			// Rare: decode into a copy, as attrValue's buffer is shared.
			dv, _, err := sc.attrValue(i)
			if err != nil {
				return err
			}
			v = append([]byte(nil), dv...)
		}
		*dst = v
	}
	return b.startCell(ref, hasR, s, hasS, t)
}

// attrErr turns an entity error in an attribute into a malformed-XML error.
func (b *sheetBuilder) attrErr(err error) error {
	if isSyntax(err) {
		return b.malformed(err)
	}
	return err
}
