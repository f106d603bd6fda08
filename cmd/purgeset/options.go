package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
)

// runOptions are every option of `purgeset run`; the json tag is how the manifest
// records it. The config file's keys are listed in config.go, the flags in bindRunFlags,
// and mergeFlags combines the two field by field.
type runOptions struct {
	Cutoff             string            `json:"cutoff"`
	Groups             []string          `json:"groups"`
	AllGroups          bool              `json:"all_groups"`
	RecordTypes        []string          `json:"record_types"`
	Protect            []string          `json:"protect"`
	DateOrder          string            `json:"date_order"`
	AcceptNumericIDs   bool              `json:"accept_numeric_ids"`
	IDPattern          string            `json:"id_pattern"`
	MaxIncluded        int               `json:"max_included"`
	MaxIncludedPercent float64           `json:"max_included_percent"`
	Split              int               `json:"split"`
	SetFormat          string            `json:"set_format"`
	SetHeader          string            `json:"set_header"`
	Sheet              string            `json:"sheet"`
	Columns            map[string]string `json:"columns"`
	ArchiveColumns     []string          `json:"archive_columns"`
	NoReview           bool              `json:"no_review"`
	NoArchive          bool              `json:"no_archive"`
	Out                string            `json:"out"`
	Force              bool              `json:"force"`
	DryRun             bool              `json:"dry_run"`
	AllowUnmatched     bool              `json:"allow_unmatched"`
	AllowFutureCutoff  bool              `json:"allow_future_cutoff"`
	Operator           string            `json:"operator"`
	Inputs             []string          `json:"inputs"`
	Config             string            `json:"config,omitempty"`
	ConfigSHA256       string            `json:"config_sha256,omitempty"`
	// Overridden names the options whose config file value a flag replaced.
	Overridden []string `json:"config_overridden,omitempty"`

	// recordTypesGiven: the record types were chosen by a flag or the file, not left
	// at the default; only then is one that matches no row an error.
	recordTypesGiven bool
}

// off is how a disabled limit is shown and stored.
const off = -1

func defaultRunOptions() runOptions {
	return runOptions{RecordTypes: slices.Clone(pipeline.DefaultRecordTypes), MaxIncluded: off, MaxIncludedPercent: off,
		Split: 100000, SetFormat: "xlsx", SetHeader: "USERNAME", Columns: map[string]string{}}
}

// columnFlag is --column ROLE=HEADER, repeatable, into a map.
type columnFlag struct{ m *map[string]string }

