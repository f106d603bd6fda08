package pipeline

import (
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// Config holds every option of a run after flags and config file were merged and
// checked (the CLI turns bad values into usage errors before Run sees them).
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
	TempDir          string // where the spill goes; "" for the system default

	Output Output // how and where to write; unused on a dry run
	// Parameters is every option as the user set it, recorded in the manifest.
	Parameters *writers.Parameters
	// Progress, when set, is told now and then how far reading an input is: data rows so
	// far, and bytes read of total bytes (total is 0 when the format cannot tell).
	Progress func(input string, rows, done, total int64)
}
