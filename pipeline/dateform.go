package pipeline

import (
	"strings"

	"github.com/purgeset/purgeset/readers"
)

// DateForm is how a date cell is written, as inspect counts it (SPEC §4).
type DateForm uint8

const (
	FormBlank          DateForm = iota
	FormISO                     // YYYY-MM-DD (a time part allowed)
	FormYearFirstSlash          // YYYY/MM/DD
	FormDayFirstDot             // D.M.YYYY, always day first
	FormDayMonthSlash           // N/N/N: needs --date-order
	FormDateCell                // an XLSX number with a date style
	FormNumber                  // an XLSX number without one
	FormUnreadable              // anything else, impossible dates included
)

// DateFormOf classifies one date cell with run's date rules.
func DateFormOf(c readers.Cell, date1904 bool) DateForm {
	text := strings.TrimSpace(c.Text)
	switch c.Kind {
	case readers.KindDate:
		if _, _, _, ok := readers.ExcelSerialDate(text, date1904); ok {
			return FormDateCell
		}
		return FormUnreadable
	case readers.KindNumber:
		return FormNumber
	case readers.KindText:
		switch {
		case text == "":
			return FormBlank
		case isSlashDate(text):
			return FormDayMonthSlash
		}
		if _, problem := parseTextDate(text, OrderNone); problem != dateOK {
			return FormUnreadable
		} else if datePart, _, _ := splitTime(text); strings.Contains(datePart, "/") {
			return FormYearFirstSlash
		} else if strings.Contains(datePart, ".") {
			return FormDayFirstDot
		}
		return FormISO
	}
	if text == "" { // booleans, error values
		return FormBlank
	}
	return FormUnreadable
}
