package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/pipeline/audit"
)

// almaFlags are the options every alma subcommand shares.
type almaFlags struct {
	url          string
	rate         float64
	minRemaining int64
	maxCalls     int
}

func (a *app) almaCommand() *cobra.Command {
	f := &almaFlags{}
	cmd := &cobra.Command{
		Use:   "alma",
		Short: "Optional Alma API step: upload the set, check it, check the users (off unless called)",
		Long: `The alma commands talk to the Alma REST API of one institution. The API key comes
from the environment variable ALMA_API_KEY only; --alma-url names the regional API
gateway. purgeset sends only a short list of requests (create an itemized user set,
add members, read sets, members and users): it never deletes or updates a user and
never runs a job. See docs/alma.md for the key permissions each command needs.

Exit codes: 0 done, 1 Alma or network failure, 2 usage error, 4 stopped by
--max-calls or --min-remaining, 5 the run directory does not verify or Alma disagrees
with it, 130 interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.url, "alma-url", "", "the Alma API gateway of your region, e.g. https://api-eu.hosted.exlibrisgroup.com (required)")
	pf.Float64Var(&f.rate, "rate", alma.DefaultRate, fmt.Sprintf("requests per second (at most %d, Alma's limit for the whole institution)", alma.MaxRate))
	pf.Int64Var(&f.minRemaining, "min-remaining", alma.DefaultMinRemaining, "stop when Alma's X-Exl-Api-Remaining (calls left today) falls below this")
	pf.IntVar(&f.maxCalls, "max-calls", 0, "stop after this many calls (0: no limit)")
	cmd.AddCommand(a.almaUploadCommand(f), a.almaVerifySetCommand(f), a.almaCheckUsersCommand(f))
	for _, c := range cmd.Commands() {
		c.SetFlagErrorFunc(a.flagError)
	}
	return cmd
}

// client builds the Alma client; a bad URL, rate or key is a usage error.
func (a *app) almaClient(f *almaFlags) (*alma.Client, error) {
	if f.rate <= 0 {
		return nil, usagef("--rate %g: want more than 0 and at most %d requests per second", f.rate, alma.MaxRate)
	}
	if f.url == "" {
		return nil, usagef("--alma-url is required: the Alma API gateway of your region, e.g. https://api-eu.hosted.exlibrisgroup.com")
	}
	c, err := alma.New(alma.Config{BaseURL: f.url, APIKey: os.Getenv("ALMA_API_KEY"), Rate: f.rate,
		MinRemaining: f.minRemaining, MaxCalls: f.maxCalls, Log: &a.log, UserAgent: "purgeset/" + toolInfo().Version})
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// verifyRun is the check every alma command makes first: a run directory that does
// not verify is exit 5, and nothing is sent.
func (a *app) verifyRun(cmd *cobra.Command, dir string) (*alma.Run, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, usagef("%s is not a directory: name the --out directory of a run", dir)
	}
	res, err := audit.Verify(cmd.Context(), dir)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", dir, err)
	}
	if !res.OK() {
		for _, m := range res.Mismatches {
			fmt.Fprintln(a.stdout, m)
		}
		return nil, mismatchError{fmt.Sprintf("%s does not verify (%s): stopped before anything else was done; run purgeset again into a new directory", dir, count(len(res.Mismatches), "mismatch", "mismatches"))}
	}
	run, err := alma.LoadRun(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return run, nil
}

// almaProgress draws a bar on a terminal, like the run's reading progress.
func (a *app) almaProgress() (alma.Progress, func()) {
	if !a.terminal() || a.quiet || a.logFormat != "console" {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	var what string
	return func(w string, done, total int) {
			if bar == nil || w != what {
				if bar != nil {
					bar.Finish()
				}
				what = w
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription(w),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}, func() {
			if bar != nil {
				bar.Finish()
			}
		}
}

// almaError turns the alma package's findings into exit codes: a disagreement is 5,
// a budget stop 4 (a safety stop, like --max-included).
func almaError(err error) error {
	var mm *alma.Mismatch
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mm):
		return mismatchError{err.Error()}
	case alma.IsStop(err):
		return almaStop{err}
	}
	return err
}

// almaStop is a clean stop under --min-remaining or --max-calls (exit 4).
type almaStop struct{ err error }

func (e almaStop) Error() string { return e.err.Error() }
func (e almaStop) Unwrap() error { return e.err }

// estimate says how long n calls take at the rate.
func estimate(n int, rate float64) string {
	d := time.Duration(float64(n) / rate * float64(time.Second)).Round(time.Second)
	if d < time.Second {
		return "under a second"
	}
	return "about " + d.String()
}

func (a *app) printIDs(label string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "%s (%d):\n", label, len(ids))
	for _, id := range ids {
		fmt.Fprintf(a.stdout, "  %s\n", id)
	}
}

func (a *app) printSetCheck(chk *alma.SetCheck) {
	for _, f := range chk.Findings {
		fmt.Fprintln(a.stdout, "mismatch: "+f)
	}
	a.printIDs("IDs of the run not in the set", chk.Missing)
	a.printIDs("members of the set not in the run", chk.Extra)
}

func setName(s *alma.Set) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(s.Name)
}