func (c columnFlag) String() string {
	var parts []string
	for k, v := range *c.m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (c columnFlag) Set(s string) error {
	role, header, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(header) == "" {
		return fmt.Errorf("want ROLE=HEADER, such as expiry=\"Expiry Date\"")
	}
	(*c.m)[strings.TrimSpace(role)] = strings.TrimSpace(header)
	return nil
}

func (c columnFlag) Type() string { return "ROLE=HEADER" }

func bindRunFlags(fs *pflag.FlagSet, o *runOptions) {
	fs.StringVar(&o.Cutoff, "cutoff", "", "a row is expired when its expiry date is strictly before this date (YYYY-MM-DD); required")
	fs.StringArrayVar(&o.Groups, "group", nil, "eligible user group, exact and case-sensitive after trimming (repeatable)")
	fs.BoolVar(&o.AllGroups, "all-groups", false, "every user group is eligible (the group column may then be absent)")
	fs.StringArrayVar(&o.RecordTypes, "record-type", o.RecordTypes, "eligible record type, matched ignoring case (repeatable)")
	fs.StringArrayVar(&o.Protect, "protect", nil, "file of IDs never included: a plain list or an export such as a fines report (repeatable)")
	fs.StringVar(&o.DateOrder, "date-order", "", "how to read slash dates such as 03/04/2021: mdy or dmy (default: slash dates stop the run)")
	fs.BoolVar(&o.AcceptNumericIDs, "accept-numeric-ids", false, "accept XLSX IDs stored as whole numbers, written as plain digits (leading zeros may already be lost)")
	fs.StringVar(&o.IDPattern, "id-pattern", "", "the institution's ID format as a Go regular expression matching the whole ID, e.g. '^(s[0-9]{7}|[0-9]{8})$'; other IDs are malformed_id")
	fs.IntVar(&o.MaxIncluded, "max-included", o.MaxIncluded, "safety stop when more than N rows would be included (-1: off)")
	fs.Float64Var(&o.MaxIncludedPercent, "max-included-percent", o.MaxIncludedPercent, "safety stop when more than P % of all data rows would be included (-1: off)")
	fs.IntVar(&o.Split, "split", o.Split, "at most N IDs per set file")
	fs.StringVar(&o.SetFormat, "set-format", o.SetFormat, "set file format: xlsx, txt or both")
	fs.StringVar(&o.SetHeader, "set-header", o.SetHeader, "first cell of every set file (USERNAME, Primary ID, or an identifier type code)")
	fs.StringVar(&o.Sheet, "sheet", "", "XLSX sheet to read (default: the first sheet)")
	fs.Var(columnFlag{&o.Columns}, "column", "use column HEADER for ROLE (id, expiry, group, record_type, purge_date) (repeatable)")
	fs.StringArrayVar(&o.ArchiveColumns, "archive-column", nil, "also keep this column in archive.parquet (repeatable)")
	fs.BoolVar(&o.NoReview, "no-review", false, "do not write review.html")
	fs.BoolVar(&o.NoArchive, "no-archive", false, "do not write archive.parquet")
	fs.StringVar(&o.Out, "out", "", "output directory; must not exist or be empty (required unless --dry-run)")
	fs.BoolVar(&o.Force, "force", false, "allow a non-empty --out: its old purgeset files are replaced, nothing else is touched")
	fs.BoolVar(&o.DryRun, "dry-run", false, "read and decide everything, print the summary, write nothing")
	fs.BoolVar(&o.AllowUnmatched, "allow-unmatched", false, "let a --group or --record-type that matches no data row through (recorded as a warning)")
	fs.BoolVar(&o.AllowFutureCutoff, "allow-future-cutoff", false, "let a --cutoff after today through (recorded as a warning)")
	fs.StringVar(&o.Operator, "operator", "", "who prepares the run, shown on the review page and kept in the manifest (default: your user name)")
	fs.StringVar(&o.Config, "config", "", "read options from this TOML file; flags win over the file for single values, --protect, --column and --archive-column add to it")
	fs.VisitAll(func(f *pflag.Flag) {
		if !repeatable[f.Name] {
			f.Value = &onceValue{Value: f.Value, name: f.Name}
		}
	})
}

// repeatable are the flags that take several values, one per use.
var repeatable = map[string]bool{"group": true, "record-type": true, "protect": true, "column": true, "archive-column": true}

// errRepeated marks a single-valued flag given twice: the last one silently winning
// would let a stale --cutoff in a pasted command line decide the purge.
var errRepeated = errors.New("given twice")

// onceValue refuses a second value for a single-valued flag.
type onceValue struct {
	pflag.Value
	name  string
	first string
	set   bool
}

func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("%w (first %q, then %q)", errRepeated, v.first, s)
	}
	v.set, v.first = true, s
	return v.Value.Set(s)
}

// pipelineConfig parses the options into the pipeline's Config; every problem here
// is a usage error (exit 2), found before any file is read. What the values mean
// (groups, limits, the ID pattern, a future cutoff) is Config.Validate's to check.
func (o *runOptions) pipelineConfig(created time.Time) (pipeline.Config, error) {
	var c pipeline.Config
	if o.Cutoff == "" {
		return c, usagef("--cutoff is required: a row is expired when its expiry date is before it, e.g. --cutoff 2024-07-01")
	}
	if _, ok := pipeline.ParseISODate(o.Cutoff); !ok {
		return c, usagef("--cutoff %q is not a valid date: want YYYY-MM-DD, e.g. 2024-07-01", o.Cutoff)
	}
	if o.Split < 1 {
		return c, usagef("--split %d: want at least 1 ID per set file", o.Split)
	}
	switch o.SetFormat {
	case "xlsx", "txt", "both":
	default:
		return c, usagef("--set-format %q: want xlsx, txt or both", o.SetFormat)
	}
	if strings.TrimSpace(o.SetHeader) == "" || strings.ContainsAny(o.SetHeader, "\r\n") {
		return c, usagef("--set-header %q: want one line of text such as USERNAME", o.SetHeader)
	}
	for role, h := range o.Columns {
		if !validRole(role) {
			return c, usagef("--column %s=%s: unknown role %q; want one of id, expiry, group, record_type, purge_date", role, h, role)
		}
	}
	if o.Out == "" && !o.DryRun && len(o.Inputs) > 0 {
		return c, usagef("--out DIR is required: a new or empty directory for the set files and manifest")
	}
	c, err := pipeline.FromParameters(o.parameters(), created)
	if err != nil {
		return c, err
	}
	c.RecordTypesGiven = o.recordTypesGiven
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func validRole(r string) bool {
	for _, x := range readers.Roles {
		if string(x) == r {
			return true
		}
	}
	return false
}
