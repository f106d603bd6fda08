package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/readers"
)

func TestDiff(t *testing.T) {
	oldDir := makeRunDir(t, hdr+
		"a1,Alumni,Public,2020-01-01,\n"+ // included → not_expired
		"a2,Alumni,Public,2030-01-01,\n"+ // not_expired → included
		"a3,Alumni,Public,2020-01-01,\n"+ // included in both
		"a4,Faculty,Public,2020-01-01,\n"+ // group_not_selected → not_expired
		"a5,Alumni,Staff,2020-01-01,\n"+ // record_type in both
		"a6,Alumni,Public,2020-01-01,\n"+ // included → absent
		"B1,Alumni,Public,2020-01-01,\n"+ // included → absent (NEW has b1: IDs match exactly)
		"a9,Alumni,Public,2020-01-01,\n"+ // included in both; NEW has a later duplicate row
		"a0,Faculty,Public,2020-01-01,\n"+ // excluded → absent: not a change
		",Alumni,Public,2020-01-01,\n", nil)
	newDir := makeRunDir(t, hdr+
		"a7,Alumni,Public,2020-01-01,\n"+ // absent → included
		"a2,Alumni,Public,2020-01-01,\n"+
		"a1,Alumni,Public,2030-01-01,\n"+
		"a9,Alumni,Public,2020-01-01,\n"+
		"a3,Alumni,Public,2020-01-01,\n"+
		"a4,Alumni,Public,2030-01-01,\n"+
		"a5,Alumni,Staff,2020-01-01,\n"+
		"b1,Alumni,Public,2020-01-01,\n"+
		"a9,Alumni,Public,2020-01-01,\n"+ // duplicate: the first row's reason counts
		"a8,Faculty,Public,2020-01-01,\n", nil) // absent → excluded: not a change
	d, err := Diff(context.Background(), oldDir, newDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range d.Changes {
		got = append(got, fmt.Sprintf("%s %s %s/%s %s/%s", c.Change, c.ID, c.OldDecision, c.OldReason, c.NewDecision, c.NewReason))
	}
	want := []string{
		"newly_included a7 absent/ included/expired",
		"newly_included a2 excluded/not_expired included/expired",
		"newly_included b1 absent/ included/expired",
		"no_longer_included a1 included/expired excluded/not_expired",
		"no_longer_included a6 included/expired absent/",
		"no_longer_included B1 included/expired absent/",
		"reason_changed a4 excluded/group_not_selected excluded/not_expired",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c := d.Counts
	if c.NewlyIncluded != 3 || c.NoLongerIncluded != 3 || c.ReasonChanged != 1 || c.OldIDs != 9 || c.NewIDs != 9 || c.BlankIDRows != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestDiffSameRunIsEmpty(t *testing.T) {
	dir := makeRunDir(t, verifyCSV, nil)
	d, err := Diff(context.Background(), dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changes) != 0 || d.Counts.NewlyIncluded+d.Counts.NoLongerIncluded+d.Counts.ReasonChanged != 0 {
		t.Fatalf("a run against itself: %+v", d)
	}
}

func TestDiffNeedsRunDirectories(t *testing.T) {
	dir := makeRunDir(t, verifyCSV, nil)
	_, err := Diff(context.Background(), t.TempDir(), dir)
	var pe *readers.ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "no decisions.csv: not a purgeset run directory") {
		t.Fatalf("err = %v", err)
	}
	notOurs := t.TempDir()
	writeFileNamed(&Config{TempDir: notOurs}, "decisions.csv", "id,decision\nx,included\n")
	// A decisions.csv without a manifest is a run directory that does not verify.
	if _, err := Diff(context.Background(), dir, notOurs); !errors.Is(err, ErrUnverified) {
		t.Fatalf("a foreign decisions.csv: err = %v", err)
	}
}
