package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/pipeline/audit"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

const preflightExamples = `  # After Update/Notify Users, before Purge User Records: export the job's group again
  purgeset preflight --job-group "Purge 2024" purge-2024-07 purge-group-now.xlsx

  # The job will run tomorrow with Number of Days After Purge Date 10; keep the report
  purgeset preflight --job-group "Purge 2024" --days-after-purge-date 10 \
      --job-date 2024-07-20 --report ~/private/preflight-2024-07.csv purge-2024-07 purge-group-now.xlsx`

func (a *app) preflightCommand() *cobra.Command {
	var o audit.PreflightOptions
	var jobDate, format, report, dateOrder string
	columns := map[string]string{}
	cmd := &cobra.Command{
		Use:   "preflight DIR EXPORT... --job-group NAME",
		Short: "Before the Alma job: whom Purge User Records would purge, against the reviewed run",
		Long: `Purge User Records does not take a set: it purges every user of one record type and
user group whose purge date (plus "Number of Days After Purge Date") has passed. Users
in that group who are not in the reviewed set are purged too. preflight reads an
Analytics export of the job's user group, taken after Update/Notify Users and before
the job (same readers and header rules as run; the id, user group, record type and
purge date columns are required), verifies DIR, and gives each user one status:

  will_purge        in the set, in the job's group and record type, due
  outside_set       due, but NOT in the reviewed set: the job would purge them  (exit 5)
  not_moved         in the set, but absent from the export or in another group
                    or record type: the job will not purge them
  no_purge_date     in the set and the group, no purge date: the job skips them
  purge_date_later  in the set and the group, purge date + N days after the job date

Due means purge date + --days-after-purge-date on or before --job-date. IDs go to
stdout (--format csv or json) and to --report only, never to the log.

Exit codes: 0 no user outside the set is due, 2 usage error (also: no export row of
the job's group and record type), 3 an unreadable export, 5 users outside the set
are due, or DIR does not verify.`,
		Example: preflightExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("name the run directory and at least one export of the job's group: purgeset preflight DIR EXPORT... --job-group NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, exports := args[0], args[1:]
			if o.JobGroup == "" {
				return usagef("--job-group is required: the User Group the Purge User Records job will be run with")
			}
			if o.DaysAfter < 0 {
				return usagef("--days-after-purge-date %d: want 0 or more (the job's Number of Days After Purge Date)", o.DaysAfter)
			}
			if format != "text" && format != "csv" && format != "json" {
				return usagef("--format %q: want text, csv or json", format)
			}
			o.JobDate, _ = pipeline.MakeDate(time.Now().Date())
			if jobDate != "" {
				d, ok := pipeline.ParseISODate(jobDate)
				if !ok {
					return usagef("--job-date %q: want the day the job runs as YYYY-MM-DD", jobDate)
				}
				o.JobDate = d
			}
			switch dateOrder {
			case "", "mdy", "dmy":
				o.DateOrder = pipeline.DateOrder(dateOrder)
			default:
				return usagef("--date-order %q: want mdy or dmy", dateOrder)
			}
			o.Columns = map[readers.Role]string{}
			for role, h := range columns {
				if !validRole(role) {
					return usagef("--column %s=%s: unknown role; want id, group, record_type or purge_date", role, h)
				}
				o.Columns[readers.Role(role)] = h
			}
			if report != "" {
				if err := checkNewReport(report); err != nil {
					return err
				}
			}
			run, err := a.verifyRun(cmd, dir)
			if err != nil {
				return err
			}
			res, err := audit.RunPreflight(cmd.Context(), run.IDs, exports, o)
			var unmatched *audit.JobGroupUnmatched
			if errors.As(err, &unmatched) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if report != "" {
				if err := audit.WritePreflightReport(report, res); err != nil {
					return err
				}
			}
			ev := a.log.Info().Str("run_id", writers.ShortRunID(run.RunID)).Str("job_group", o.JobGroup).Int("export_rows", res.ExportRows)
			for _, s := range audit.PreflightStatuses {
				ev = ev.Int(s, res.Counts[s])
			}
			ev.Msg("preflight")
			if err := a.printPreflight(format, run, res, o, report); err != nil {
				return err
			}
			if n := res.Counts[audit.OutsideSet]; n > 0 {
				return mismatchError{fmt.Sprintf("the job would purge %d users who are not in the reviewed set (outside_set): do not run it; move them out of group %q or find out why they are there", n, o.JobGroup)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.JobGroup, "job-group", "", "the User Group of the Purge User Records job (required; exact after trimming)")
	f.StringVar(&o.JobRecordType, "job-record-type", "Public", "the User Record Type of the job (ignoring case)")
	f.IntVar(&o.DaysAfter, "days-after-purge-date", 0, "the job's Number of Days After Purge Date")
	f.StringVar(&jobDate, "job-date", "", "the day the job runs, YYYY-MM-DD (default: today)")
	f.StringVar(&format, "format", "text", "text (counts and the outside_set IDs), csv (the report) or json")
	f.StringVar(&report, "report", "", "also write the per-user report as CSV here (mode 0600; never over an existing file)")
	f.StringVar(&o.Sheet, "sheet", "", "XLSX sheet of the exports (default: the first sheet)")
	f.StringVar(&dateOrder, "date-order", "", "how to read slash dates: mdy or dmy (default: slash dates stop)")
	f.BoolVar(&o.AcceptNumericIDs, "accept-numeric-ids", false, "read XLSX IDs stored as whole numbers as their digits (as run does)")
	f.Var(columnFlag{&columns}, "column", "ROLE=HEADER: use this column for id, group, record_type or purge_date (repeatable)")
	f.SortFlags = false
	return cmd
}

// checkNewReport refuses a report path that exists: it may be an export, a run file or
// the last report, and none of them is preflight's to replace.
func checkNewReport(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return usagef("--report %s exists already: name a new file (preflight never replaces a file)", path)
	}
	return nil
}

func (a *app) printPreflight(format string, run *alma.Run, res *audit.Preflight, o audit.PreflightOptions, report string) error {
	w := a.stdout
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(audit.PreflightHeader)
		for _, e := range res.Entries {
			cw.Write(e.Record())
		}
		cw.Flush()
		return cw.Error()
	case "json":
		type entry struct {
			ID        string `json:"id"`
			Status    string `json:"status"`
			InSet     bool   `json:"in_set"`
			PurgeDate string `json:"purge_date"`
			Source    string `json:"source"`
			Row       int    `json:"row"`
		}
		out := struct {
			RunID   string `json:"run_id"`
			JobDate string `json:"job_date"`
			*audit.Preflight
			Entries []entry `json:"entries"`
		}{RunID: run.RunID, JobDate: o.JobDate.String(), Preflight: res, Entries: []entry{}}
		for _, e := range res.Entries {
			out.Entries = append(out.Entries, entry{e.ID, e.Status, e.InSet, e.PurgeDate, e.Source, e.Row})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if a.quiet {
		return nil
	}
	fmt.Fprintf(w, "run %s: %d included; job: group %q, record type %s, due = purge date + %d days on or before %s\n",
		writers.ShortRunID(run.RunID), res.Included, o.JobGroup, o.JobRecordType, o.DaysAfter, o.JobDate)
	fmt.Fprintf(w, "exports: %d data rows, %d distinct IDs\n", res.ExportRows, res.ExportIDs)
	meaning := map[string]string{
		audit.OutsideSet:     "NOT in the set, and the job would purge them",
		audit.WillPurge:      "in the set; the job purges them",
		audit.NotMoved:       "in the set, not in the job's group or record type: not purged",
		audit.NoPurgeDate:    "in the set, no purge date: the job skips them",
		audit.PurgeDateLater: "in the set, purge date too late for the job date: skipped",
	}
	for _, s := range audit.PreflightStatuses {
		fmt.Fprintf(w, "%-17s %8d   %s\n", s, res.Counts[s], meaning[s])
	}
	fmt.Fprintf(w, "not in the set, in the group, not yet due: %d (a later run of the job would purge them)\n", res.InGroupNotDue)
	if res.Counts[audit.OutsideSet] > 0 {
		fmt.Fprintln(w, "outside_set IDs:")
		for _, e := range res.Entries {
			if e.Status == audit.OutsideSet {
				fmt.Fprintf(w, "  %s  (%s row %d, purge date %s)\n", e.ID, e.Source, e.Row, e.PurgeDate)
			}
		}
	}
	if report != "" {
		fmt.Fprintf(w, "report: %s (%d lines)\n", report, len(res.Entries))
	}
	return nil
}
