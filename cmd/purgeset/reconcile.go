package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/audit"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

const reconcileExamples = `  # After the Purge User Records job: export the users again and compare
  purgeset reconcile purge-2024-07 users-after.csv

  # Two fresh exports (one per user group), the report kept elsewhere
  purgeset reconcile --report ~/private/reconcile-2024-07.csv purge-2024-07 alumni-after.xlsx grads-after.xlsx

  # The fresh export's identifier column has another header
  purgeset reconcile --column id="User Name" purge-2024-07 users-after.xlsx`

func (a *app) reconcileCommand() *cobra.Command {
	var report, sheet string
	var overwrite bool
	columns := map[string]string{}
	cmd := &cobra.Command{
		Use:   "reconcile [options] DIR EXPORT...",
		Short: "After the Alma job: compare a fresh export with the run to see who was purged, skipped, or removed outside the set",
		Long: `reconcile reads a fresh Analytics export taken after the Alma job (same readers and
header check as run; only the identifier column is used) and compares it with
DIR/decisions.csv, ID by ID:

  purged                included, and gone from the export: purged as planned
  still_present         included, and still there: Alma skipped them (fines, loans, locks…)
  removed_outside_set   never included, and gone: removed by something other than this set

It writes a CSV report (id,status,source,row; mode 0600, it holds IDs) with the
still_present and removed_outside_set IDs, and prints the counts.

Exit codes: 0 nothing removed outside the set, 2 usage error, 3 an unreadable export or
run directory, 5 IDs removed outside the set.`,
		Example: reconcileExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("name the run directory and at least one fresh export: purgeset reconcile DIR EXPORT...")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, exports := args[0], args[1:]
			opts := audit.ReconcileOptions{Sheet: sheet}
			for role, h := range columns {
				if role != string(readers.RoleID) {
					return usagef("--column %s=%s: reconcile reads only the identifier column; want --column id=HEADER", role, h)
				}
				opts.IDHeader = h
			}
			if report == "" {
				report = filepath.Join(dir, audit.ReconcileName)
			}
			if err := checkReportPath(report, dir, exports, overwrite); err != nil {
				return err
			}
			res, err := audit.Reconcile(cmd.Context(), dir, exports, opts)
			if err != nil {
				return err
			}
			if err := audit.WriteReconcileReport(report, res, overwrite); err != nil {
				return err
			}
			a.log.Info().Int("included", res.Included).Int("purged", res.Purged).Int("still_present", res.StillPresent).
				Int("removed_outside_set", res.RemovedOutsideSet).Str("report", report).Msg("reconciled")
			for _, w := range res.Warnings {
				a.log.Warn().Msg(w)
			}
			if !a.quiet {
				a.printReconcile(res, report)
			}
			if res.RemovedOutsideSet > 0 {
				return mismatchError{fmt.Sprintf("%d IDs that were not in the set are gone from the fresh export (removed outside this set): they are listed in %s; find out what removed them",
					res.RemovedOutsideSet, report)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&report, "report", "", "write the report here (default DIR/reconcile.csv); an existing file is kept unless --overwrite")
	f.BoolVar(&overwrite, "overwrite", false, "replace an existing report file (never an export, an input of the run or a purgeset output)")
	f.StringVar(&sheet, "sheet", "", "XLSX sheet of the fresh export (default: the first sheet)")
	f.Var(columnFlag{&columns}, "column", "id=HEADER: the fresh export's identifier column, when it is not the first column with a standard header")
	f.SortFlags = false
	return cmd
}

// checkReportPath refuses a report that would overwrite a purgeset output, an export,
// an input of the run, or (without overwrite) any existing file.
func checkReportPath(report, dir string, exports []string, overwrite bool) error {
	if writers.IsOwnFile(filepath.Base(report)) {
		return usagef("--report %s would replace a purgeset output: name another file, e.g. reconcile.csv", report)
	}
	fi, err := os.Stat(report)
	if err != nil {
		return nil
	}
	if !fi.Mode().IsRegular() {
		return usagef("--report %s exists and is not a regular file: name a new file", report)
	}
	reads := append([]string{}, exports...)
	if m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName)); err == nil {
		for _, in := range m.Inputs {
			reads = append(reads, in.Path)
		}
	}
	for _, e := range reads {
		if ei, err := os.Stat(e); err == nil && os.SameFile(fi, ei) {
			return usagef("--report %s is %s, an export or an input of the run: name another file", report, e)
		}
	}
	if !overwrite {
		return usagef("--report %s exists: name a new file, or pass --overwrite to replace it", report)
	}
	return nil
}

func (a *app) printReconcile(r *audit.Reconciliation, report string) {
	w := a.stdout
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	fmt.Fprintf(w, "fresh export: %d data rows, %d distinct IDs\n", r.ExportRows, r.ExportIDs)
	fmt.Fprintf(w, "included in the set     %8d\n", r.Included)
	fmt.Fprintf(w, "  purged (now gone)     %8d\n", r.Purged)
	fmt.Fprintf(w, "  still present         %8d   Alma skipped them (fines, loans, locks…)\n", r.StillPresent)
	fmt.Fprintf(w, "not included            %8d\n", r.NotIncluded)
	fmt.Fprintf(w, "  still present         %8d\n", r.NotIncludedKept)
	fmt.Fprintf(w, "  removed outside set   %8d\n", r.RemovedOutsideSet)
	fmt.Fprintf(w, "report: %s (%d IDs)\n", report, len(r.Entries))
}
