package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/audit"
	"github.com/purgeset/purgeset/readers"
)

const inspectExamples = `  # What purgeset sees in a new export, before the first run
  purgeset inspect users.xlsx

  # Two exports read as one stream (duplicates across them are counted too), with the
  # sheet and the expiry column named as run would name them
  purgeset inspect --sheet Users --column expiry="Expiry Date (local)" alumni.xlsx grads.xlsx

  # The same as JSON, e.g. to keep with the purge's papers
  purgeset inspect --format json users.csv > users-inspect.json`

// inspectOptions are inspect's flags: the reader options of run, and the format.
type inspectOptions struct {
	format           string
	sheet            string
	columns          map[string]string
	dateOrder        string
	acceptNumericIDs bool
}

func (a *app) inspectCommand() *cobra.Command {
	o := inspectOptions{format: "text", columns: map[string]string{}}
	cmd := &cobra.Command{
		Use:   "inspect [options] INPUT...",
		Short: "Show what the readers see in each input (format, header, columns, dates, ID problems); writes nothing",
		Long: `inspect reads each input as run does and shows, per input: the detected format,
encoding, delimiter or sheet, the header row and the rows above it, every column and
the role it got, data and blank rows, the forms of the dates in the expiry and purge
date columns, and how many rows run would exclude for an ID problem. It prints no ID.

Exit codes: 0 done, 2 usage error, 3 an input run would refuse (the same message).`,
		Example: inspectExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("name at least one input file (an Analytics export)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := o.pipelineOptions()
			if err != nil {
				return err
			}
			res, err := audit.Inspect(cmd.Context(), args, opts)
			if res != nil {
				for _, in := range res.Inputs {
					a.log.Info().Str("file", in.Path).Int("data_rows", in.DataRows).Int("blank_rows", in.BlankRows).
						Int("stops", len(in.Stops)).Msg("inspected")
				}
				if perr := o.print(a.stdout, res); perr != nil {
					return perr
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", o.format, "output format: text or json")
	f.StringVar(&o.sheet, "sheet", "", "XLSX sheet to read (default: the first sheet)")
	f.Var(columnFlag{&o.columns}, "column", "use column HEADER for ROLE (id, expiry, group, record_type, purge_date) (repeatable)")
	f.StringVar(&o.dateOrder, "date-order", "", "how run will read slash dates: mdy or dmy (default: slash dates stop the run, and inspect says so)")
	f.BoolVar(&o.acceptNumericIDs, "accept-numeric-ids", false, "count XLSX IDs stored as whole numbers as run --accept-numeric-ids would")
	f.SortFlags = false
	return cmd
}

func (o *inspectOptions) pipelineOptions() (audit.InspectOptions, error) {
	var p audit.InspectOptions
	if o.format != "text" && o.format != "json" {
		return p, usagef("--format %q: want text or json", o.format)
	}
	order := pipeline.DateOrder(o.dateOrder)
	if order != pipeline.OrderNone && order != pipeline.OrderMDY && order != pipeline.OrderDMY {
		return p, usagef("--date-order %q: want mdy or dmy", o.dateOrder)
	}
	cols := map[readers.Role]string{}
	for role, h := range o.columns {
		if !validRole(role) {
			return p, usagef("--column %s=%s: unknown role %q; want one of id, expiry, group, record_type, purge_date", role, h, role)
		}
		cols[readers.Role(role)] = h
	}
	return audit.InspectOptions{Sheet: o.sheet, Columns: cols, DateOrder: order, AcceptNumericIDs: o.acceptNumericIDs}, nil
}

func (o *inspectOptions) print(w io.Writer, res *audit.Inspection) error {
	if o.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	for i, in := range res.Inputs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printInspection(w, &in)
	}
	if p := res.AllInputs; p != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "all inputs as one stream (as run decides; duplicates across files count)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		printIDProblems(tw, p)
		tw.Flush()
	}
	return nil
}

func printInspection(w io.Writer, in *audit.InputInspection) {
	fmt.Fprintln(w, in.Path)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if in.Format == "xlsx" {
		fmt.Fprintf(tw, "  format\txlsx, sheet %q, %s date system\n", in.Sheet, in.DateSystem)
	} else {
		fmt.Fprintf(tw, "  format\ttext, %s, delimiter %s\n", in.Encoding, delimiterName(in.Delimiter))
	}
	fmt.Fprintf(tw, "  header\trow %d (rows above it, skipped: %d)\n", in.HeaderRow, in.PreambleRows)
	fmt.Fprintf(tw, "  rows\t%d data, %d blank\n", in.DataRows, in.BlankRows)
	if in.RaggedRows > 0 {
		fmt.Fprintf(tw, "  \trows with more fields than the header: %d\n", in.RaggedRows)
	}
	tw.Flush()

	fmt.Fprintln(w, "  columns")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range in.Columns {
		role := c.Role
		if role == "" {
			role = "(no role)"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\n", c.Column, c.Header, role)
	}
	tw.Flush()
	if len(in.MissingRoles) > 0 {
		fmt.Fprintf(w, "    no column for: %s\n", strings.Join(in.MissingRoles, ", "))
	}

	if len(in.Dates) > 0 {
		roles := []string{}
		for _, r := range []readers.Role{readers.RoleExpiry, readers.RolePurgeDate} {
			if _, ok := in.Dates[string(r)]; ok {
				roles = append(roles, string(r))
			}
		}
		fmt.Fprintf(w, "  date forms %-21s", "")
		for _, r := range roles {
			fmt.Fprintf(w, "%12s", r)
		}
		fmt.Fprintln(w)
		for _, f := range []struct {
			label string
			get   func(audit.DateForms) int
		}{
			{"YYYY-MM-DD", func(d audit.DateForms) int { return d.ISO }},
			{"YYYY/MM/DD", func(d audit.DateForms) int { return d.YearFirstSlash }},
			{"DD.MM.YYYY (day first)", func(d audit.DateForms) int { return d.DayFirstDot }},
			{"N/N/N (day or month first)", func(d audit.DateForms) int { return d.DayMonthSlash }},
			{"XLSX date cells", func(d audit.DateForms) int { return d.DateCells }},
			{"numbers, no date style", func(d audit.DateForms) int { return d.Numbers }},
			{"blank", func(d audit.DateForms) int { return d.Blank }},
			{"unreadable", func(d audit.DateForms) int { return d.Unreadable }},
		} {
			fmt.Fprintf(w, "    %-29s", f.label)
			for _, r := range roles {
				fmt.Fprintf(w, "%12d", f.get(in.Dates[r]))
			}
			fmt.Fprintln(w)
		}
	}

	printValues(w, in)
	fmt.Fprintln(w, "  ID problems (rows run excludes for them)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	printIDProblems(tw, &in.IDs)
	tw.Flush()
	for _, n := range in.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, s := range in.Stops {
		fmt.Fprintf(w, "  run would stop: %s\n", s)
	}
}

func printIDProblems(tw io.Writer, p *audit.IDProblems) {
	for _, c := range []struct {
		code string
		n    int
	}{
		{"blank_id", p.Blank}, {"malformed_id", p.Malformed}, {"numeric_id", p.Numeric},
		{"conflicting_duplicate", p.ConflictingDuplicate}, {"duplicate", p.Duplicate}, {"case_collision", p.CaseCollision},
	} {
		fmt.Fprintf(tw, "    %s\t%d\n", c.code, c.n)
	}
}

func delimiterName(d string) string {
	switch d {
	case "\t":
		return "tab"
	case "":
		return "none"
	}
	return fmt.Sprintf("%q", d)
}

// printValues lists user groups, record types and ID shapes, most rows first, so that
// --group and --id-pattern can be written from what the export holds.
func printValues(w io.Writer, in *audit.InputInspection) {
	list := func(title string, values []audit.ValueCount) {
		if len(values) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s, most rows first\n", title)
		width := len(fmt.Sprint(values[0].Rows))
		for _, v := range values {
			fmt.Fprintf(w, "    %*d  %s\n", width, v.Rows, strconvQuote(v.Value))
		}
	}
	list("user groups", in.Groups)
	list("record types", in.RecordTypes)
	if len(in.IDShapes) > 0 {
		fmt.Fprintln(w, "  ID shapes, most rows first (pattern for --id-pattern)")
		width := len(fmt.Sprint(in.IDShapes[0].Rows))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range in.IDShapes {
			fmt.Fprintf(tw, "    %*d  %s\t%s\n", width, s.Rows, s.Shape, s.Pattern)
		}
		tw.Flush()
		if p := audit.SuggestedPattern(in.IDShapes); p != "" {
			fmt.Fprintf(w, "    a starting point for --id-pattern: '%s'\n", p)
		}
	}
}

// strconvQuote shows a value in double quotes, as it is typed after --group; a blank
// cell as (blank).
func strconvQuote(v string) string {
	if v == "" {
		return "(blank)"
	}
	return `"` + v + `"`
}
