package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/purgeset/purgeset/pipeline"
)

// maxFlagDistance is how far a mistyped flag may be from a real one to be suggested:
// --cutof and --gruop are one and two edits away; anything further is a guess.
const maxFlagDistance = 2

// flagError turns a flag parsing error into a usage error (exit 2). For an unknown
// long flag it names the nearest real flag, as cobra does for subcommands and pflag
// does not: "unknown flag: --cutof; did you mean --cutoff?".
//
// cobra calls this before PersistentPreRunE, so the logger still has its defaults;
// setting it up again here lets --log-format, --quiet and --verbose, when they stand
// before the bad flag, shape the error line too (a batch job asking for JSON gets
// JSON). A problem with those flags themselves is left for the flag error to report.
func (a *app) flagError(cmd *cobra.Command, err error) error {
	_ = a.setupLog()
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) && errors.Is(err, errRepeated) {
		name := invalid.GetFlag().Name
		return usagef("--%s is given twice on the command line (first %q, then %q): it takes one value, and the last one silently winning could decide the purge; remove one of them",
			name, invalid.GetFlag().Value.(*onceValue).first, invalid.GetValue())
	}
	var unknown *pflag.NotExistError
	if errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "" {
		if name := nearestFlag(cmd.Flags(), unknown.GetSpecifiedName()); name != "" {
			err = fmt.Errorf("%w; did you mean --%s?", err, name)
		}
	}
	return usageError{err}
}

// nearestFlag is the visible flag of fs closest to typed (by Levenshtein distance, at
// most maxFlagDistance), or "" when none is that close. Ties go to the flag listed
// first, so the suggestion is the same on every run.
func nearestFlag(fs *pflag.FlagSet, typed string) string {
	best, bestDist := "", maxFlagDistance+1
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if d := pipeline.EditDistance(typed, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}
