package pipeline

import (
	"strings"

	"github.com/purgeset/purgeset/readers"
)

// fields are the normalised values of one data row that decisions and outputs use.
type fields struct {
	id         string
	idReason   Reason // Expired when the ID passed the ID rules
	idDetail   string
	group      string
	recordType string
	hasRType   bool // the input has a record type column

	expiryText string // trimmed text, or the raw value of an XLSX number
	expiry     Date
	expiryOK   bool
	expiryBad  dateProblem // why a non-blank expiry is not a date
	purgeText  string
	purge      Date
	purgeOK    bool
	extra      []string // --archive-column values
}

// dateCell reads an expiry or purge date cell. Text dates follow SPEC §4; an XLSX cell
// counts as a date only when its style says so.
func dateCell(c readers.Cell, date1904 bool, order DateOrder, cache *dateCache) (text string, d Date, problem dateProblem) {
	text = strings.TrimSpace(c.Text)
	switch c.Kind {
	case readers.KindText:
		if text == "" {
			return "", 0, dateOK
		}
		d, problem = parseTextDate(text, order)
		if problem == dateOK {
			return cache.text(d), d, dateOK // decisions.csv shows every parsed date one way
		}
		return text, d, problem
	case readers.KindDate:
		y, m, day, ok := readers.ExcelSerialDate(text, date1904)
		if !ok {
			return text, 0, "a date cell whose serial number is not a real date (such as Excel's 29 February 1900)"
		}
		d, _ = MakeDate(y, m, day)
		return cache.text(d), d, dateOK
	case readers.KindNumber:
		return text, 0, "a number in a cell without a date format"
	}
	if c.Kind == readers.KindError {
		return text, 0, "an error cell, not a date"
	}
	return text, 0, "a " + dateProblem(c.Kind.String()) + " cell, not a date"
}

func cellAt(cells []readers.Cell, i int) readers.Cell {
	if i < 0 || i >= len(cells) {
		return readers.Cell{}
	}
	return cells[i]
}

func blankRow(cells []readers.Cell) bool {
	for _, c := range cells {
		if strings.TrimSpace(c.Text) != "" {
			return false
		}
	}
	return true
}

// dateCache remembers recent dates' text: exports repeat a few hundred dates (term
// ends) over millions of rows, and each String would be an allocation. One per run:
// it is not safe for concurrent use. A nil cache formats every time.
type dateCache [4096]struct {
	d Date
	s string
}

func (dc *dateCache) text(d Date) string {
	if dc == nil {
		return d.String()
	}
	c := &dc[uint32(d)%uint32(len(dc))]
	if c.s == "" || c.d != d {
		c.d, c.s = d, d.String()
	}
	return c.s
}
