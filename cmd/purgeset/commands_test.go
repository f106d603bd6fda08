package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleCSV = "../../fixtures/users-sample.csv"

// cli runs one command line and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return exitCode(err), stdout.String(), stderr.String()
}

// runSample runs the sample export into a new directory and returns it.
func runSample(t *testing.T, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"run", "--cutoff", "2024-07-01", "--group", "Undergraduate", "--group", "Graduates 2021",
		"--group", "Alumni", "--out", out, "--quiet"}, extra...)
	if code, _, stderr := cli(t, append(args, sampleCSV)...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	return out
}

// decisionIDs are the non-trivial IDs of a run, to prove that output holds none.
func decisionIDs(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "decisions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs[1:] {
		if len(r[2]) >= 6 {
			ids = append(ids, r[2])
		}
	}
	return ids
}

func TestInspectCommand(t *testing.T) {
	code, stdout, stderr := cli(t, "inspect", sampleCSV, "../../fixtures/users-sample.xlsx")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"302 data, 0 blank", `xlsx, sheet "Users"`, "F  Expiry Date         expiry",
		"B  First Name          (no role)", "numeric_id             1", "all inputs as one stream"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, js, _ := cli(t, "inspect", "--format", "json", sampleCSV)
	var res struct {
		Inputs []struct {
			DataRows int            `json:"data_rows"`
			IDs      map[string]int `json:"ids"`
		} `json:"inputs"`
	}
	if code != 0 || json.Unmarshal([]byte(js), &res) != nil || len(res.Inputs) != 1 || res.Inputs[0].DataRows != 302 ||
		res.Inputs[0].IDs["malformed_id"] != 7 {
		t.Fatalf("json: exit %d\n%s", code, js)
	}
	dir := runSample(t)
	for _, id := range decisionIDs(t, dir) {
		if strings.Contains(stdout+stderr+js, id) {
			t.Fatalf("inspect printed an ID (personal data)")
		}
	}
}

