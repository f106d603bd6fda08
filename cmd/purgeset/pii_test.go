package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// IDs and names are personal data: at the default log level they must never reach
// stderr, in either log format, whatever happens (SPEC §6). Tests run without a
// terminal, which is exactly the batch job's situation.

const (
	sampleXLSX    = "../../fixtures/users-sample.xlsx"
	sampleProtect = "../../fixtures/protect-fines.csv"
)

// sampleRunArgs is `purgeset run` with the options of fixtures/README.md, into out.
func sampleRunArgs(out string, extra ...string) []string {
	args := []string{"run", "--cutoff", "2024-07-01", "--group", "Undergraduate", "--group", "Graduates 2021",
		"--group", "Alumni", "--protect", sampleProtect}
	if out != "" {
		args = append(args, "--out", out)
	}
	return append(args, extra...)
}

// piiMessageWords are values of the sample that are not personal data and may well
// appear in a message: placeholders and the damaged-ID markers of the Total row.
var piiMessageWords = map[string]bool{"Total": true, "NULL": true, "#N/A": true, "N/A": true}

// samplePersonalData maps every ID, first name, last name and e-mail of the sample
// export (trimmed, at least 4 characters) to where it comes from. Group names, record
// types and dates are not personal data and are left out.
func samplePersonalData(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := -1
	for i, rec := range recs {
		if len(rec) > 0 && rec[0] == "Primary Identifier" {
			header = i
			break
		}
	}
	if header < 0 {
		t.Fatal("sample: no header row")
	}
	col := map[string]int{}
	for i, h := range recs[header] {
		col[h] = i
	}
	tokens := map[string]string{}
	for n, rec := range recs[header+1:] {
		for _, name := range []string{"Primary Identifier", "First Name", "Last Name", "Email"} {
			i, ok := col[name]
			if !ok {
				t.Fatalf("sample: no column %q", name)
			}
			if i >= len(rec) {
				continue
			}
			v := strings.TrimSpace(rec[i])
			if utf8.RuneCountInString(v) < 4 || piiMessageWords[v] {
				continue
			}
			tokens[v] = fmt.Sprintf("%s of data row %d", name, n+1)
		}
	}
	if len(tokens) < 600 {
		t.Fatalf("sample: only %d personal values found; the reader above is wrong", len(tokens))
	}
	return tokens
}

// personalDataIn lists the values of pii that s holds, with where they come from,
// sorted. A value counts also in the escaped forms a JSON log line or a %q in a
// message would give it (a name with a quote or a line break).
func personalDataIn(pii map[string]string, s string) []string {
	var found []string
	for v, where := range pii {
		js, _ := json.Marshal(v)
		forms := []string{v, string(js[1 : len(js)-1]), strconv.Quote(v)[1 : len(strconv.Quote(v))-1]}
		for _, f := range forms {
			if strings.Contains(s, f) {
				found = append(found, fmt.Sprintf("%q (%s)", v, where))
				break
			}
		}
	}
	sort.Strings(found)
	return found
}

// checkNoPersonalData fails when stderr holds a value of pii.
func checkNoPersonalData(t *testing.T, pii map[string]string, stderr string) {
	t.Helper()
	if found := personalDataIn(pii, stderr); len(found) > 0 {
		if len(found) > 10 {
			found = append(found[:10], fmt.Sprintf("… %d in all", len(found)))
		}
		t.Errorf("stderr holds personal data:\n  %s\nstderr:\n%s", strings.Join(found, "\n  "), stderr)
	}
}

