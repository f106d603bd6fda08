package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The selection guards of SPEC §8: a --group or an explicit --record-type that matches
// no data row stops the run after reading (exit 2), names the value, lists what the
// inputs hold and suggests the value meant; --allow-unmatched lets it through with a
// warning. The sample holds Undergraduate (121 rows), Alumni (91), Graduates 2021
// (46), ..., and one row each of " Alumni" and "undergraduate".

func TestGuardUnmatchedGroup(t *testing.T) {
	for _, c := range []struct {
		name, group string
		want        []string
	}{
		{"wrong case", "alumni", []string{`--group "alumni" matches no data row (did you mean "Alumni"?)`}},
		{"typo", "Alumnus", []string{`--group "Alumnus" matches no data row (did you mean "Alumni"?)`}},
		{"curly quotes", "“Alumni”", []string{`(did you mean "Alumni"?)`}},
		{"straight quotes", `"Graduates 2021"`, []string{`(did you mean "Graduates 2021"?)`}},
		{"inner white space", "Graduates  2021", []string{`(did you mean "Graduates 2021"?)`}},
		{"two groups in one value", "Alumni,Undergraduate", []string{
			`--group "Alumni,Undergraduate" matches no data row: one value holds a comma; repeat --group once per value, e.g. --group "Alumni" --group "Undergraduate"`}},
		{"nothing near", "Zebra", []string{`--group "Zebra" matches no data row. The inputs`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			// With a second, correct group the run would look plausible: it must still stop.
			code, _, stderr := cli(t, "run", "--cutoff", "2024-07-01", "--group", "Undergraduate", "--group", c.group, "--out", out, sampleCSV)
			want := append(c.want, `The inputs hold these user groups (rows): "Undergraduate" 121, "Alumni" 92, "Graduates 2021" 46,`,
				"(blank) 2", "--allow-unmatched")
			wantRefused(t, code, stderr, out, exitUsage, want...)
			if strings.Contains(stderr, "Undergraduate\" 121") && strings.Count(stderr, "matches no data row") != 1 {
				t.Errorf("the matching group is reported too:\n%s", stderr)
			}
		})
	}
}

// TestGuardUnmatchedGroupEdge: a group that matches a single row passes; the same value
// with --allow-unmatched runs when it matches nothing, and the manifest, the summary
// and the review page carry the warning.
func TestGuardUnmatchedGroupEdge(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, "run", "--cutoff", "2024-07-01", "--group", "undergraduate", "--out", out, sampleCSV); code != 0 {
		t.Fatalf("a group of one row: exit %d\n%s", code, stderr)
	}
	if _, ok := readGuardManifest(t, out).warning("unmatched_group"); ok {
		t.Error("a matching group carries an unmatched_group warning")
	}

	out = filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", "--cutoff", "2024-07-01", "--group", "Alumni", "--group", "Alumnus", "--allow-unmatched", "--out", out, sampleCSV)
	if code != 0 {
		t.Fatalf("--allow-unmatched: exit %d\n%s", code, stderr)
	}
	m := readGuardManifest(t, out)
	msg, ok := m.warning("unmatched_group")
	if !ok || !strings.Contains(msg, `--group "Alumnus"`) || strings.Contains(msg, `"Alumni"`) {
		t.Errorf("unmatched_group warning %q (present %v)", msg, ok)
	}
	if m.Parameters["allow_unmatched"] != true {
		t.Errorf("parameters: allow_unmatched = %v", m.Parameters["allow_unmatched"])
	}
	if !strings.Contains(stdout, "warning: unmatched_group (1)") {
		t.Errorf("the summary does not show the warning:\n%s", stdout)
	}
	page, err := os.ReadFile(filepath.Join(out, "review.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "unmatched_group") {
		t.Error("the review page does not show the unmatched_group warning")
	}
}

func TestGuardUnmatchedRecordType(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, sampleRun(out, "--record-type", "Publik")...)
	wantRefused(t, code, stderr, out, exitUsage, `--record-type "Publik" matches no data row (did you mean "Public"?)`,
		`The inputs hold these record types (rows): "Public" 295, "Contact" 3, (blank) 2, "Staff" 1, "public" 1`)

	// The edge: matched ignoring case, one row is enough.
	if code, _, stderr := cli(t, sampleRun(out, "--record-type", "STAFF")...); code != 0 {
		t.Fatalf("--record-type STAFF: exit %d\n%s", code, stderr)
	}
	out = filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, sampleRun(out, "--record-type", "Public", "--record-type", "Publik", "--allow-unmatched")...); code != 0 {
		t.Fatalf("--allow-unmatched: exit %d\n%s", code, stderr)
	}
	if msg, ok := readGuardManifest(t, out).warning("unmatched_record_type"); !ok || !strings.Contains(msg, `--record-type "Publik"`) {
		t.Errorf("unmatched_record_type warning %q (present %v)", msg, ok)
	}
}

// TestGuardRecordTypeNotChecked: the default record type is not a choice the user
// made, and an input without a record type column cannot contradict one.
func TestGuardRecordTypeNotChecked(t *testing.T) {
	dir := t.TempDir()
	staff := filepath.Join(dir, "staff.csv")
	noColumn := filepath.Join(dir, "plain.csv")
	badMust(t, os.WriteFile(staff, []byte("Primary ID,User Group,User Record Type,Expiry Date\nj1,Alumni,Staff,2020-01-01\n"), 0o600))
	badMust(t, os.WriteFile(noColumn, []byte("Primary ID,User Group,Expiry Date\nj1,Alumni,2020-01-01\n"), 0o600))
	for _, args := range [][]string{
		{staff},
		{"--record-type", "Publik", noColumn},
	} {
		out := filepath.Join(t.TempDir(), "out")
		all := append([]string{"run", "--cutoff", "2024-07-01", "--group", "Alumni", "--out", out}, args...)
		if code, _, stderr := cli(t, all...); code != 0 {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
}
