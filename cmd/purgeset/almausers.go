package main

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/purgeset/purgeset/pipeline/alma"
)

const almaCheckUsersExamples = `  # Every included user (one call each): exists, same primary ID, same group and dates
  purgeset alma check-users --alma-url https://api-eu.hosted.exlibrisgroup.com purge-2024-07

  # After Update/Notify Users moved them to the purge group, a sample of 200
  purgeset alma check-users --alma-url https://api-eu.hosted.exlibrisgroup.com \
      --sample 200 --job-group "Purge 2024" --waive-threshold 1 purge-2024-07`

func (a *app) almaCheckUsersCommand(f *almaFlags) *cobra.Command {
	var sample int
	var seed uint64
	var waive float64
	var jobGroup string
	cmd := &cobra.Command{
		Use:   "check-users DIR [--sample N] [--waive-threshold X]",
		Short: "Read the included users from Alma and compare them with the run (read-only)",
		Long: `check-users verifies DIR, prints how many calls it will make, then reads every included
user (or a seeded random sample of --sample N; the seed is taken from the run ID
unless --seed is given) with expand=loans,requests,fees, one call each, and checks:

  missing         Alma knows no user with this ID                        (exit 5)
  other_primary   the ID matched another identifier (a barcode…):
                  Alma's primary_id is not the ID                        (exit 5)
  disagrees       user group, record type, expiry or purge date differ
                  from the run                                           (exit 5)
  job_will_skip   loans, fees above --waive-threshold, or no purge date
  open_requests   requests: the job drops them silently (or skips the user
                  for a Resource Sharing request on the hold shelf)

Every user that is not ok is printed on stdout as CSV (id,status,detail). After
Update/Notify Users, give --job-group: users in it agree on group, and their purge
date is not compared with the run's. Read-only: a Users read-only key is enough.`,
		Example: almaCheckUsersExamples,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("name one run directory: purgeset alma check-users DIR")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if sample < 0 || waive < 0 {
				return usagef("--sample and --waive-threshold cannot be negative")
			}
			run, err := a.verifyRun(cmd, dir)
			if err != nil {
				return err
			}
			users, _, err := alma.LoadRunUsers(dir)
			if err != nil {
				return fmt.Errorf("%s: %w", dir, err)
			}
			if !cmd.Flags().Changed("seed") {
				b, _ := hex.DecodeString(run.RunID[:16])
				seed = binary.BigEndian.Uint64(b)
			}
			picked := alma.Sample(users, sample, seed)
			c, err := a.almaClient(f)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "check-users will make %d calls (one per user, %d of %d included) at %g/s, %s\n",
				len(picked), len(picked), len(users), f.rate, estimate(len(picked), f.rate))
			if msg := c.Budget(len(picked)); msg != "" {
				return almaStop{&alma.Stop{Reason: msg}}
			}
			progress, done := a.almaProgress()
			res, err := alma.CheckUsers(cmd.Context(), c, picked, alma.CheckOptions{JobGroup: jobGroup, WaiveThreshold: waive}, progress)
			done()
			if len(res.Users) > 0 {
				w := csv.NewWriter(a.stdout)
				w.Write([]string{"id", "status", "detail"})
				for _, u := range res.Users {
					w.Write([]string{u.ID, u.Status, strings.Join(u.Details, "; ")})
				}
				w.Flush()
			}
			for _, s := range []string{alma.UserOK, alma.UserMissing, alma.UserOtherID, alma.UserDisagrees, alma.UserWillSkip, alma.UserRequests} {
				fmt.Fprintf(a.stdout, "%-14s %8d\n", s, res.Counts[s])
			}
			a.log.Info().Int("checked", res.Checked).Int("mismatches", res.Mismatches()).Int("job_will_skip", res.Counts[alma.UserWillSkip]).
				Int("calls", c.Calls()).Msg("users checked")
			if err != nil {
				return almaError(fmt.Errorf("stopped after %d of %d users: %w", res.Checked, len(picked), err))
			}
			if n := res.Mismatches(); n > 0 {
				return mismatchError{fmt.Sprintf("%d of %d users are missing from Alma or disagree with the run: do not purge before you know why", n, res.Checked)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&sample, "sample", 0, "check a random sample of N users (0: all)")
	fl.Uint64Var(&seed, "seed", 0, "seed of the sample (default: from the run ID, so the same run checks the same users)")
	fl.Float64Var(&waive, "waive-threshold", 0, "the job's Waive Threshold: fees above it make the job skip a user")
	fl.StringVar(&jobGroup, "job-group", "", "the purge group Update/Notify Users moved the users to, once it has")
	fl.SortFlags = false
	return cmd
}
