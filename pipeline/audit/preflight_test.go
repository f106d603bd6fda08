package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
)

func preflightOpts(t *testing.T, jobDate string, days int) PreflightOptions {
	t.Helper()
	d, ok := pipeline.ParseISODate(jobDate)
	if !ok {
		t.Fatal(jobDate)
	}
	return PreflightOptions{JobGroup: "Purge 2024", JobRecordType: "Public", DaysAfter: days, JobDate: d}
}

func statuses(res *Preflight) map[string]string {
	m := map[string]string{}
	for _, e := range res.Entries {
		m[e.ID] = e.Status
	}
	return m
}

// The export of the purge group after Update/Notify Users: set members moved, one
// not moved, and a leftover from last semester whose purge date has passed.
const groupExport = hdr +
	"a1,Purge 2024,Public,2023-01-01,2024-06-01\n" + // in the set, due
	"a2,Purge 2024,Public,2023-01-01,\n" + // in the set, no purge date
	"a3,Purge 2024,Public,2023-01-01,2024-08-01\n" + // in the set, later
	"a4,Graduates,Public,2023-01-01,2024-06-01\n" + // in the set, not moved (other group)
	"a5,Purge 2024,Staff,2023-01-01,2024-06-01\n" + // in the set, not moved (other record type)
	"old1,Purge 2024,public,2019-01-01,2020-01-01\n" + // leftover: outside the set, due
	"old2,Purge 2024,Public,2019-01-01,2030-01-01\n" + // outside the set, not yet due
	"x1,Alumni,Public,2019-01-01,2020-01-01\n" // another group: the job does not touch them

func TestPreflightStatuses(t *testing.T) {
	path := writeFile(t, "group.csv", groupExport)
	included := []string{"a1", "a2", "a3", "a4", "a5", "a6"} // a6: absent from the export
	res, err := RunPreflight(context.Background(), included, []string{path}, preflightOpts(t, "2024-07-01", 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a1": WillPurge, "a2": NoPurgeDate, "a3": PurgeDateLater, "a4": NotMoved, "a5": NotMoved,
		"a6": NotMoved, "old1": OutsideSet}
	got := statuses(res)
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s: %q, want %q", id, got[id], s)
		}
	}
	if len(got) != len(want) || res.Entries[0].ID != "old1" {
		t.Errorf("entries %v: want exactly these, outside_set first", got)
	}
	if res.Counts[OutsideSet] != 1 || res.Counts[NotMoved] != 3 || res.InGroupNotDue != 1 || res.OtherGroup != 1 || res.ExportRows != 8 {
		t.Errorf("counts %+v", res)
	}
}

// --days-after-purge-date at, below and above the purge date: due when purge date +
// N days is on or before the job date.
func TestPreflightDaysAfterPurgeDate(t *testing.T) {
	path := writeFile(t, "group.csv", hdr+"old1,Purge 2024,Public,2019-01-01,2024-06-20\nset1,Purge 2024,Public,2019-01-01,2024-06-20\n")
	for _, tc := range []struct {
		days int
		due  bool
	}{{9, true}, {10, true}, {11, false}} {
		res, err := RunPreflight(context.Background(), []string{"set1"}, []string{path}, preflightOpts(t, "2024-06-30", tc.days))
		if err != nil {
			t.Fatal(err)
		}
		got := statuses(res)
		wantSet, wantOld := PurgeDateLater, ""
		if tc.due {
			wantSet, wantOld = WillPurge, OutsideSet
		}
		if got["set1"] != wantSet || got["old1"] != wantOld {
			t.Errorf("N=%d: set1 %q old1 %q, want %q %q", tc.days, got["set1"], got["old1"], wantSet, wantOld)
		}
	}
}