func TestInspectExitCodes(t *testing.T) {
	noHeader := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(noHeader, []byte("Name,Expiry Date\nx,2020-01-01\n"), 0o600)
	code, _, stderr := cli(t, "inspect", noHeader)
	_, _, runStderr := cli(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--dry-run", noHeader)
	if code != 3 || !strings.Contains(stderr, "no header row in the first 20 rows") {
		t.Fatalf("no header: exit %d\n%s", code, stderr)
	}
	if msg := stderr[strings.Index(stderr, noHeader):]; !strings.Contains(runStderr, strings.Fields(msg)[0]) ||
		!strings.Contains(runStderr, "no header row in the first 20 rows") {
		t.Fatalf("inspect and run differ:\n%s\n%s", stderr, runStderr)
	}
	slash := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(slash, []byte("USERNAME,User Group,Expiry Date\na1,Alumni,03/04/2020\n"), 0o600)
	code, stdout, stderr := cli(t, "inspect", slash)
	if code != 3 || !strings.Contains(stdout, "run would stop:") || !strings.Contains(stderr, "--date-order") {
		t.Fatalf("slash dates: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := cli(t, "inspect", "--date-order", "dmy", slash); code != 0 {
		t.Fatalf("slash dates with --date-order: exit %d", code)
	}
	for _, args := range [][]string{{"inspect"}, {"inspect", "--format", "xml", slash}, {"inspect", "--column", "name=X", slash},
		{"inspect", "--date-order", "ymd", slash}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestVerifyCommand(t *testing.T) {
	dir := runSample(t)
	code, stdout, stderr := cli(t, "verify", dir)
	if code != 0 || stdout != "verified: 4 files, 302 rows\n" {
		t.Fatalf("clean: exit %d\n%s%s", code, stdout, stderr)
	}
	flipped := filepath.Join(t.TempDir(), "run")
	os.CopyFS(flipped, os.DirFS(dir))
	b, _ := os.ReadFile(filepath.Join(flipped, "set-001.xlsx"))
	b[len(b)/3] ^= 1
	os.WriteFile(filepath.Join(flipped, "set-001.xlsx"), b, 0o600)
	code, stdout, _ = cli(t, "verify", flipped)
	if code != 5 || !strings.Contains(stdout, "set-001.xlsx: sha256 differs from the manifest\n") {
		t.Fatalf("flipped byte: exit %d\n%s", code, stdout)
	}
	os.Remove(filepath.Join(flipped, "manifest.json"))
	code, stdout, _ = cli(t, "verify", flipped)
	if code != 5 || stdout != "no manifest.json: not a complete purgeset run\n" {
		t.Fatalf("no manifest: exit %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"verify"}, {"verify", dir, dir}, {"verify", filepath.Join(dir, "nowhere")}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestDiffCommand(t *testing.T) {
	oldDir := runSample(t)
	newDir := runSample(t, "--protect", "../../fixtures/protect-fines.csv")
	code, stdout, stderr := cli(t, "diff", oldDir, newDir)
	if code != 0 || !strings.Contains(stdout, "no longer included          3\n") || !strings.Contains(stdout, "s1188402") {
		t.Fatalf("text: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "s1188402") {
		t.Fatalf("an ID in the log:\n%s", stderr)
	}
	code, stdout, _ = cli(t, "diff", "--format", "csv", oldDir, newDir)
	want := "change,id,old_decision,old_reason,new_decision,new_reason\n" +
		"no_longer_included,tkeller,included,expired,excluded,protected\n" + // row 129
		"no_longer_included,00372915,included,expired,excluded,protected\n" + // row 207
		"no_longer_included,s1188402,included,expired,excluded,protected\n" // row 287
	if code != 0 || stdout != want {
		t.Fatalf("csv: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli(t, "diff", "--format", "json", newDir, oldDir)
	var d struct {
		Counts  map[string]int   `json:"counts"`
		Changes []map[string]any `json:"changes"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil || d.Counts["newly_included"] != 3 || len(d.Changes) != 3 {
		t.Fatalf("json: exit %d\n%s", code, stdout)
	}
	if code, _, _ := cli(t, "diff", oldDir, t.TempDir()); code != 3 {
		t.Errorf("a directory without decisions.csv: exit %d, want 3", code)
	}
	if code, _, _ := cli(t, "diff", "--format", "xml", oldDir, newDir); code != 2 {
		t.Errorf("--format xml: exit %d, want 2", code)
	}
	if code, _, _ := cli(t, "diff", oldDir); code != 2 {
		t.Errorf("one directory: exit %d, want 2", code)
	}
}

func TestReconcileCommand(t *testing.T) {
	dir := runSample(t)
	// After the job: two included users remain (Alma skipped them), everyone excluded
	// remains too.
	recs := readCSV(t, filepath.Join(dir, "decisions.csv"))
	included := map[string]bool{}
	for _, r := range recs[1:] {
		included[r[2]] = included[r[2]] || r[5] == "included"
	}
	var fresh strings.Builder
	fresh.WriteString("Primary Identifier\n")
	kept := 0
	for _, r := range recs[1:] {
		if r[2] == "" {
			continue
		}
		if !included[r[2]] || (r[5] == "included" && kept < 2) {
			if r[5] == "included" {
				kept++
			}
			fresh.WriteString(r[2] + "\n")
		}
	}
	after := filepath.Join(t.TempDir(), "after.csv")
	os.WriteFile(after, []byte(fresh.String()), 0o600)
	code, stdout, stderr := cli(t, "reconcile", dir, after)
	if code != 0 || !strings.Contains(stdout, "still present                2") || !strings.Contains(stdout, "removed outside set          0") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	report := filepath.Join(dir, "reconcile.csv")
	if got := readCSV(t, report); len(got) != 3 || strings.Join(got[0], ",") != "id,status,source,row" || got[1][1] != "still_present" {
		t.Fatalf("report %v", got)
	}
	if fi, _ := os.Stat(report); fi.Mode().Perm() != 0o600 {
		t.Fatalf("report mode %v", fi.Mode().Perm())
	}
	if code, stdout, _ := cli(t, "verify", dir); code != 0 {
		t.Fatalf("verify after reconcile: exit %d\n%s", code, stdout)
	}

	// One excluded user is gone as well: removed outside the set.
	const gone = "labbott54" // row 5, group_not_selected
	os.WriteFile(after, []byte(strings.Replace(fresh.String(), "\n"+gone+"\n", "\n", 1)), 0o600)
	other := filepath.Join(t.TempDir(), "r.csv")
	code, stdout, stderr = cli(t, "reconcile", "--report", other, dir, after)
	if code != 5 || !strings.Contains(stdout, "removed outside set          1") || !strings.Contains(stderr, "removed outside this set") {
		t.Fatalf("removed outside the set: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, gone) || strings.Contains(stdout, gone) {
		t.Fatalf("an ID printed outside the report")
	}
	if got := readCSV(t, other); len(got) != 4 || got[3][0] != gone || got[3][1] != "removed_outside_set" {
		t.Fatalf("report %v", got)
	}

	for _, args := range [][]string{{"reconcile", dir}, {"reconcile", "--report", filepath.Join(dir, "decisions.csv"), dir, after},
		{"reconcile", "--column", "expiry=X", dir, after}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, _ := cli(t, "reconcile", t.TempDir(), after); code != 3 {
		t.Errorf("no run directory: exit %d, want 3", code)
	}

	// An existing report is kept unless --overwrite; an export or an input never.
	before, _ := os.ReadFile(other)
	if code, _, stderr := cli(t, "reconcile", "--report", other, dir, after); code != 2 || !strings.Contains(stderr, "--overwrite") {
		t.Errorf("existing report: exit %d, want 2 naming --overwrite\n%s", code, stderr)
	}
	if now, _ := os.ReadFile(other); string(now) != string(before) {
		t.Errorf("an existing report was changed without --overwrite")
	}
	if code, _, stderr := cli(t, "reconcile", "--overwrite", "--report", other, dir, after); code != 5 {
		t.Errorf("--overwrite: exit %d, want 5\n%s", code, stderr)
	}
	exportBefore, _ := os.ReadFile(after)
	for _, target := range []string{after, sampleCSV} {
		if code, _, stderr := cli(t, "reconcile", "--overwrite", "--report", target, dir, after); code != 2 {
			t.Errorf("--report %s (an export or the run's input): exit %d, want 2\n%s", target, code, stderr)
		}
	}
	if now, _ := os.ReadFile(after); string(now) != string(exportBefore) {
		t.Errorf("the export was overwritten by the report")
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestNewCommandsHaveExamples(t *testing.T) {
	root := newApp(&bytes.Buffer{}, &bytes.Buffer{}).rootCommand()
	for _, name := range []string{"inspect", "verify", "diff", "reconcile"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Fatalf("%s: %v", name, err)
		}
		if n := strings.Count(cmd.Example, "\n  purgeset "); n < 1 || strings.Count(cmd.Example, "purgeset "+name) < 2 {
			t.Errorf("%s: want two or three worked examples, got:\n%s", name, cmd.Example)
		}
	}
}