// sampleVariant writes the sample export with edit applied to its CRLF lines (line i
// is spreadsheet row i+1 for the rows above 191, the one with a line break inside).
func sampleVariant(t *testing.T, name string, edit func(lines []string) []string) string {
	t.Helper()
	b, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := edit(strings.Split(string(b), "\r\n"))
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\r\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// replaceOnRow replaces old by new on spreadsheet row row (below 191) of the sample.
func replaceOnRow(t *testing.T, row int, old, new string) func([]string) []string {
	return func(lines []string) []string {
		if !strings.Contains(lines[row-1], old) {
			t.Fatalf("sample row %d has no %q: %s", row, old, lines[row-1])
		}
		lines[row-1] = strings.Replace(lines[row-1], old, new, 1)
		return lines
	}
}

// piiCase is one command line over the sample, with the exit code it must give.
type piiCase struct {
	name string
	args func(t *testing.T) []string
	exit int
}

func piiCases() []piiCase {
	out := func(t *testing.T) string { return filepath.Join(t.TempDir(), "out") }
	return []piiCase{
		{"csv", func(t *testing.T) []string { return sampleRunArgs(out(t), sampleCSV) }, 0},
		{"xlsx", func(t *testing.T) []string { return sampleRunArgs(out(t), sampleXLSX) }, 0},
		{"dry-run", func(t *testing.T) []string { return sampleRunArgs("", "--dry-run", sampleCSV, sampleXLSX) }, 0},
		{"safety-stop", func(t *testing.T) []string {
			return sampleRunArgs(out(t), "--max-included-percent", "10", sampleCSV)
		}, exitSafety},
		{"slash-date-row", func(t *testing.T) []string {
			// row 4 is jabbott58, Jean-Pierre Abbott
			p := sampleVariant(t, "slash.csv", replaceOnRow(t, 4, "2022-12-18", "12/18/2022"))
			return sampleRunArgs(out(t), p)
		}, exitInput},
		{"extra-field-row", func(t *testing.T) []string {
			// an unquoted comma in row 6's last name shifts its columns
			p := sampleVariant(t, "shifted.csv", replaceOnRow(t, 6, "Mary-Kate,Abbott,", "Mary-Kate,Abbott,Jr,"))
			return sampleRunArgs(out(t), p)
		}, exitInput},
		{"no-header", func(t *testing.T) []string {
			// without the title and header, the first cell is an ID: the message must
			// not quote it
			p := sampleVariant(t, "noheader.csv", func(l []string) []string { return l[3:] })
			return sampleRunArgs(out(t), p)
		}, exitInput},
		{"inspect", func(t *testing.T) []string { return []string{"inspect", sampleCSV, sampleXLSX} }, 0},
		{"reconcile", func(t *testing.T) []string {
			dir := runSample(t)
			return []string{"reconcile", "--report", filepath.Join(t.TempDir(), "r.csv"), dir, sampleCSV}
		}, 0},
	}
}

// TestNoPersonalDataOnStderr runs every case at the default log level, in both log
// formats, and looks for each ID and name of the sample on stderr.
func TestNoPersonalDataOnStderr(t *testing.T) {
	pii := samplePersonalData(t)
	for _, c := range piiCases() {
		for _, format := range []string{"console", "json"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				args := append([]string{"--log-format", format}, c.args(t)...)
				code, _, stderr := cli(t, args...)
				if code != c.exit {
					t.Fatalf("exit %d, want %d\n%s", code, c.exit, stderr)
				}
				if strings.TrimSpace(stderr) == "" {
					t.Fatal("stderr is empty: nothing was checked")
				}
				checkNoPersonalData(t, pii, stderr)
			})
		}
	}
}

// TestPersonalDataCheckCanFail makes sure the check above sees an ID or a name when
// there is one, so that its passing means something.
func TestPersonalDataCheckCanFail(t *testing.T) {
	pii := samplePersonalData(t)
	for _, v := range []string{"jabbott58", "Jean-Pierre", "Abbott", "00179420", "Nwosu\n(formerly Eze)", "jabbott58@example.edu"} {
		if _, ok := pii[v]; !ok {
			t.Errorf("%q is not among the sample's personal data", v)
		}
	}
	for _, leak := range []string{
		`{"level":"info","message":"row 4: jabbott58"}`,
		"12:00:00 ERR users.csv row 9: found \"Layla\"",
		`{"level":"error","message":"found \"Nwosu\n(formerly Eze)\""}`,
	} {
		if len(personalDataIn(pii, leak)) == 0 {
			t.Errorf("the check misses the personal data in %s", leak)
		}
	}
}
