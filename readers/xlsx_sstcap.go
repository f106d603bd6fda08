package readers

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// The shared strings are read whole before the first row (cells name them by index),
// so their size decides memory before any row is seen. A workbook saved by Analytics or
// a spreadsheet program keeps in them at most the text its cells use: a few times the
// sheet's own XML at the very most (each reference costs ~30 bytes of sheet XML; a long
// string used once can cost more). A part that unpacks to far more is a zip bomb or a
// damaged file, and reading it would take gigabytes for a few rows (issue 14: 680 MB of
// shared strings, 2.2 GB for 302 rows).
const (
	sstPerSheetByte = 8        // budget: this many bytes per byte of the sheet's XML …
	sstFloor        = 32 << 20 // … but never less (small sheets with long text) …
	sstCeiling      = 1 << 30  // … nor more, whatever the sheet claims
)

// errSharedStringsTooBig marks the budget exceeded; the caller names the file.
var errSharedStringsTooBig = errors.New("the shared strings exceed their budget")

// sharedStringsBudget is how many bytes the shared strings may unpack to, from the size
// the zip gives for the sheet (a claim; the ceiling bounds a lie).
func sharedStringsBudget(sheet *zip.File) int64 {
	n := sheet.UncompressedSize64
	if n > sstCeiling/sstPerSheetByte {
		return sstCeiling
	}
	return max(int64(n)*sstPerSheetByte, sstFloor)
}

// capReader fails with errSharedStringsTooBig once more than left bytes come out.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// At the budget exactly: only the end of the part may follow.
		var one [1]byte
		if n, err := c.r.Read(one[:]); n > 0 {
			return 0, errSharedStringsTooBig
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// sharedStringsTooBig is the user's message for a part over its budget.
func sharedStringsTooBig(file, part string, budget int64, sheet *zip.File) error {
	return &ParseError{File: file,
		Msg: fmt.Sprintf("its shared strings (%s) unpack to more than %d MB, far more text than its sheet (%d MB of XML) can use: a damaged or crafted workbook, not one Analytics or a spreadsheet program saved",
			part, budget>>20, sheet.UncompressedSize64>>20),
		Hint: "export the users again from Analytics (CSV or XLSX); if the file must be used, open it in Excel or LibreOffice, save it as CSV UTF-8 and read that"}
}
