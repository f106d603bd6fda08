package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

const runExamples = `  # The semester purge: graduates whose expiry is before 1 July 2024
  purgeset run --cutoff 2024-07-01 --group "Graduates 2021" --group Alumni \
    --protect fines.csv --max-included-percent 40 --out purge-2024-07 users.xlsx

  # Everything from a reviewed config file, with JSON logs for a batch job
  purgeset run --config purge-2024-summer.toml --log-format json 2> log.jsonl

  # What would happen, without writing anything
  purgeset run --cutoff 2024-07-01 --all-groups --dry-run users.csv`

const runLong = `Decide every row of the exports and write set files, decisions, manifest, review page and archive.

Guards against slips (a purge cannot be undone; nothing is written when one stops):
  - a --group, or a --record-type you name, that matches no data row stops after
    reading (exit 2), listing the values found and a "did you mean";
    --allow-unmatched lets it through (warning unmatched_group / unmatched_record_type)
  - a --cutoff after today (UTC; SOURCE_DATE_EPOCH fixes today) stops (exit 2);
    --allow-future-cutoff lets it through (warning future_cutoff)
  - a single-valued option given twice, an invalid --id-pattern, an --archive-column
    no input has: exit 2
  - a --date-order the dates contradict, text re-saved with the wrong character set,
    text that is not UTF-8, a PDF, web page or other non-export: exit 3
  - --id-pattern states the ID format: other IDs are malformed_id; without it, the
    warning short_numeric_id flags all-digit IDs shorter than the longest
  - with --config, flags replace single values, --group and --record-type; --protect,
    --column and --archive-column add to the file's; a replaced value is logged and
    recorded (warning config_overridden)`

func (a *app) runCommand() *cobra.Command {
	flags := defaultRunOptions()
	cmd := &cobra.Command{
		Use:     "run INPUT...",
		Short:   "Decide every row of the exports and write set files, decisions, manifest, review page and archive",
		Long:    runLong,
		Example: runExamples,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := mergeOptions(cmd, &flags, args)
			if err != nil {
				return err
			}
			return a.runJob(cmd, opts)
		},
	}
	bindRunFlags(cmd.Flags(), &flags)
	cmd.Flags().SortFlags = false
	return cmd
}

// mergeOptions applies the config file, then the flags given (mergeFlags), then the
// arguments, which replace the file's inputs.
func mergeOptions(cmd *cobra.Command, flags *runOptions, args []string) (*runOptions, error) {
	opts := defaultRunOptions()
	inFile := map[string]bool{}
	if flags.Config != "" {
		var err error
		if inFile, err = loadConfig(flags.Config, &opts); err != nil {
			return nil, err
		}
	}
	opts.Overridden = mergeFlags(&opts, flags, cmd.Flags().Changed, inFile)
	if len(args) > 0 {
		if inFile["inputs"] && !slices.Equal(opts.Inputs, args) {
			opts.Overridden = append(opts.Overridden, "inputs (the files named on the command line)")
		}
		opts.Inputs = args
	}
	return &opts, nil
}

func (a *app) runJob(cmd *cobra.Command, opts *runOptions) error {
	created, err := createdTime()
	if err != nil {
		return err
	}
	if opts.Operator, err = operatorName(opts.Operator); err != nil {
		return err
	}
	cfg, err := opts.pipelineConfig(created)
	if err != nil {
		return err
	}
	if !opts.DryRun {
		lock, err := a.lockOut(opts)
		if err != nil {
			return err
		}
		defer lock.Release() // held until the commit is done or undone
	}
	cfg.Parameters = opts.parameters()
	cfg.Output = pipeline.Output{
		Dir:       opts.Out,
		Set:       writers.SetOptions{Format: opts.SetFormat, Header: opts.SetHeader, Split: opts.Split},
		NoReview:  opts.NoReview,
		NoArchive: opts.NoArchive,
		Created:   created,
		Tool:      toolInfo(),
	}
	if len(opts.Overridden) > 0 {
		w := pipeline.ConfigOverriddenWarning(opts.Config, opts.Overridden)
		a.log.Warn().Str("code", w.Code).Strs("options", opts.Overridden).Msg(w.Message)
		cfg.Output.Warnings = append(cfg.Output.Warnings, w)
	}
	if !opts.DryRun {
		if repo := gitWorkTree(opts.Out); repo != "" && !gitIgnored(repo, opts.Out) {
			w := pipeline.OutInGitWarning()
			a.log.Warn().Msg(w.Message)
			cfg.Output.Warnings = append(cfg.Output.Warnings, w)
		}
	}
	a.log.Info().Int("inputs", len(cfg.Inputs)).Bool("dry_run", opts.DryRun).Msg("reading inputs")
	var finish func()
	cfg.Progress, finish = a.newProgress()
	sum, err := pipeline.Run(cmd.Context(), cfg)
	finish()
	if err != nil {
		if sum != nil {
			a.printSummary(sum, opts, true)
		}
		return err
	}
	a.logSummary(sum, opts)
	a.printSummary(sum, opts, false)
	return nil
}

