package readers

import (
	"errors"
	"fmt"
)

// ErrInput marks every error caused by the content of an input file (exit 3), as
// opposed to I/O failures of the machine.
var ErrInput = errors.New("input rejected")

// ParseError says where in which file an input problem is, what was found and what to
// do. Found may hold personal data: callers print it only to a terminal.
type ParseError struct {
	File   string // path as given
	Row    int    // spreadsheet row number; 0 when the problem is the whole file
	Cell   string // e.g. "B57" for XLSX; "" when unknown
	Column string // header of the column, when known
	// Field is the 1-based field of a text row the problem is in (0: unknown); the
	// table names its column by the header once the header is known.
	Field int
	Found string // the offending value
	// Personal marks Found as an ID or name: shown only on a terminal (SPEC §6).
	Personal bool
	// NoHeader marks the header check's failure, which for a protect list only means
	// that the file is a plain list.
	NoHeader bool
	Msg      string // what is wrong, lower case
	Hint     string // what to do
}

func (e *ParseError) Error() string { return e.format(false) }

// Unwrap lets errors.Is(err, ErrInput) classify every ParseError.
func (e *ParseError) Unwrap() error { return ErrInput }

// Verbose is the message with the found value even when it is personal data, for a
// terminal only.
func (e *ParseError) Verbose() string { return e.format(true) }

func (e *ParseError) format(withValue bool) string {
	s := e.File
	if e.Row > 0 {
		s += fmt.Sprintf(" row %d", e.Row)
	}
	if e.Cell != "" {
		s += fmt.Sprintf(" (cell %s)", e.Cell)
	}
	if e.Column != "" {
		s += fmt.Sprintf(", column %q", e.Column)
	}
	s += ": " + e.Msg
	if e.Found != "" && (withValue || !e.Personal) {
		s += fmt.Sprintf(" (found %q)", e.Found)
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}
