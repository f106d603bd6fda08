package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/writers"
)

const almaUploadExamples = `  # The reviewer signed run ID 3f2a9c41d07b…: upload exactly that run
  export ALMA_API_KEY=…   # Configuration read/write; never on the command line
  purgeset alma upload --alma-url https://api-eu.hosted.exlibrisgroup.com \
      --run-id 3f2a9c41d07b --set-name "Purge 2024-07 expired" purge-2024-07`

func (a *app) almaUploadCommand(f *almaFlags) *cobra.Command {
	var runID, name string
	cmd := &cobra.Command{
		Use:   "upload DIR --run-id HEX --set-name NAME",
		Short: "Create an itemized user set in Alma from a verified run, and read it back",
		Long: `upload verifies DIR (exit 5 on any mismatch), checks that --run-id is at least the
first 12 hex digits of the run ID (exit 2 otherwise: upload only the run that was
reviewed), tests the key and the day's call budget, creates a public itemized set of
users whose description names the run ID, adds the included IDs in order in batches
of at most 1000 (fail_on_invalid_id=true), then reads the set back and compares its
member count and member IDs with the set files (exit 5 on any difference).

On success it writes DIR/alma-upload.json (mode 0600: set ID, name, member count,
time; no IDs), which verify accepts. An error after the set was created names the
set to delete by hand: purgeset deletes nothing. Needs a Configuration read/write key.`,
		Example: almaUploadExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("name one run directory: purgeset alma upload DIR --run-id HEX --set-name NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if name == "" {
				return usagef("--set-name is required: the name staff will find the set under in Alma")
			}
			if runID == "" {
				return usagef("--run-id is required: the run ID the reviewer signed (at least its first 12 hex digits)")
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usagef("%s is not a directory: name the --out directory of a run", dir)
			}
			// Held from the checks to the record: no run --force may replace the set
			// files while they are uploaded, and no second upload may start.
			lock, err := writers.LockRunDir(dir)
			if err != nil {
				return err
			}
			defer lock.Release()
			if rec, err := alma.ReadRecord(dir); err == nil {
				return usagef("%s was uploaded already, as set %s (%q, see %s): check it with purgeset alma verify-set", dir, rec.SetID, rec.SetName, alma.RecordName)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return usagef("%v: move it away if it is not purgeset's", err)
			}
			run, err := a.verifyRun(cmd, dir)
			if err != nil {
				return err
			}
			if msg := alma.CheckRunID(runID, run.RunID); msg != "" {
				return usagef("%s", msg)
			}
			if len(run.IDs) == 0 {
				fmt.Fprintln(a.stdout, "the run includes no IDs: nothing to upload")
				return nil
			}
			c, err := a.almaClient(f)
			if err != nil {
				return err
			}
			calls := alma.UploadCalls(len(run.IDs))
			a.log.Info().Int("ids", len(run.IDs)).Int("calls", calls).Str("set_name", name).Msg("uploading")
			if !a.quiet {
				fmt.Fprintf(a.stdout, "upload %d IDs into a new set %q: %d calls at %g/s, %s\n", len(run.IDs), name, calls, f.rate, estimate(calls, f.rate))
			}
			progress, done := a.almaProgress()
			desc := fmt.Sprintf("purgeset run %s: %d users, uploaded %s", run.RunID, len(run.IDs), time.Now().UTC().Format("2006-01-02"))
			res, err := alma.Upload(cmd.Context(), c, run.IDs, name, desc, progress)
			done()
			if res != nil && res.Check != nil {
				a.printSetCheck(res.Check)
			}
			if err != nil {
				a.log.Info().Int("calls", c.Calls()).Int64("remaining", c.Remaining()).Msg("Alma calls made")
				return almaError(err)
			}
			rec := &alma.Record{RunID: run.RunID, SetID: res.SetID, SetName: res.SetName, Description: desc,
				Members: len(run.IDs), AlmaURL: redactURL(f.url), Uploaded: time.Now().UTC().Format(time.RFC3339),
				Tool: "purgeset " + toolInfo().Version, Calls: c.Calls()}
			if err := alma.WriteRecord(dir, rec); err != nil {
				return fmt.Errorf("set %s is complete and verified, but %w", res.SetID, err)
			}
			a.log.Info().Str("set_id", res.SetID).Int("members", len(run.IDs)).Int("calls", c.Calls()).Int64("remaining", c.Remaining()).Msg("uploaded and read back")
			if !a.quiet {
				fmt.Fprintf(a.stdout, "set %s %q: %d members, read back and equal to the set files\n", res.SetID, res.SetName, len(run.IDs))
				fmt.Fprintf(a.stdout, "%d calls; Alma has %s left today; record: %s\n", c.Calls(), remaining(c), alma.RecordName)
				fmt.Fprintln(a.stdout, "next: Update/Notify Users on this set, then purgeset preflight (docs/guide.md)")
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&runID, "run-id", "", "the run ID the reviewer signed: at least its first 12 hex digits (required)")
	fl.StringVar(&name, "set-name", "", "the new set's name in Alma (required; must not exist)")
	fl.SortFlags = false
	return cmd
}

const almaVerifySetExamples = `  # A set staff uploaded by hand in Alma
  purgeset alma verify-set --alma-url https://api-eu.hosted.exlibrisgroup.com --set-id 9100000000000561 purge-2024-07

  # The set alma upload made (its ID is in purge-2024-07/alma-upload.json)
  purgeset alma verify-set --alma-url https://api-eu.hosted.exlibrisgroup.com purge-2024-07`

func (a *app) almaVerifySetCommand(f *almaFlags) *cobra.Command {
	var setID string
	cmd := &cobra.Command{
		Use:   "verify-set DIR [--set-id ID]",
		Short: "Read a set back from Alma and compare it with a verified run (read-only)",
		Long: `verify-set verifies DIR, reads the set (its number_of_members and every page of its
members) and compares the members with the run's included IDs: count and IDs. The
IDs that differ are printed on stdout. Read-only: a Configuration read-only key is
enough. Without --set-id it reads the set ID from DIR/alma-upload.json.

Exit codes: 0 the set holds exactly the run's IDs, 5 it does not (or DIR does not
verify), 1 Alma failed, 2 usage error, 4 budget stop.`,
		Example: almaVerifySetExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("name one run directory: purgeset alma verify-set DIR --set-id ID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if setID == "" {
				rec, err := alma.ReadRecord(dir)
				if err != nil {
					return usagef("--set-id is required: %s has no readable %s", dir, alma.RecordName)
				}
				setID = rec.SetID
			}
			run, err := a.verifyRun(cmd, dir)
			if err != nil {
				return err
			}
			c, err := a.almaClient(f)
			if err != nil {
				return err
			}
			calls := alma.ReadBackCalls(len(run.IDs))
			if msg := c.Budget(calls); msg != "" {
				return almaStop{&alma.Stop{Reason: msg}}
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "read set %s back: about %d calls at %g/s, %s\n", setID, calls, f.rate, estimate(calls, f.rate))
			}
			progress, done := a.almaProgress()
			chk, err := alma.VerifySet(cmd.Context(), c, setID, run.IDs, progress)
			done()
			if err != nil {
				return almaError(err)
			}
			a.printSetCheck(chk)
			a.log.Info().Str("set_id", setID).Int("members_read", chk.Read).Int("findings", len(chk.Findings)).Int("calls", c.Calls()).Msg("set read back")
			if !chk.OK() {
				return mismatchError{fmt.Sprintf("set %s differs from %s (%d findings): do not run Update/Notify Users or the job on it", setID, dir, len(chk.Findings))}
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "set %s %q holds exactly the %d included IDs of run %s\n", setID, setName(chk.Set), len(run.IDs), writers.ShortRunID(run.RunID))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&setID, "set-id", "", "the Alma set ID (default: from DIR/alma-upload.json)")
	return cmd
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.Redacted()
}

func remaining(c *alma.Client) string {
	if r := c.Remaining(); r >= 0 {
		return fmt.Sprint(r)
	}
	return "an unknown number of calls"
}
