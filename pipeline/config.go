package pipeline

import (
	"regexp"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// Config holds every option of a run after flags and config file were merged and
// checked: the CLI parses the values, Validate checks what they mean.
type Config struct {
	Inputs           []string
	Cutoff           Date
	Groups           []string // eligible user groups; ignored when AllGroups
	AllGroups        bool
	RecordTypes      []string // eligible record types, matched ignoring case
	Protect          []string // protect list files
	DateOrder        DateOrder
	AcceptNumericIDs bool
	MaxIncluded      int     // < 0: off
	MaxIncludedPct   float64 // < 0: off
	Sheet            string
	Columns          map[readers.Role]string // --column ROLE=HEADER
	ArchiveColumns   []string
	DryRun           bool
	// IDPattern is the institution's ID format (Go RE2, matched against the whole
	// trimmed ID); "" for none. Validate compiles it.
	IDPattern string
	idPattern *regexp.Regexp
	// RecordTypesGiven says the record types were chosen, not the default: only then
	// is a record type that matches no row an error (SPEC §8).
	RecordTypesGiven  bool
	AllowUnmatched    bool // let a --group or --record-type that matches no row through
	AllowFutureCutoff bool // let a cutoff after Today through
	// Today is the run's date (the UTC date of the manifest's created time); a cutoff
	// after it stops the run. The zero value skips that guard.
	Today   Date
	TempDir string // where the spill goes; "" for the system default

	Output Output // how and where to write; unused on a dry run
	// Parameters is every option as the user set it, recorded in the manifest.
	Parameters *writers.Parameters
	// Progress, when set, is told now and then how far reading an input is: data rows so
	// far, and bytes read of total bytes (total is 0 when the format cannot tell).
	Progress func(input string, rows, done, total int64)
}
