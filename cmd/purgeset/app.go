package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/readers"
)

// app carries what every command shares: the output streams and the logger.
type app struct {
	stdout, stderr io.Writer
	log            zerolog.Logger
	logFormat      string
	quiet, verbose bool
	cpuProfile     string
	stopProfile    func()
	start          time.Time
}

func newApp(stdout, stderr io.Writer) *app {
	a := &app{stdout: stdout, stderr: stderr, logFormat: "console", start: time.Now()}
	a.setupLog()
	return a
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "purgeset",
		Short: "Build Alma itemized user sets for purging, with a manifest for every row",
		Long: `purgeset turns Alma Analytics user exports (CSV, tab-delimited text, UTF-16, XLSX)
into the itemized-set files that the Purge User Records workflow uploads, plus a
manifest, a decision for every input row, a review page and an archive.

Step by step, from the Analytics export to the reconcile after the Alma job:
docs/guide.md (in the source tree and in every release archive).

Exit codes: 0 done, 1 runtime failure, 2 usage error, 3 input rejected,
4 safety stop, 5 verify/reconcile/preflight/alma mismatch, 130 interrupted.`,
		Example: `  # See what an export holds: columns, user groups and record types with their
  # row counts, date forms and ID shapes; writes nothing
  purgeset inspect users.csv

  # The purge: expired graduates and alumni before 1 July 2024, fines protected
  purgeset run --cutoff 2024-07-01 --group "Graduates 2021" --group Alumni \
    --protect fines.csv --out purge-2024-07 users.csv`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.setupLog(); err != nil {
				return err
			}
			stop, err := startProfile(a.cpuProfile)
			a.stopProfile = stop
			return err
		},
		PersistentPostRun: func(*cobra.Command, []string) { a.stopProfile() },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.logFormat, "log-format", "console", "log format on stderr: console or json")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "log errors only, no progress, no summary")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log debug messages too (the only level that may show IDs)")
	pf.StringVar(&a.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	pf.MarkHidden("cpuprofile")
	root.SetFlagErrorFunc(a.flagError)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(a.runCommand(), a.versionCommand(), a.inspectCommand(), a.verifyCommand(), a.diffCommand(), a.reconcileCommand(), a.preflightCommand(), a.almaCommand())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(a.flagError)
	}
	a.registerCompletions(root)
	root.SuggestionsMinimumDistance = 2
	// cobra's own help and completion commands print help and exit 0 for a topic or
	// shell they do not know; a typo in a batch script should fail (exit 2).
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			target, _, err := root.Find(args)
			if err != nil || (len(args) > 0 && target == root) {
				return usagef("no help topic %q; see purgeset --help for the commands", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag() // as `CMD --help` shows it
			return target.Help()
		},
	})
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.NoArgs // an unknown shell is an unknown command (exit 2)
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
	return root
}

// presetLog applies --log-format, --quiet and --verbose from the raw arguments before
// cobra parses anything: errors cobra finds first (an unknown command, a missing
// argument) must still be logged the way a batch job asked for.
func (a *app) presetLog(args []string) {
	for i, arg := range args {
		switch {
		case arg == "--":
			return
		case arg == "--log-format" && i+1 < len(args):
			a.logFormat = args[i+1]
		case strings.HasPrefix(arg, "--log-format="):
			a.logFormat = strings.TrimPrefix(arg, "--log-format=")
		case arg == "--quiet" || arg == "-q":
			a.quiet = true
		case arg == "--verbose" || arg == "-v":
			a.verbose = true
		}
	}
	if a.setupLog() != nil {
		a.logFormat, a.quiet, a.verbose = "console", false, false
		a.setupLog()
	}
}

func (a *app) setupLog() error {
	level := zerolog.InfoLevel
	switch {
	case a.quiet && a.verbose:
		return usagef("--quiet and --verbose exclude each other")
	case a.quiet:
		level = zerolog.ErrorLevel
	case a.verbose:
		level = zerolog.DebugLevel
	}
	switch a.logFormat {
	case "json":
		a.log = zerolog.New(a.stderr).Level(level).With().Timestamp().Logger()
	case "console":
		w := zerolog.ConsoleWriter{Out: a.stderr, NoColor: !a.terminal(), TimeFormat: "15:04:05"}
		a.log = zerolog.New(w).Level(level).With().Timestamp().Logger()
	default:
		a.log = zerolog.New(a.stderr).With().Timestamp().Logger()
		return usagef("--log-format %q: want console or json", a.logFormat)
	}
	return nil
}

// terminal reports whether stderr is a terminal: only then may messages quote values
// that could be IDs or names (SPEC §6), and only then is there a progress bar.
func (a *app) terminal() bool {
	f, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// logError reports the final error in the log format, so a scheduler can parse it.
func (a *app) logError(err error) {
	msg := err.Error()
	var pe *readers.ParseError
	if errors.As(err, &pe) && a.terminal() {
		msg = strings.Replace(msg, pe.Error(), pe.Verbose(), 1)
	}
	var apiErr *alma.APIError
	if errors.As(err, &apiErr) && a.terminal() {
		msg = strings.Replace(msg, apiErr.Error(), apiErr.Verbose(), 1) // Alma's own message may quote an ID
	}
	ev := a.withDuration(a.log.Error().Int("exit_code", exitCode(err)))
	if errors.As(err, &pe) {
		ev = ev.Str("file", pe.File)
		if pe.Row > 0 {
			ev = ev.Int("row", pe.Row)
		}
	}
	var safety *pipeline.SafetyError
	if errors.As(err, &safety) {
		ev = ev.Int("included", safety.Included).Int("data_rows", safety.DataRows).Str("limit_flag", safety.Flag).Str("limit", safety.Limit)
	}
	ev.Msg(msg)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := toolInfo()
			commit := t.Commit
			if commit == "" {
				commit = "unknown"
			}
			fmt.Fprintf(a.stdout, "purgeset %s (commit %s, %s)\n", t.Version, commit, t.Go)
			return nil
		},
	}
}
