package readers

import "iter"

// Kind says how a spreadsheet stored a cell. Text files only ever give KindText; the
// other kinds matter because Excel damage hides in them (an ID stored as a number has
// already lost its leading zeros; a date may be a serial number).
type Kind uint8

const (
	KindText   Kind = iota // text file field, XLSX shared/inline/formula string
	KindNumber             // XLSX number without a date style; Text is the raw value as stored
	KindDate               // XLSX number with a date style; Text is the raw serial as stored
	KindBool               // XLSX boolean; Text is "0" or "1"
	KindError              // XLSX error value; Text is the error, e.g. "#N/A"
)

func (k Kind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindNumber:
		return "number"
	case KindDate:
		return "date"
	case KindBool:
		return "boolean"
	case KindError:
		return "error"
	}
	return "unknown"
}

// Cell is one field of a row, untrimmed.
type Cell struct {
	Text string
	Kind Kind
}

// Row is one row as a spreadsheet shows it. Num counts from 1 at the top of the file or
// sheet, counting title, header and blank rows; a quoted field spanning lines is one row.
// Cells may be reused by the next row: copy what you keep.
type Row struct {
	Num   int
	Cells []Cell
}

// Format facts a reader found by sniffing, reported in the manifest.
type Info struct {
	Format    string // "xlsx" or "text"
	Encoding  string // "utf-8", "utf-8-bom", "utf-16le", "utf-16be"; "" for xlsx
	Delimiter string // ",", "\t", ";"; "" for xlsx
	Sheet     string // sheet read; "" for text
	Date1904  bool   // the workbook's date system (XLSX only)
}

// Source yields every row of one file, including title rows above the header and
// blank rows. Rows is single use; an error ends the iteration and is final.
type Source interface {
	Info() Info
	Rows() iter.Seq2[Row, error]
	Close() error
}
