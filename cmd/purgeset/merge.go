package main

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// merger combines the config file's options with the flags given (SPEC §8): a flag
// replaces the file's single values and its group and record type lists; --protect,
// --column and --archive-column add to the file's, so that naming one more list can
// never drop a safeguard. Every value of the file that a flag replaced is noted.
type merger struct {
	changed func(flag string) bool
	inFile  map[string]bool // config keys the file set
	over    []string
}

// note records that flag replaced the file's key when the values differ.
func (m *merger) note(flag, key string, differs bool) {
	if m.inFile[key] && differs {
		m.over = append(m.over, "--"+flag)
	}
}

func single[T comparable](m *merger, dst *T, v T, flag, key string) {
	if m.changed(flag) {
		m.note(flag, key, *dst != v)
		*dst = v
	}
}

func replaceList(m *merger, dst *[]string, v []string, flag, key string) {
	if m.changed(flag) {
		m.note(flag, key, !slices.Equal(*dst, v))
		*dst = slices.Clone(v)
	}
}

// mergeFlags applies the flags in f that were given to o, which holds the defaults
// and the config file, field by field; it returns the options a flag replaced.
func mergeFlags(o, f *runOptions, changed func(string) bool, inFile map[string]bool) []string {
	m := &merger{changed: changed, inFile: inFile}
	single(m, &o.Cutoff, f.Cutoff, "cutoff", "cutoff")
	replaceList(m, &o.Groups, f.Groups, "group", "groups")
	single(m, &o.AllGroups, f.AllGroups, "all-groups", "all_groups")
	replaceList(m, &o.RecordTypes, f.RecordTypes, "record-type", "record_types")
	if changed("protect") {
		o.Protect = appendNew(o.Protect, f.Protect, func(a, b string) bool { return a == b })
	}
	single(m, &o.DateOrder, f.DateOrder, "date-order", "date_order")
	single(m, &o.AcceptNumericIDs, f.AcceptNumericIDs, "accept-numeric-ids", "accept_numeric_ids")
	single(m, &o.IDPattern, f.IDPattern, "id-pattern", "id_pattern")
	single(m, &o.MaxIncluded, f.MaxIncluded, "max-included", "max_included")
	single(m, &o.MaxIncludedPercent, f.MaxIncludedPercent, "max-included-percent", "max_included_percent")
	single(m, &o.Split, f.Split, "split", "split")
	single(m, &o.SetFormat, f.SetFormat, "set-format", "set_format")
	single(m, &o.SetHeader, f.SetHeader, "set-header", "set_header")
	single(m, &o.Sheet, f.Sheet, "sheet", "sheet")
	if changed("column") {
		cols := maps.Clone(o.Columns)
		if cols == nil {
			cols = map[string]string{}
		}
		for _, role := range slices.Sorted(maps.Keys(f.Columns)) {
			if old, ok := cols[role]; ok && old != f.Columns[role] {
				m.note("column "+role, "columns", true)
			}
			cols[role] = f.Columns[role]
		}
		o.Columns = cols
	}
	if changed("archive-column") {
		o.ArchiveColumns = appendNew(o.ArchiveColumns, f.ArchiveColumns, func(a, b string) bool {
			return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
		})
	}
	single(m, &o.NoReview, f.NoReview, "no-review", "no_review")
	single(m, &o.NoArchive, f.NoArchive, "no-archive", "no_archive")
	single(m, &o.Out, f.Out, "out", "out")
	single(m, &o.Force, f.Force, "force", "force")
	single(m, &o.DryRun, f.DryRun, "dry-run", "dry_run")
	single(m, &o.AllowUnmatched, f.AllowUnmatched, "allow-unmatched", "allow_unmatched")
	single(m, &o.AllowFutureCutoff, f.AllowFutureCutoff, "allow-future-cutoff", "allow_future_cutoff")
	single(m, &o.Operator, f.Operator, "operator", "operator")
	o.recordTypesGiven = inFile["record_types"] || changed("record-type")
	sort.Strings(m.over)
	return m.over
}

// appendNew is dst followed by the values of add that it does not hold yet.
func appendNew(dst, add []string, same func(a, b string) bool) []string {
	out := slices.Clone(dst)
	for _, v := range add {
		if !slices.ContainsFunc(out, func(x string) bool { return same(x, v) }) {
			out = append(out, v)
		}
	}
	return out
}
