package main

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
)

// runOptions are every option of `purgeset run`. The flag tag names the flag, the toml
// tag the config file key; the json tag is how the manifest records it.
type runOptions struct {
	Cutoff             string            `flag:"cutoff" toml:"cutoff" json:"cutoff"`
	Groups             []string          `flag:"group" toml:"groups" json:"groups"`
	AllGroups          bool              `flag:"all-groups" toml:"all_groups" json:"all_groups"`
	RecordTypes        []string          `flag:"record-type" toml:"record_types" json:"record_types"`
	Protect            []string          `flag:"protect" toml:"protect" json:"protect"`
	DateOrder          string            `flag:"date-order" toml:"date_order" json:"date_order"`
	AcceptNumericIDs   bool              `flag:"accept-numeric-ids" toml:"accept_numeric_ids" json:"accept_numeric_ids"`
	MaxIncluded        int               `flag:"max-included" toml:"max_included" json:"max_included"`
	MaxIncludedPercent float64           `flag:"max-included-percent" toml:"max_included_percent" json:"max_included_percent"`
	Split              int               `flag:"split" toml:"split" json:"split"`
	SetFormat          string            `flag:"set-format" toml:"set_format" json:"set_format"`
	SetHeader          string            `flag:"set-header" toml:"set_header" json:"set_header"`
	Sheet              string            `flag:"sheet" toml:"sheet" json:"sheet"`
	Columns            map[string]string `flag:"column" toml:"columns" json:"columns"`
	ArchiveColumns     []string          `flag:"archive-column" toml:"archive_columns" json:"archive_columns"`
	NoReview           bool              `flag:"no-review" toml:"no_review" json:"no_review"`
	NoArchive          bool              `flag:"no-archive" toml:"no_archive" json:"no_archive"`
	Out                string            `flag:"out" toml:"out" json:"out"`
	Force              bool              `flag:"force" toml:"force" json:"force"`
	DryRun             bool              `flag:"dry-run" toml:"dry_run" json:"dry_run"`
	Inputs             []string          `toml:"inputs" json:"inputs"`
	Config             string            `flag:"config" toml:"-" json:"config,omitempty"`
	ConfigSHA256       string            `toml:"-" json:"config_sha256,omitempty"`
}

// off is how a disabled limit is shown and stored.
const off = -1

func defaultRunOptions() runOptions {
	return runOptions{RecordTypes: []string{"Public"}, MaxIncluded: off, MaxIncludedPercent: off,
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
	fs.StringVar(&o.Config, "config", "", "read options from this TOML file; flags win over the file")
}

// overlay copies into dst every option whose flag was given on the command line, so
// that flags win over the config file.
func overlay(dst, src *runOptions, cmd *cobra.Command) {
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < dv.NumField(); i++ {
		name := dv.Type().Field(i).Tag.Get("flag")
		if name != "" && cmd.Flags().Changed(name) {
			dv.Field(i).Set(sv.Field(i))
		}
	}
}

// pipelineConfig checks the options and turns them into the pipeline's Config; every
// problem here is a usage error (exit 2), found before any file is read.
func (o *runOptions) pipelineConfig() (pipeline.Config, error) {
	var c pipeline.Config
	if o.Cutoff == "" {
		return c, usagef("--cutoff is required: a row is expired when its expiry date is before it, e.g. --cutoff 2024-07-01")
	}
	cut, ok := pipeline.ParseISODate(o.Cutoff)
	if !ok {
		return c, usagef("--cutoff %q is not a valid date: want YYYY-MM-DD, e.g. 2024-07-01", o.Cutoff)
	}
	switch {
	case len(o.Groups) == 0 && !o.AllGroups:
		return c, usagef("name the eligible user groups with --group NAME (repeatable), or pass --all-groups")
	case len(o.Groups) > 0 && o.AllGroups:
		return c, usagef("--group and --all-groups exclude each other: pass one")
	}
	for _, g := range o.Groups {
		if strings.TrimSpace(g) == "" {
			return c, usagef("--group \"\" is empty: name a user group")
		}
	}
	if len(o.RecordTypes) == 0 {
		return c, usagef("at least one --record-type is needed (default Public)")
	}
	order := pipeline.DateOrder(o.DateOrder)
	if order != pipeline.OrderNone && order != pipeline.OrderMDY && order != pipeline.OrderDMY {
		return c, usagef("--date-order %q: want mdy or dmy", o.DateOrder)
	}
	if o.MaxIncluded < off {
		return c, usagef("--max-included %d: want a count of 0 or more", o.MaxIncluded)
	}
	if p := o.MaxIncludedPercent; math.IsNaN(p) || (p < 0 && p != off) || p > 100 {
		return c, usagef("--max-included-percent %g: want a percentage from 0 to 100", p)
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
	cols := map[readers.Role]string{}
	for role, h := range o.Columns {
		if !validRole(role) {
			return c, usagef("--column %s=%s: unknown role %q; want one of id, expiry, group, record_type, purge_date", role, h, role)
		}
		cols[readers.Role(role)] = h
	}
	if len(o.Inputs) == 0 {
		return c, usagef("name at least one input file (an Analytics export)")
	}
	if o.Out == "" && !o.DryRun {
		return c, usagef("--out DIR is required: a new or empty directory for the set files and manifest")
	}
	return pipeline.Config{
		Inputs: o.Inputs, Cutoff: cut, Groups: o.Groups, AllGroups: o.AllGroups,
		RecordTypes: o.RecordTypes, Protect: o.Protect, DateOrder: order,
		AcceptNumericIDs: o.AcceptNumericIDs, MaxIncluded: o.MaxIncluded, MaxIncludedPct: o.MaxIncludedPercent,
		Sheet: o.Sheet, Columns: cols, ArchiveColumns: o.ArchiveColumns, DryRun: o.DryRun,
	}, nil
}

func validRole(r string) bool {
	for _, x := range readers.Roles {
		if string(x) == r {
			return true
		}
	}
	return false
}
