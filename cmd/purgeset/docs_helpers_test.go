package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// docMasks replace, in the shown and the real output alike, what varies from run to
// run: the time of a console log line, durations, JSON log times, one run ID.
var docMasks = []struct {
	re *regexp.Regexp
	to string
}{
	{regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2} `), "HH:MM:SS "},
	{regexp.MustCompile(`duration=[0-9][^ ]*`), "duration=D"},
	{regexp.MustCompile(`"duration":("[^"]*"|[0-9][0-9.e+-]*)`), `"duration":D`},
	{regexp.MustCompile(`"time":"[^"]*"`), `"time":T`},
	// logging.md names its inputs by absolute path, which is a temporary folder here;
	// decisions.csv holds that path, and the run ID hashes decisions.csv.
	{regexp.MustCompile(`"run_id":"[0-9a-f]{64}"`), `"run_id":RUNID`},
}

func docMask(l string) string {
	l = strings.TrimRight(l, " \t\r")
	for _, m := range docMasks {
		l = m.re.ReplaceAllString(l, m.to)
	}
	return l
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// elidedMatch reports whether want, which shows part of the output with "…" lines
// between the parts, matches got: the first part at the start, the last at the end,
// the others in order between them. Without a "…" it is false (docDiff decides).
func elidedMatch(want, got []string) bool {
	var parts [][]string
	cur := []string{}
	for _, l := range want {
		if strings.TrimSpace(l) == "…" {
			parts, cur = append(parts, cur), []string{}
			continue
		}
		cur = append(cur, docMask(l))
	}
	if len(parts) == 0 {
		return false
	}
	parts = append(parts, cur)
	g := make([]string, len(got))
	for i, l := range got {
		g[i] = docMask(l)
	}
	eq := func(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
	first, last := parts[0], parts[len(parts)-1]
	if len(first)+len(last) > len(g) || !eq(first, g[:len(first)]) || !eq(last, g[len(g)-len(last):]) {
		return false
	}
	g = g[len(first) : len(g)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		found := false
		for i := 0; i+len(p) <= len(g) && !found; i++ {
			if eq(p, g[i:i+len(p)]) {
				g, found = g[i+len(p):], true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// docLCS aligns the masked lines of want and got: pairs[i] is the got line matched to
// want line i, or -1.
func docLCS(want, got []string) []int {
	w, g := make([]string, len(want)), make([]string, len(got))
	for i, l := range want {
		w[i] = docMask(l)
	}
	for i, l := range got {
		g[i] = docMask(l)
	}
	n := make([][]int, len(w)+1)
	for i := range n {
		n[i] = make([]int, len(g)+1)
	}
	for i := len(w) - 1; i >= 0; i-- {
		for j := len(g) - 1; j >= 0; j-- {
			if w[i] == g[j] {
				n[i][j] = n[i+1][j+1] + 1
			} else {
				n[i][j] = max(n[i+1][j], n[i][j+1])
			}
		}
	}
	pairs := make([]int, len(w))
	i, j := 0, 0
	for i < len(w) {
		switch {
		case j < len(g) && w[i] == g[j]:
			pairs[i] = j
			i++
			j++
		case j < len(g) && n[i][j+1] >= n[i+1][j]:
			j++
		default:
			pairs[i] = -1
			i++
		}
	}
	return pairs
}

// docDiff lists the lines only the doc has (with their line numbers) and the lines
// only the real output has, in order.
func docDiff(want, got []string, first int) (string, bool) {
	pairs := docLCS(want, got)
	var b strings.Builder
	same := len(want) == len(got)
	j := 0
	emit := func(upTo int) {
		for ; j < upTo; j++ {
			fmt.Fprintf(&b, "+      %s\n", got[j])
			same = false
		}
	}
	for i, p := range pairs {
		if p < 0 {
			fmt.Fprintf(&b, "-%5d %s\n", first+i, want[i])
			same = false
			continue
		}
		emit(p)
		j = p + 1
	}
	emit(len(got))
	return b.String(), same
}

// keepMasked is the real output with every line that matches the doc after masking
// taken from the doc, so that -update-docs does not churn times and durations.
func keepMasked(want, got []string) []string {
	out := append([]string(nil), got...)
	for i, p := range docLCS(want, got) {
		if p >= 0 {
			out[p] = want[i]
		}
	}
	return out
}

// docSetups prepare what a doc's example needs and the doc does not show being made.
var docSetups = map[string]func(t *testing.T, dir string){
	// guide step 8: a copy of out whose set file lost one line.
	"out-edited": func(t *testing.T, dir string) {
		copyDir(t, filepath.Join(dir, "out"), filepath.Join(dir, "out-edited"))
		p := filepath.Join(dir, "out-edited", "set-001.xlsx")
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveRow(f.GetSheetName(0), 50); err != nil {
			t.Fatal(err)
		}
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
	},
	// commands.md, verify: a copy of purge-2024-07 with the draft's set file swapped
	// in, a stray set-009.txt, and the input's included count edited in the manifest.
	"tampered": func(t *testing.T, dir string) {
		to := filepath.Join(dir, "copy-2024-07")
		copyDir(t, filepath.Join(dir, "purge-2024-07"), to)
		// An older run with an earlier cutoff: fewer IDs, so a smaller file, which
		// verify reads (one larger than the manifest allows it does not read).
		older := filepath.Join(t.TempDir(), "older")
		args := []string{"run", "--quiet", "--cutoff", "2024-01-01", "--group", "Undergraduate", "--group", "Graduates 2021",
			"--group", "Alumni", "--protect", "protect-fines.csv", "--out", older, "users-sample.csv"}
		if code, _, stderr := cli(t, args...); code != 0 {
			t.Fatalf("tampered: the older run: exit %d\n%s", code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(older, "set-001.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, "set-001.xlsx"), b)
		writeFile(t, filepath.Join(to, "set-009.txt"), []byte("USERNAME\n"))
		m, err := os.ReadFile(filepath.Join(to, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		edited := bytes.Replace(m, []byte(`"included": 182,`), []byte(`"included": 183,`), 1)
		if bytes.Equal(edited, m) {
			t.Fatal(`tampered: manifest.json has no "included": 182, to edit`)
		}
		writeFile(t, filepath.Join(to, "manifest.json"), edited)
	},
	// guide, troubleshooting: broken exports and lists.
	"troubleshooting": writeBadInputs,
	// guide, troubleshooting: a download cut short.
	"cut-xlsx": func(t *testing.T, dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "users.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "cut.xlsx"), b[:len(b)/2])
	},
	// logging.md: the safety stop, and the limit back.
	"max-40": func(t *testing.T, dir string) {
		editFile(t, dir, "purge-2024-summer.toml", "max_included_percent = 80.0", "max_included_percent = 40.0")
	},
	"max-80": func(t *testing.T, dir string) {
		editFile(t, dir, "purge-2024-summer.toml", "max_included_percent = 40.0", "max_included_percent = 80.0")
	},
	// logging.md: the run directory of the day before out of the way, and back.
	"out-away": func(t *testing.T, dir string) { rename(t, filepath.Join(dir, "out"), filepath.Join(dir, "out-kept")) },
	"out-back": func(t *testing.T, dir string) { rename(t, filepath.Join(dir, "out-kept"), filepath.Join(dir, "out")) },
	// logging.md: the export is missing.
	"no-users": func(t *testing.T, dir string) {
		rename(t, filepath.Join(dir, "users.csv"), filepath.Join(dir, "users-moved.csv"))
	},
	"users-back": func(t *testing.T, dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "users-sample.csv"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "users.csv"), b)
	},
	// logging.md: a key given twice.
	"dup-key": func(t *testing.T, dir string) {
		editFile(t, dir, "purge-2024-summer.toml", "out = ", "max_included_percent = 40.0\nout = ")
	},
	"dup-key-fixed": func(t *testing.T, dir string) {
		editFile(t, dir, "purge-2024-summer.toml", "max_included_percent = 40.0\nout = ", "out = ")
	},
	// logging.md: row 57 re-saved with a slash date (rows 4 to 190 are one line each).
	"slash-57": func(t *testing.T, dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "users.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\r\n")
		f := strings.Split(lines[56], ",")
		if len(f) != 8 || f[5] != "2026-03-18" {
			t.Fatalf("slash-57: row 57 is %q, want 8 fields with expiry 2026-03-18", lines[56])
		}
		f[5] = "18/03/2026"
		lines[56] = strings.Join(f, ",")
		writeFile(t, filepath.Join(dir, "users.csv"), []byte(strings.Join(lines, "\r\n")))
	},
}

// editFile replaces old with new in a file of dir, once; old must be there.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s holds no %q", name, old)
	}
	writeFile(t, filepath.Join(dir, name), bytes.Replace(b, []byte(old), []byte(new), 1))
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, e.Name()), b)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkUsersAfter makes fixtures/users-after.csv, the export the guide's reconcile
// step reads, and compares it with the committed file (-update-docs writes it). It is
// users-sample.csv after the purge job of the guide's run (fixtures/purgeset.toml's
// options): the included rows are gone, except those of jabbott58 and 00179420, whom
// Alma skipped (a fine, a loan); and labbott54, whom the run did not include, was
// removed by something else, so that reconcile has one user to report.
func checkUsersAfter(t *testing.T, repo string) {
	out := runSample(t, "--protect", "../../fixtures/protect-fines.csv")
	included := map[string]bool{} // IDs, as reconcile matches them: trimmed
	for _, r := range readCSV(t, filepath.Join(out, "decisions.csv"))[1:] {
		if r[5] == "included" {
			included[r[2]] = true
		}
	}
	f, err := os.Open(filepath.Join(repo, "fixtures", "users-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	rd.FieldsPerRecord = -1
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	// csv.Reader skips the empty row 2: records are title, header, then data from row 4.
	for i := 0; ; i++ {
		rec, err := rd.Read()
		if err != nil {
			break
		}
		if i == 0 {
			w.Write(rec)
			w.Flush()
			b.WriteString("\r\n") // the empty row 2, as in the sample
			continue
		}
		id := strings.TrimSpace(rec[0])
		skipped := id == "jabbott58" || id == "00179420"
		if included[id] && !skipped || id == "labbott54" {
			continue
		}
		w.Write(rec)
	}
	w.Flush()
	if !included["jabbott58"] || !included["00179420"] {
		t.Fatal("jabbott58 and 00179420 are no longer included: choose other users whom Alma skipped")
	}
	got := b.Bytes()
	p := filepath.Join(repo, "fixtures", "users-after.csv")
	if *updateDocs {
		writeFile(t, p, got)
		return
	}
	want, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(want, got) {
		t.Errorf("fixtures/users-after.csv is not what the sample and the guide's run make (%v); run with -update-docs", err)
	}
}
