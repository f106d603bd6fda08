package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/audit"
)

// fixedValues completes a flag from its list of allowed values.
func fixedValues(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// registerCompletions lets `purgeset completion SHELL` complete the values of the
// flags that take one of a few words, so a tab shows them instead of file names.
func (a *app) registerCompletions(root *cobra.Command) {
	root.RegisterFlagCompletionFunc("log-format", fixedValues("console", "json"))
	enums := map[string]map[string][]string{
		"run":       {"date-order": {"mdy", "dmy"}, "set-format": {"xlsx", "txt", "both"}},
		"inspect":   {"format": {"text", "json"}},
		"diff":      {"format": {"text", "csv", "json"}},
		"preflight": {"format": {"text", "csv", "json"}},
	}
	for _, c := range root.Commands() {
		for flag, values := range enums[c.Name()] {
			if c.Flags().Lookup(flag) != nil {
				c.RegisterFlagCompletionFunc(flag, fixedValues(values...))
			}
		}
		if c.Name() == "run" {
			c.RegisterFlagCompletionFunc("group", a.completeGroups)
		}
	}
}

// completeGroups offers the user groups of the inputs already on the command line
// (most rows first, with their row counts where the shell shows descriptions): the
// exact spelling --group needs. Nothing is offered before an input is named.
func (a *app) completeGroups(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	sheet, _ := cmd.Flags().GetString("sheet")
	res, _ := audit.Inspect(cmd.Context(), args, audit.InspectOptions{Sheet: sheet})
	seen := map[string]int{}
	var order []string
	if res != nil {
		for _, in := range res.Inputs {
			for _, g := range in.Groups {
				if g.Value == "" || !strings.HasPrefix(g.Value, toComplete) {
					continue
				}
				if _, ok := seen[g.Value]; !ok {
					order = append(order, g.Value)
				}
				seen[g.Value] += g.Rows
			}
		}
	}
	out := make([]cobra.Completion, 0, len(order))
	for _, g := range order {
		out = append(out, cobra.CompletionWithDesc(g, count(seen[g], "row", "rows")))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