func TestPreflightRefusesExports(t *testing.T) {
	for name, content := range map[string]string{
		"no purge date column":  "Primary Identifier,User Group,User Record Type\na1,Purge 2024,Public\n",
		"no record type column": "Primary Identifier,User Group,Purge Date\na1,Purge 2024,2024-01-01\n",
		"no group column":       "Primary Identifier,User Record Type,Purge Date\na1,Public,2024-01-01\n",
		"unreadable purge date": hdr + "a1,Purge 2024,Public,2023-01-01,soon\n",
		"slash purge date":      hdr + "a1,Purge 2024,Public,2023-01-01,03/04/2024\n",
		"no data rows":          hdr,
	} {
		path := writeFile(t, "e.csv", content)
		_, err := RunPreflight(context.Background(), []string{"a1"}, []string{path}, preflightOpts(t, "2024-07-01", 0))
		if !errors.Is(err, readers.ErrInput) {
			t.Errorf("%s: %v, want an input error (exit 3)", name, err)
		}
	}
}

func TestPreflightJobGroupUnmatched(t *testing.T) {
	path := writeFile(t, "group.csv", groupExport)
	o := preflightOpts(t, "2024-07-01", 0)
	o.JobGroup = "Purge 2O24" // a letter O
	_, err := RunPreflight(context.Background(), []string{"a1"}, []string{path}, o)
	var u *JobGroupUnmatched
	if !errors.As(err, &u) || !strings.Contains(err.Error(), `"Purge 2024" (6)`) {
		t.Fatalf("got %v", err)
	}
}

// A due row without a usable ID is someone the job purges whom no set can name.
func TestPreflightDamagedIDInGroup(t *testing.T) {
	path := writeFile(t, "group.csv", hdr+"a1,Purge 2024,Public,2023-01-01,2024-06-01\n,Purge 2024,Public,2019-01-01,2020-01-01\n")
	res, err := RunPreflight(context.Background(), []string{"a1"}, []string{path}, preflightOpts(t, "2024-07-01", 0))
	if err != nil || res.Counts[OutsideSet] != 1 || res.Entries[0].Row != 3 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestPreflightReportNeverReplaces(t *testing.T) {
	path := writeFile(t, "group.csv", groupExport)
	res, err := RunPreflight(context.Background(), []string{"a1"}, []string{path}, preflightOpts(t, "2024-07-01", 0))
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "preflight.csv")
	if err := WritePreflightReport(report, res); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	if fi, _ := os.Stat(report); fi.Mode().Perm() != 0o600 || !strings.HasPrefix(string(b), "id,status,in_set,purge_date,source,row\nold1,outside_set,false,2020-01-01,") {
		t.Errorf("report %v:\n%s", fi.Mode(), b)
	}
	if err := WritePreflightReport(path, res); err == nil {
		t.Error("the report replaced the export")
	}
	if b2, _ := os.ReadFile(path); string(b2) != groupExport {
		t.Error("the export changed")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".purgeset-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// An XLSX export whose ID cells are numbers: without --accept-numeric-ids the row has
// no usable ID (and, due, counts as outside_set); with it, the digits are the ID.
func TestPreflightNumericIDs(t *testing.T) {
	x := excelize.NewFile()
	for i, v := range []any{"Primary Identifier", "User Group", "User Record Type", "Purge Date"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue("Sheet1", cell, v)
	}
	for i, v := range []any{123456, "Purge 2024", "Public", "2020-01-01"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		x.SetCellValue("Sheet1", cell, v)
	}
	path := filepath.Join(t.TempDir(), "group.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	o := preflightOpts(t, "2024-07-01", 0)
	res, err := RunPreflight(context.Background(), []string{"123456"}, []string{path}, o)
	if err != nil || res.Counts[OutsideSet] != 1 || res.Counts[NotMoved] != 1 {
		t.Fatalf("numbers refused: %v %+v", err, res.Counts)
	}
	o.AcceptNumericIDs = true
	res, err = RunPreflight(context.Background(), []string{"123456"}, []string{path}, o)
	if err != nil || res.Counts[WillPurge] != 1 || res.Counts[OutsideSet] != 0 {
		t.Fatalf("numbers accepted: %v %+v", err, res.Counts)
	}
}
