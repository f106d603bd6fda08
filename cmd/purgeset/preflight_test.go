package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline/alma"
)

// purgeGroupExport writes the export of the purge group as Update/Notify Users leaves
// it: every included user of the run moved, with a past purge date, plus extra lines.
func purgeGroupExport(t *testing.T, dir string, extra string) string {
	t.Helper()
	run, err := alma.LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("Primary Identifier,User Group,User Record Type,Purge Date\n")
	for _, id := range run.IDs {
		b.WriteString(id + ",Purge 2024,Public,2024-07-01\n")
	}
	b.WriteString(extra)
	p := filepath.Join(t.TempDir(), "group.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPreflightCommand(t *testing.T) {
	dir := runSample(t)
	clean := purgeGroupExport(t, dir, "")
	code, stdout, stderr := cli(t, "preflight", dir, clean, "--job-group", "Purge 2024", "--job-date", "2024-07-10")
	if code != 0 || !strings.Contains(stdout, "outside_set              0") {
		t.Fatalf("clean: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// A leftover of last semester in the purge group, purge date passed: exit 5, its ID
	// on stdout and in the report, never in the log.
	leftover := purgeGroupExport(t, dir, "zz-leftover-77,Purge 2024,Public,2023-12-31\n")
	report := filepath.Join(t.TempDir(), "preflight.csv")
	code, stdout, stderr = cli(t, "preflight", dir, leftover, "--job-group", "Purge 2024", "--job-date", "2024-07-10", "--report", report, "--log-format", "json")
	if code != exitMismatch || !strings.Contains(stdout, "zz-leftover-77") || strings.Contains(stderr, "zz-leftover-77") {
		t.Fatalf("leftover: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), "zz-leftover-77,outside_set,false") {
		t.Errorf("report: %v\n%s", err, b)
	}
	// never over an existing file; never over an export
	for _, r := range []string{report, leftover} {
		if code, _, _ := cli(t, "preflight", dir, leftover, "--job-group", "Purge 2024", "--report", r); code != exitUsage {
			t.Errorf("--report %s: exit %d, want 2", r, code)
		}
	}
	// a mistyped job group is exit 2, not a clean bill of health
	if code, _, errs := cli(t, "preflight", dir, clean, "--job-group", "Purge 2025"); code != exitUsage || !strings.Contains(errs, `"Purge 2024"`) {
		t.Errorf("unmatched group: exit %d\n%s", code, errs)
	}
	if code, _, _ := cli(t, "preflight", dir, clean); code != exitUsage {
		t.Errorf("no --job-group: exit %d", code)
	}
	// csv and json carry the same statuses
	if code, out, _ := cli(t, "preflight", dir, leftover, "--job-group", "Purge 2024", "--job-date", "2024-07-10", "--format", "csv"); code != exitMismatch ||
		!strings.HasPrefix(out, "id,status,in_set,purge_date,source,row\nzz-leftover-77,outside_set,") {
		t.Errorf("csv: exit %d\n%.300s", code, out)
	}
	if code, out, _ := cli(t, "preflight", dir, leftover, "--job-group", "Purge 2024", "--job-date", "2024-07-10", "--format", "json"); code != exitMismatch ||
		!strings.Contains(out, `"outside_set": 1`) || !strings.Contains(out, `"status": "will_purge"`) {
		t.Errorf("json: exit %d\n%.600s", code, out)
	}
}

func TestPreflightCommandInputs(t *testing.T) {
	dir := runSample(t)
	noPurge := filepath.Join(t.TempDir(), "nopurge.csv")
	os.WriteFile(noPurge, []byte("Primary Identifier,User Group,User Record Type\nx,Purge 2024,Public\n"), 0o600)
	if code, _, errs := cli(t, "preflight", dir, noPurge, "--job-group", "Purge 2024"); code != exitInput || !strings.Contains(errs, "purge_date") {
		t.Errorf("no purge date column: exit %d\n%s", code, errs)
	}
	// the run directory must verify first
	export := purgeGroupExport(t, dir, "")
	os.WriteFile(filepath.Join(dir, "set-002.xlsx"), []byte("stray"), 0o600)
	if code, _, _ := cli(t, "preflight", dir, export, "--job-group", "Purge 2024"); code != exitMismatch {
		t.Errorf("unverified run: exit %d, want 5", code)
	}
}

// The fixture of the guide's step 11: the sample run with its config, and the purge
// group as Update/Notify Users left it (two members not moved, one without a purge date,
// one too late, a leftover due and one not due).
func TestPreflightGuideFixture(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, errs := cli(t, "run", "--config", "../../fixtures/purgeset.toml", "--out", dir, "--quiet"); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	code, stdout, _ := cli(t, "preflight", "--job-group", "Purge 2024-07", "--days-after-purge-date", "7", "--job-date", "2024-07-15",
		dir, "../../fixtures/purge-group-sample.csv")
	for _, want := range []string{"outside_set              1", "will_purge             178", "not_moved                2",
		"no_purge_date            1", "purge_date_later         1", "not yet due: 1", "  s0990001  ("} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if code != exitMismatch {
		t.Errorf("exit %d, want 5", code)
	}
	// On 2024-07-06 the members' 2024-06-30 + 7 days is a day away: purge_date_later.
	_, stdout, _ = cli(t, "preflight", "--job-group", "Purge 2024-07", "--days-after-purge-date", "7", "--job-date", "2024-07-06",
		dir, "../../fixtures/purge-group-sample.csv")
	if !strings.Contains(stdout, "purge_date_later       179") {
		t.Errorf("job date 2024-07-06:\n%s", stdout)
	}
}