// lockOut makes --out the run's alone (exit 2 while another purgeset writes there),
// clears what killed runs left in it, then checks that it may be written.
func (a *app) lockOut(opts *runOptions) (*writers.DirLock, error) {
	reads := append(append(append([]string{}, opts.Inputs...), opts.Protect...), opts.Config)
	// A file named as --out is refused first, with the reason (one of the inputs?).
	if err := writers.CheckOutDir(opts.Out, true, reads); err != nil {
		return nil, err
	}
	lock, err := writers.LockOutDir(opts.Out)
	if err != nil {
		return nil, err
	}
	for _, s := range lock.Stale {
		a.log.Warn().Str("dir", opts.Out).Str("stage", s).Msg("removed the staging directory an interrupted run left behind")
	}
	for _, s := range lock.Kept {
		a.log.Warn().Str("dir", opts.Out).Str("stage", s).
			Msg("kept the staging directory of an interrupted --force run: it holds that run's replaced files in .replaced; move them back or delete it, and purgeset verify will pass again")
	}
	if err := writers.CheckOutDir(opts.Out, opts.Force, reads); err != nil {
		lock.Release()
		return nil, err
	}
	return lock, nil
}

// createdTime is now, or SOURCE_DATE_EPOCH when set, so that reproducible runs can fix
// the manifest's one varying field.
func createdTime() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now().UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, usagef("SOURCE_DATE_EPOCH=%q: want seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// gitWorkTree is the nearest directory at or above dir that holds .git, or "".
func gitWorkTree(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// gitIgnored asks git whether path is ignored in repo; without git, it is not.
func gitIgnored(repo, path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	// The trailing slash lets a pattern such as "out/" match a directory that does
	// not exist yet.
	return exec.Command("git", "-C", repo, "check-ignore", "-q", abs+string(filepath.Separator)).Run() == nil
}

func (a *app) logSummary(sum *pipeline.Summary, opts *runOptions) {
	// Each warning is shown once: on the console in the summary on stdout, in JSON as a
	// log line of its own, before "done", which a scheduler may read as the last line.
	if a.logFormat == "json" {
		for _, w := range sum.Warnings {
			a.log.Warn().Str("code", w.Code).Int("count", w.Count).Msg(w.Message)
		}
	}
	ev := a.log.Info().Int("data_rows", sum.Counts.DataRows).Int("blank_rows", sum.Counts.BlankRows).
		Int("included", sum.Counts.Included).Int("excluded", sum.Counts.Excluded).Int("warnings", len(sum.Warnings))
	ev = a.withDuration(a.withReasons(ev, sum.Counts.ExcludedByReason))
	if !opts.DryRun {
		ev = ev.Str("out", opts.Out).Int("files", len(sum.Outputs)).Str("run_id", sum.RunID)
	}
	ev.Msg("done")
}

// printSummary is the one-screen summary on stdout.
func (a *app) printSummary(sum *pipeline.Summary, opts *runOptions, failed bool) {
	if a.quiet {
		return
	}
	w := a.stdout
	c := sum.Counts
	pct := func(n int) string {
		if c.DataRows == 0 {
			return ""
		}
		return fmt.Sprintf("%6.2f %%", 100*float64(n)/float64(c.DataRows))
	}
	fmt.Fprintf(w, "data rows  %9d   (blank rows skipped: %d)\n", c.DataRows, c.BlankRows)
	fmt.Fprintf(w, "included   %9d   %s\n", c.Included, pct(c.Included))
	fmt.Fprintf(w, "excluded   %9d   %s\n", c.Excluded, pct(c.Excluded))
	for _, r := range pipeline.AllReasons() {
		if n := sum.ByReason[r]; n > 0 && !r.Included() {
			fmt.Fprintf(w, "  %-22s %9d   %s\n", r, n, pct(n))
		}
	}
	for _, wn := range sum.Warnings {
		fmt.Fprintf(w, "warning: %s (%d): %s\n", wn.Code, wn.Count, wn.Message)
	}
	switch {
	case failed:
		fmt.Fprintln(w, "nothing was written")
	case opts.DryRun:
		fmt.Fprintln(w, "dry run: nothing was written")
	case c.Included == 0:
		fmt.Fprintf(w, "nothing to purge: no set file written; decisions and manifest are in %s\n", opts.Out)
	default:
		fmt.Fprintf(w, "wrote %s to %s:\n", count(len(sum.Outputs), "file", "files"), opts.Out)
		for _, o := range sum.Outputs {
			extra := ""
			if o.IDs != nil {
				extra = " (" + count(*o.IDs, "ID", "IDs") + ")"
			}
			fmt.Fprintf(w, "  %s%s\n", o.Name, extra)
		}
	}
	if !failed && !opts.DryRun && sum.RunID != "" {
		fmt.Fprintf(w, "run ID %s (sign the review page for this run; the full ID is in manifest.json)\n", writers.ShortRunID(sum.RunID))
	}
}
