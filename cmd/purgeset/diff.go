package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/audit"
)

const diffExamples = `  # What changed since the dry run reviewed last week?
  purgeset diff purge-2024-07-draft purge-2024-07

  # The changes as a table for the reviewer's spreadsheet
  purgeset diff --format csv purge-2024-07-draft purge-2024-07 > changes.csv

  # Only the counts, from JSON
  purgeset diff --format json old new | jq .counts`

func (a *app) diffCommand() *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "diff OLD_DIR NEW_DIR",
		Short: "Show IDs newly included, no longer included, or excluded for another reason between two runs",
		Long: `diff compares the decisions.csv of two runs, ID by ID (exact match). An ID on several
rows counts with its first row's decision and reason. Changes:

  newly_included       excluded or absent in OLD, included in NEW
  no_longer_included   included in OLD, excluded or absent in NEW
  reason_changed       excluded in both, for different reasons

The report prints IDs on stdout, since they are what you asked for; logs never do.

Exit codes: 0 done, 2 usage error, 3 a directory without a readable decisions.csv.`,
		Example: diffExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("name two run directories: purgeset diff OLD_DIR NEW_DIR")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "csv" && format != "json" {
				return usagef("--format %q: want text, csv or json", format)
			}
			d, err := audit.Diff(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			c := d.Counts
			a.log.Info().Int("newly_included", c.NewlyIncluded).Int("no_longer_included", c.NoLongerIncluded).
				Int("reason_changed", c.ReasonChanged).Msg("compared")
			return printDiff(a.stdout, format, args[0], args[1], d)
		},
	}
	cmd.Flags().StringVar(&format, "format", format, "output format: text, csv or json")
	return cmd
}

func printDiff(w io.Writer, format, oldDir, newDir string, d *audit.RunDiff) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"change", "id", "old_decision", "old_reason", "new_decision", "new_reason"})
		for _, c := range d.Changes {
			cw.Write([]string{c.Change, c.ID, c.OldDecision, c.OldReason, c.NewDecision, c.NewReason})
		}
		cw.Flush()
		return cw.Error()
	}
	c := d.Counts
	fmt.Fprintf(w, "old: %s (%s)\nnew: %s (%s)\n\n", oldDir, count(c.OldIDs, "ID", "IDs"), newDir, count(c.NewIDs, "ID", "IDs"))
	sections := []struct {
		code, title string
		n           int
	}{
		{audit.NewlyIncluded, "newly included", c.NewlyIncluded},
		{audit.NoLongerIncluded, "no longer included", c.NoLongerIncluded},
		{audit.ReasonChanged, "reason changed", c.ReasonChanged},
	}
	for _, s := range sections {
		fmt.Fprintf(w, "%-20s %8d\n", s.title, s.n)
	}
	if c.BlankIDRows > 0 {
		fmt.Fprintf(w, "(%s without an ID not compared)\n", count(c.BlankIDRows, "row", "rows"))
	}
	for _, s := range sections {
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", s.title, s.n)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, ch := range d.Changes {
			if ch.Change == s.code {
				fmt.Fprintf(tw, "  %s\t%s\t-> %s\n", ch.ID, fate(ch.OldDecision, ch.OldReason), fate(ch.NewDecision, ch.NewReason))
			}
		}
		tw.Flush()
	}
	return nil
}

// fate is "included", "excluded (reason)" or "absent".
func fate(decision, reason string) string {
	if decision == "excluded" {
		return fmt.Sprintf("excluded (%s)", strings.TrimSpace(reason))
	}
	return decision
}
