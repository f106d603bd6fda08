package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/audit"
)

const verifyExamples = `  # Before uploading: are the set files still exactly what the run decided?
  purgeset verify purge-2024-07

  # In a script: stop unless the run directory is intact (exit 5 on any mismatch)
  purgeset verify --quiet purge-2024-07 || exit 1`

func (a *app) verifyCommand() *cobra.Command {
	var rerun bool
	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Re-check a run directory against its manifest: hashes, set files, decisions, counts, archive",
		Long: `verify recomputes the sha256 of every file the manifest lists, looks for purgeset
files it does not list (such as a stray set-003.xlsx), reads the set files back and
checks that together, in order, they hold exactly the included IDs of decisions.csv,
checks every decision against its reason, the counts against the manifest (per input,
in total and by reason) and archive.parquet against decisions.csv. Files that are not
purgeset's (reconcile.csv, notes) are left alone.

--rerun also proves the decisions: it reads the inputs the manifest names again (by
the paths it records, relative to the current directory, so run it where the run was
made; each must have the recorded sha256), runs again with the manifest's parameters,
clock and tool version into a private directory (0700, inside DIR, removed after) and
compares every output, manifest.json included, byte for byte. No hand edit passes it.
It takes about as long as the run did.

Exit codes: 0 verified, 2 usage error, 3 an input named in the manifest cannot be read
(--rerun), 5 a mismatch (one line per finding, naming the file).`,
		Example: verifyExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("name one run directory (the --out of a run), e.g. purgeset verify purge-2024-07")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usagef("%s is not a directory: name the --out directory of a run", dir)
			}
			var res *audit.Verification
			var err error
			if rerun {
				res, err = audit.Rerun(cmd.Context(), dir, audit.RerunOptions{Tool: toolInfo()})
			} else {
				res, err = audit.Verify(cmd.Context(), dir)
			}
			if err != nil {
				return fmt.Errorf("verify %s: %w", dir, err)
			}
			for _, m := range res.Mismatches {
				fmt.Fprintln(a.stdout, m)
			}
			if !res.OK() {
				return mismatchError{fmt.Sprintf("%s: %s: do not upload its set files; run again", dir, count(len(res.Mismatches), "mismatch", "mismatches"))}
			}
			a.log.Info().Str("dir", dir).Int("files", res.Files).Int("rows", res.Rows).Msg("verified")
			if !a.quiet {
				fmt.Fprintf(a.stdout, "verified: %s, %s\n", count(res.Files, "file", "files"), count(res.Rows, "row", "rows"))
				if res.Rerun {
					fmt.Fprintf(a.stdout, "re-run from the inputs: %s identical\n", count(res.Compared, "file", "files"))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&rerun, "rerun", false, "also read the inputs again, run again with the manifest's parameters and compare every output byte for byte")
	return cmd
}
