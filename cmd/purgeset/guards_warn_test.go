package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Warnings that make a possible slip visible without stopping the run: a protect list
// that matches no input row, and all-digit IDs that may have lost leading zeros.

// warnRun writes files into a new directory, runs args there and returns the manifest.
func warnRun(t *testing.T, files map[string]string, args ...string) guardManifest {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		badMust(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	t.Chdir(dir)
	if code, _, stderr := cli(t, append([]string{"run", "--cutoff", "2024-07-01", "--all-groups", "--out", "out"}, args...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	return readGuardManifest(t, "out")
}

const warnUsers = "Primary Identifier,User Group,Expiry Date\n00179420,Alumni,2020-01-01\n179420,Alumni,2020-01-01\n" +
	"0017942,Alumni,2020-01-01\njdoe01,Alumni,2020-01-01\n"

func TestWarnProtectUnmatched(t *testing.T) {
	files := map[string]string{"users.csv": warnUsers, "fines.txt": "zz0001\nzz0002\n", "loans.txt": "jdoe01\n"}
	m := warnRun(t, files, "--protect", "fines.txt", "--protect", "loans.txt", "users.csv")
	msg, ok := m.warning("protect_unmatched")
	if !ok || !strings.Contains(msg, "fines.txt") || strings.Contains(msg, "loans.txt") {
		t.Errorf("protect_unmatched %q (present %v): want it to name fines.txt alone", msg, ok)
	}
	// The edge: a list that protects one row gives no warning.
	m = warnRun(t, files, "--protect", "loans.txt", "users.csv")
	if msg, ok := m.warning("protect_unmatched"); ok {
		t.Errorf("protect_unmatched %q for a list that matched", msg)
	}
}

func TestWarnShortNumericID(t *testing.T) {
	m := warnRun(t, map[string]string{"users.csv": warnUsers}, "users.csv")
	msg, ok := m.warning("short_numeric_id")
	if !ok || !strings.Contains(msg, "(8 digits)") || !strings.Contains(msg, "8 digits: 1, 7 digits: 1, 6 digits: 1") ||
		!strings.Contains(msg, "--id-pattern") {
		t.Errorf("short_numeric_id %q (present %v)", msg, ok)
	}
	for _, w := range m.Warnings {
		if w.Code == "short_numeric_id" && w.Count != 2 {
			t.Errorf("short_numeric_id counts %d, want 2", w.Count)
		}
	}
	// The edge: one length only; and with --id-pattern the pattern decides, no guessing.
	m = warnRun(t, map[string]string{"users.csv": "Primary Identifier,User Group,Expiry Date\n00179420,Alumni,2020-01-01\n12345678,Alumni,2020-01-01\n"}, "users.csv")
	if msg, ok := m.warning("short_numeric_id"); ok {
		t.Errorf("short_numeric_id %q with one length", msg)
	}
	m = warnRun(t, map[string]string{"users.csv": warnUsers}, "--id-pattern", "[0-9]{6,8}|[a-z]+[0-9]+", "users.csv")
	if msg, ok := m.warning("short_numeric_id"); ok {
		t.Errorf("short_numeric_id %q under --id-pattern", msg)
	}
	// A longer all-digit ID that is not included still sets the length.
	m = warnRun(t, map[string]string{"users.csv": "Primary Identifier,User Group,Expiry Date\n00179420,Alumni,2030-01-01\n1794201,Alumni,2020-01-01\n"}, "users.csv")
	if _, ok := m.warning("short_numeric_id"); !ok {
		t.Error("no short_numeric_id when the longest all-digit ID is not included")
	}
}
