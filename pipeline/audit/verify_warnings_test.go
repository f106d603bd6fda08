package audit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// warnCSV raises the three row-level warnings verify can recompute: an 8-digit and a
// 7-digit ID (short_numeric_id), an unreadable purge date (bad_purge_date) and included
// rows without one (no_purge_date).
const warnCSV = hdr +
	"12345678,Alumni,Public,2020-01-01,2024-08-01\n" +
	"1234567,Alumni,Public,2020-01-01,\n" +
	"e6,Alumni,Public,2020-01-01,someday\n" +
	"n1,Alumni,Public,2030-01-01,\n"

// TestVerifyRecomputesWarnings: the run ID covers the files, not the manifest's
// warnings, so verify recomputes those it can from decisions.csv, the archive and the
// parameters. Each warning removed, recounted or given other rows, and a warning the
// run does not call for, is a mismatch naming the warning; the untouched run passes.
func TestVerifyRecomputesWarnings(t *testing.T) {
	dir := makeRunDir(t, warnCSV, nil)
	if lines := verifyLines(t, dir); len(lines) > 0 {
		t.Fatalf("untouched run: %v", lines)
	}
	m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	orig := *m
	orig.Warnings = append([]writers.Warning(nil), m.Warnings...)
	have := map[string]bool{}
	for _, w := range orig.Warnings {
		have[w.Code] = true
	}
	for _, code := range []string{"short_numeric_id", "bad_purge_date", "no_purge_date"} {
		if !have[code] {
			t.Fatalf("the run raised no %s (warnings %v): the input no longer tests it", code, orig.Warnings)
		}
	}
	edits := map[string]func(ws []writers.Warning, i int) []writers.Warning{
		"removed": func(ws []writers.Warning, i int) []writers.Warning { return append(ws[:i:i], ws[i+1:]...) },
		"recounted": func(ws []writers.Warning, i int) []writers.Warning {
			ws[i].Count++
			return ws
		},
		"other rows": func(ws []writers.Warning, i int) []writers.Warning {
			ws[i].Rows = append([]writers.WarningRow(nil), ws[i].Rows...)
			ws[i].Rows[0].Row++
			return ws
		},
	}
	for i, w := range orig.Warnings {
		if w.Code != "short_numeric_id" && w.Code != "bad_purge_date" && w.Code != "no_purge_date" {
			continue // unmatched_group and the like depend on the inputs: verify --rerun's
		}
		for name, edit := range edits {
			t.Run(w.Code+" "+name, func(t *testing.T) {
				e := orig
				ws := make([]writers.Warning, len(orig.Warnings))
				copy(ws, orig.Warnings)
				e.Warnings = edit(ws, i)
				writeManifest(t, dir, &e)
				lines := verifyLines(t, dir)
				if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), w.Code) {
					t.Errorf("verify found %v, want a mismatch naming %s", lines, w.Code)
				}
			})
		}
	}
	// The run's created day against its cutoff 2024-07-01: a warning without a future
	// cutoff, and a future cutoff let through without its warning.
	futures := []struct {
		name, created string
		allow, warn   bool
	}{
		{"future_cutoff without a future cutoff", "2024-07-02T09:00:00Z", false, true},
		{"future cutoff allowed without future_cutoff", "2024-06-30T09:00:00Z", true, false},
	}
	for _, c := range futures {
		t.Run(c.name, func(t *testing.T) {
			e := orig
			e.Created = c.created
			p := *orig.Parameters
			p.AllowFutureCutoff = c.allow
			e.Parameters = &p
			e.Warnings = append([]writers.Warning(nil), orig.Warnings...)
			if c.warn {
				e.Warnings = append(e.Warnings, writers.Warning{Code: "future_cutoff", Count: 1, Message: "x"})
			}
			writeManifest(t, dir, &e)
			if lines := verifyLines(t, dir); !strings.Contains(strings.Join(lines, "\n"), "future_cutoff") {
				t.Errorf("verify found %v, want a mismatch naming future_cutoff", lines)
			}
		})
	}
	writeManifest(t, dir, &orig)
	if lines := verifyLines(t, dir); len(lines) > 0 {
		t.Fatalf("the manifest written back: %v", lines)
	}
}
