package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/readers"
)

// reconcileRun has included e1…e5 (e4 twice: its first row is the included one),
// and excluded n1, n2, g1 and a blank ID.
func reconcileRun(t *testing.T) string {
	t.Helper()
	return makeRunDir(t, verifyCSV, nil)
}

func reconcileLines(r *Reconciliation) []string {
	var out []string
	for _, e := range r.Entries {
		out = append(out, e.ID+" "+e.Status+" "+filepath.Base(e.Source)+" "+strconv.Itoa(e.Row))
	}
	return out
}

func TestReconcile(t *testing.T) {
	dir := reconcileRun(t)
	// After the job: e2 and e4 were skipped by Alma; n2 and g1 are gone although
	// they were never in the set; n1 stays; a new user appeared. The export is
	// tab-delimited with its own column order and a title row.
	fresh := writeFile(t, "after.txt", "Users after the purge\n"+
		"Primary Identifier\tUser Group\tExpiry Date\n"+
		"new1\tAlumni\t2030-01-01\n"+
		" e2 \tUndergraduate\t2021-03-04\n"+
		"n1\tAlumni\t2030-01-01\n"+
		"\t\t\n"+
		"e4\tAlumni\t2019-12-31\n"+
		"E1\tAlumni\t2019-12-31\n") // not e1: IDs match exactly
	r, err := Reconcile(context.Background(), dir, []string{fresh}, ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"e2 still_present in.csv 4",
		"e4 still_present in.csv 8",
		"g1 removed_outside_set in.csv 5", // in decisions.csv order
		"n2 removed_outside_set in.csv 10",
	}
	if got := reconcileLines(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Included != 5 || r.Purged != 3 || r.StillPresent != 2 || r.NotIncluded != 3 || r.NotIncludedKept != 1 ||
		r.RemovedOutsideSet != 2 || r.ExportRows != 5 || r.ExportIDs != 5 {
		t.Fatalf("counts %+v", r)
	}

	report := filepath.Join(t.TempDir(), "report.csv")
	if err := WriteReconcileReport(report, r, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteReconcileReport(report, r, false); err == nil || !strings.Contains(err.Error(), "--overwrite") {
		t.Fatalf("a second report without overwrite: err = %v", err)
	}
	if err := WriteReconcileReport(report, r, true); err != nil {
		t.Fatalf("with overwrite: %v", err)
	}
	b, _ := os.ReadFile(report)
	if !strings.HasPrefix(string(b), "id,status,source,row\ne2,still_present,") || strings.Count(string(b), "\n") != 5 {
		t.Fatalf("report:\n%s", b)
	}
	if fi, _ := os.Stat(report); fi.Mode().Perm() != 0o600 {
		t.Fatalf("report mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestReconcileAllAsPlanned(t *testing.T) {
	dir := reconcileRun(t)
	// Every excluded user is still there, and every included one is gone.
	fresh := writeFile(t, "after.csv", "USERNAME\nn1\nn2\ng1\n")
	r, err := Reconcile(context.Background(), dir, []string{fresh}, ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.RemovedOutsideSet != 0 || r.StillPresent != 0 || r.Purged != 5 || len(r.Entries) != 0 {
		t.Fatalf("%+v", r)
	}
	if len(r.Warnings) != 0 {
		t.Fatalf("warnings %v", r.Warnings)
	}
}

func TestReconcileSeveralExportsAndIDColumn(t *testing.T) {
	dir := reconcileRun(t)
	a := writeFile(t, "a.csv", "Name,User Name\nX,n1\nY,e1\n")
	b := writeFile(t, "b.csv", "Name,User Name\nZ,n2\nW,g1\n")
	r, err := Reconcile(context.Background(), dir, []string{a, b}, ReconcileOptions{IDHeader: "User Name"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reconcileLines(r), ","); got != "e1 still_present in.csv 2" {
		t.Fatalf("entries %q", got)
	}
}

func TestReconcileRefusesBadExports(t *testing.T) {
	dir := reconcileRun(t)
	for name, content := range map[string]string{
		"no header":  "Name,Email\nx,y\n",
		"no rows":    "Primary ID,Name\n\n,\n",
		"not a text": "\xff\xfeP\x00",
	} {
		_, err := Reconcile(context.Background(), dir, []string{writeFile(t, "after.csv", content)}, ReconcileOptions{})
		if !errors.Is(err, readers.ErrInput) {
			t.Errorf("%s: err = %v, want an input error", name, err)
		}
	}
	if _, err := Reconcile(context.Background(), t.TempDir(), []string{writeFile(t, "a.csv", "USERNAME\nx\n")}, ReconcileOptions{}); !errors.Is(err, readers.ErrInput) {
		t.Errorf("a directory without decisions.csv: err = %v", err)
	}
}

func TestReconcileWarnsAboutTheOldExport(t *testing.T) {
	input := writeFile(t, "in.csv", verifyCSV)
	dir := runDirFor(t, input, nil)
	r, err := Reconcile(context.Background(), dir, []string{input}, ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "same file as the run's input") {
		t.Fatalf("warnings %v", r.Warnings)
	}
}
