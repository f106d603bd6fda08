package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/pipeline/alma/almafake"
)

// A whole semester as docs/guide.md walks it, with the fake Alma standing in for the
// real one: run -> verify -> alma upload -> (Update/Notify Users) -> preflight, which
// finds a leftover -> preflight again after it was moved out -> (the job) -> reconcile.
func TestSemesterWalk(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	if code, _, errs := cli(t, "run", "--config", "../../fixtures/purgeset.toml", "--out", dir, "--quiet"); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	if code, _, _ := cli(t, "verify", dir); code != 0 {
		t.Fatal("verify")
	}
	run, err := alma.LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("ALMA_API_KEY", almaTestKey)
	f := almafake.New(almaTestKey)
	defer f.Close()
	f.AddUsers(run.IDs...)
	f.Update(func(k *almafake.Knobs) { k.Remaining, k.PerSecond = 50000, 25 })
	flags := []string{"--alma-url", f.URL, "--rate", "25"}
	code, out, errs := cli(t, append([]string{"alma", "upload", dir, "--run-id", run.RunID[:16], "--set-name", "Purge 2024-07"}, flags...)...)
	if code != 0 || !strings.Contains(out, "read back and equal to the set files") {
		t.Fatalf("upload: exit %d\n%s\n%s", code, out, errs)
	}
	rec, err := alma.ReadRecord(dir)
	if err != nil || len(f.Members(rec.SetID)) != len(run.IDs) {
		t.Fatalf("record %v %v", rec, err)
	}
	if code, _, _ := cli(t, "verify", dir); code != 0 {
		t.Fatal("verify after upload")
	}

	// Update/Notify Users moved the set into "Purge 2024-07"; a leftover sits there too.
	group := "../../fixtures/purge-group-sample.csv"
	pre := []string{"preflight", "--job-group", "Purge 2024-07", "--days-after-purge-date", "7", "--job-date", "2024-07-15", dir}
	if code, out, _ := cli(t, append(pre, group)...); code != exitMismatch || !strings.Contains(out, "s0990001") {
		t.Fatalf("preflight with the leftover: exit %d\n%s", code, out)
	}
	b, _ := os.ReadFile(group)
	moved := filepath.Join(tmp, "purge-group-after-fix.csv")
	os.WriteFile(moved, []byte(strings.Replace(string(b), "s0990001,Purge 2024-07,", "s0990001,Alumni,", 1)), 0o600)
	if code, out, _ := cli(t, append(pre, moved)...); code != 0 || !strings.Contains(out, "outside_set              0") {
		t.Fatalf("preflight after the leftover was moved: exit %d\n%s", code, out)
	}

	// The job purged every will_purge user; export the users again and reconcile.
	gone := map[string]bool{}
	for _, id := range run.IDs {
		gone[id] = true
	}
	for _, keep := range []string{"abrown7", "ieriksen72", "wingram15", "s1731589"} { // not moved, no or later purge date
		delete(gone, keep)
	}
	src, _ := os.Open("../../fixtures/users-sample.csv")
	defer src.Close()
	r := csv.NewReader(src)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	after := filepath.Join(tmp, "users-after.csv")
	fo, _ := os.Create(after)
	w := csv.NewWriter(fo)
	for i, rec := range recs {
		if i < 2 || !gone[strings.TrimSpace(rec[0])] {
			w.Write(rec)
		}
	}
	w.Flush()
	fo.Close()
	code, out, errs = cli(t, "reconcile", "--report", filepath.Join(tmp, "reconcile.csv"), dir, after)
	if code != 0 || !strings.Contains(out, "still present                4") {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errs)
	}
}
