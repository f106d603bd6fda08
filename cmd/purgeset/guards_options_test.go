package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The option guards of SPEC §8 that stop a run before any row is read: a repeated
// single-valued option, a future cutoff, an invalid --id-pattern. Each test runs the
// guard at its edge and just past it, checks the exit code, the message and that
// nothing was written, and that the guard's flag (where there is one) lets a
// deliberate run through with its warning in the manifest.

// guardManifest is the part of manifest.json the guard tests read.
type guardManifest struct {
	Parameters map[string]any `json:"parameters"`
	Counts     struct {
		Included         int            `json:"included"`
		ExcludedByReason map[string]int `json:"excluded_by_reason"`
	} `json:"counts"`
	Warnings []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Count   int    `json:"count"`
	} `json:"warnings"`
}

func readGuardManifest(t *testing.T, dir string) guardManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m guardManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// warning is the manifest's warning of code, or "" and false.
func (m guardManifest) warning(code string) (string, bool) {
	for _, w := range m.Warnings {
		if w.Code == code {
			return w.Message, true
		}
	}
	return "", false
}

// sampleRun is the sample export's usual command line into out, then extra.
func sampleRun(out string, extra ...string) []string {
	args := []string{"run", "--cutoff", "2024-07-01", "--group", "Undergraduate", "--group", "Graduates 2021",
		"--group", "Alumni", "--out", out}
	return append(append(args, extra...), sampleCSV)
}

// wantRefused checks the exit code, the message fragments and that out does not exist.
func wantRefused(t *testing.T, code int, stderr, out string, exit int, fragments ...string) {
	t.Helper()
	if code != exit {
		t.Errorf("exit %d, want %d\n%s", code, exit, stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(stderr, f) {
			t.Errorf("stderr lacks %q:\n%s", f, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written although the run was refused", out)
	}
}

func TestGuardRepeatedOption(t *testing.T) {
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"cutoff", []string{"--cutoff", "2023-01-01"}},
		{"out", []string{"--out", "elsewhere"}},
		{"date-order", []string{"--date-order", "dmy", "--date-order", "mdy"}},
		{"max-included", []string{"--max-included=10", "--max-included", "20"}},
		{"id-pattern", []string{"--id-pattern", "x", "--id-pattern", "y"}},
		{"dry-run", []string{"--dry-run", "--dry-run"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := cli(t, sampleRun(out, c.extra...)...)
			wantRefused(t, code, stderr, out, exitUsage, "--"+c.name+" is given twice", "remove one of them")
		})
	}
	// Repeatable options stay repeatable: the edge.
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, sampleRun(out, "--protect", sampleProtect, "--record-type", "Public", "--record-type", "Contact",
		"--column", "expiry=Expiry Date", "--column", "group=User Group", "--archive-column", "Email", "--archive-column", "Last Name")...)
	if code != 0 {
		t.Fatalf("repeatable options: exit %d\n%s", code, stderr)
	}
}

func TestGuardFutureCutoff(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1719792000") // 2024-07-01T00:00:00Z: today
	today := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, sampleRun(today)...); code != 0 {
		t.Fatalf("cutoff = today: exit %d\n%s", code, stderr)
	}
	if _, ok := readGuardManifest(t, today).warning("future_cutoff"); ok {
		t.Error("cutoff = today carries a future_cutoff warning")
	}

	out := filepath.Join(t.TempDir(), "out")
	args := sampleRun(out)
	args[2] = "2024-07-02"
	code, _, stderr := cli(t, args...)
	wantRefused(t, code, stderr, out, exitUsage, "--cutoff 2024-07-02 is after today (2024-07-01", "--allow-future-cutoff")

	// A far future cutoff is refused before any input is read: a missing input is
	// not what the message is about.
	args = []string{"run", "--cutoff", "2034-07-01", "--all-groups", "--out", out, "missing.csv"}
	code, _, stderr = cli(t, args...)
	wantRefused(t, code, stderr, out, exitUsage, "--cutoff 2034-07-01 is after today")

	args = sampleRun(out, "--allow-future-cutoff")
	args[2] = "2024-07-02"
	code, _, stderr = cli(t, args...)
	if code != 0 {
		t.Fatalf("--allow-future-cutoff: exit %d\n%s", code, stderr)
	}
	m := readGuardManifest(t, out)
	if msg, ok := m.warning("future_cutoff"); !ok || !strings.Contains(msg, "2024-07-02") {
		t.Errorf("future_cutoff warning %q (present %v)", msg, ok)
	}
	if m.Parameters["allow_future_cutoff"] != true {
		t.Errorf("parameters: allow_future_cutoff = %v", m.Parameters["allow_future_cutoff"])
	}
}

func TestGuardInvalidIDPattern(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", "--cutoff", "2024-07-01", "--all-groups", "--id-pattern", "s[0-9{7}", "--out", out, "missing.csv")
	wantRefused(t, code, stderr, out, exitUsage, `--id-pattern "s[0-9{7}" is not a valid pattern`, "missing closing ]")

	// The edge: a valid pattern that every sample ID of the usual form matches.
	code, _, stderr = cli(t, sampleRun(out, "--id-pattern", `.+`)...)
	if code != 0 {
		t.Fatalf("valid pattern: exit %d\n%s", code, stderr)
	}
	m := readGuardManifest(t, out)
	if m.Parameters["id_pattern"] != ".+" {
		t.Errorf("parameters: id_pattern = %v", m.Parameters["id_pattern"])
	}
	// Just past it: a pattern that the sample's letters+digits IDs do not match.
	out = filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, sampleRun(out, "--id-pattern", `s[0-9]{7}|[0-9]{8}`)...); code != 0 {
		t.Fatalf("--id-pattern: exit %d\n%s", code, stderr)
	}
	if n := readGuardManifest(t, out).Counts.ExcludedByReason["malformed_id"]; n <= m.Counts.ExcludedByReason["malformed_id"] {
		t.Errorf("--id-pattern excluded no more rows (malformed_id %d, was %d)", n, m.Counts.ExcludedByReason["malformed_id"])
	}
	got, details := badDecisions(t, filepath.Join(out, "decisions.csv"))
	found := false
	for _, row := range got {
		if strings.HasSuffix(row, " malformed_id") && details[strings.Fields(row)[0]] == "does not match --id-pattern" {
			found = true
		}
	}
	if !found {
		t.Error("no decision carries the detail \"does not match --id-pattern\"")
	}
}

// TestConfigMergeLists: for every list and map option, a flag combines with the config
// file as SPEC §8 says, and the manifest's parameters hold the merged values.
func TestConfigMergeLists(t *testing.T) {
	extra := filepath.Join(t.TempDir(), "extra.txt")
	if err := os.WriteFile(extra, []byte("s1001234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		file     string // lines added to semesterConfig
		flags    []string
		param    string
		want     any    // the merged parameter, as JSON decodes it
		override string // the config_overridden option, or ""
	}{
		{name: "protect adds up", flags: []string{"--protect", extra}, param: "protect",
			want: []any{"$DIR/fines.csv", extra}},
		{name: "groups replace", flags: []string{"--group", "Alumni"}, param: "groups",
			want: []any{"Alumni"}, override: "--group"},
		{name: "record types replace", file: `record_types = ["Public", "Contact"]`, flags: []string{"--record-type", "Public"},
			param: "record_types", want: []any{"Public"}, override: "--record-type"},
		{name: "columns merge by role", file: `columns = { expiry = "Expiry Date" }`, flags: []string{"--column", "group=User Group"},
			param: "columns", want: map[string]any{"expiry": "Expiry Date", "group": "User Group"}},
		{name: "a column flag wins for its own role", file: `columns = { expiry = "Expiry Date", group = "User Group" }`,
			flags: []string{"--column", "expiry=expiry date"}, param: "columns",
			want: map[string]any{"expiry": "expiry date", "group": "User Group"}, override: "--column expiry"},
		{name: "archive columns merge", file: `archive_columns = ["Email"]`, flags: []string{"--archive-column", "Last Name", "--archive-column", "email"},
			param: "archive_columns", want: []any{"Email", "Last Name"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfigDir(t, semesterConfig+c.file+"\n")
			dir := filepath.Dir(cfg)
			out := filepath.Join(dir, "out")
			code, _, stderr := cli(t, append([]string{"run", "--config", cfg}, c.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			m := readGuardManifest(t, out)
			want := c.want
			if l, ok := want.([]any); ok && len(l) > 0 && l[0] == "$DIR/fines.csv" {
				want = []any{filepath.Join(dir, "fines.csv"), l[1]}
			}
			if got := m.Parameters[c.param]; !reflect.DeepEqual(got, want) {
				t.Errorf("parameters: %s = %v, want %v", c.param, got, want)
			}
			msg, ok := m.warning("config_overridden")
			switch {
			case c.override == "" && ok:
				t.Errorf("config_overridden %q, but the flag replaced nothing", msg)
			case c.override != "" && (!ok || !strings.Contains(msg, c.override) || !strings.Contains(msg, cfg)):
				t.Errorf("config_overridden %q (present %v), want it to name %s and the file", msg, ok, c.override)
			case c.override != "" && !strings.Contains(stderr, "config_overridden"):
				t.Errorf("the override is not logged:\n%s", stderr)
			}
		})
	}
}

// TestConfigMergeProtectCounts: the slip. Naming one more protect list on the
// command line keeps the file's fines list: its three users stay protected.
func TestConfigMergeProtectCounts(t *testing.T) {
	cfg := writeConfigDir(t, semesterConfig)
	extra := filepath.Join(t.TempDir(), "extra.txt")
	if err := os.WriteFile(extra, []byte("s1001234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "run", "--config", cfg, "--protect", extra)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	m := readGuardManifest(t, filepath.Join(filepath.Dir(cfg), "out"))
	if m.Counts.Included > 182 || m.Counts.ExcludedByReason["protected"] < 3 {
		t.Errorf("included %d, protected %d: the file's protect list was dropped", m.Counts.Included, m.Counts.ExcludedByReason["protected"])
	}
}

// TestConfigErrorsInUsersWords: a near-miss key gets a "did you mean", a wrong kind of
// value says what to write, and no message speaks the TOML library's language.
func TestConfigErrorsInUsersWords(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"max_includd = 10", "did you mean max_included?"},
		{`group = ["Alumni"]`, "did you mean groups?"},
		{`record-type = ["Public"]`, "did you mean record_types?"},
		{`Cutoff = "2024-07-01"`, "did you mean cutoff?"},
		{`idpattern = "x"`, "did you mean id_pattern?"},
		{`groups = "Alumni"`, `key "groups": want a list of user group names in quotes, e.g. groups = ["Alumni", "Graduates 2021"], found the text "Alumni"`},
		{`cutoff = 2024-07-01`, `key "cutoff": want a date in quotes, e.g. cutoff = "2024-07-01", found a date without quotes`},
		{`split = 1.5`, `key "split": want a whole number without quotes`},
		{`columns = { expiry = 5 }`, `key "columns": want a table of role = "header"`},
		{`out = "x`, "line 7 (at key \"out\")"}, // the line of the damage
	} {
		t.Run(c.line, func(t *testing.T) {
			key, _, _ := strings.Cut(c.line, " ")
			var body []string
			for _, l := range strings.Split(semesterConfig, "\n") {
				if !strings.HasPrefix(l, key+" ") {
					body = append(body, l)
				}
			}
			cfg := writeConfigDir(t, strings.Join(body, "\n")+c.line+"\n")
			code, _, stderr := cli(t, "run", "--config", cfg)
			if code != exitUsage || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, cfg) {
				t.Errorf("exit %d, want 2 and %q naming the file:\n%s", code, c.want, stderr)
			}
			for _, jargon := range []string{"destination", "incompatible types", "toml: line", "has type", "Hash", "slice"} {
				if strings.Contains(stderr, jargon) {
					t.Errorf("the message speaks the library's language (%q):\n%s", jargon, stderr)
				}
			}
		})
	}
}

// TestMergeFlagsCoversEveryFlag: a flag added to bindRunFlags but forgotten in
// mergeFlags would be silently ignored; every flag given must change the options.
func TestMergeFlagsCoversEveryFlag(t *testing.T) {
	var flags runOptions
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	bindRunFlags(fs, &flags)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" {
			return // read before merging
		}
		flags = defaultRunOptions()
		fs2 := pflag.NewFlagSet("run", pflag.ContinueOnError)
		bindRunFlags(fs2, &flags)
		value := map[string]string{"bool": "true", "int": "7", "float64": "7", "ROLE=HEADER": "id=X"}[f.Value.Type()]
		if value == "" {
			value = "x"
		}
		if err := fs2.Set(f.Name, value); err != nil {
			t.Fatalf("--%s %s: %v", f.Name, value, err)
		}
		merged := defaultRunOptions()
		mergeFlags(&merged, &flags, fs2.Changed, nil)
		if reflect.DeepEqual(merged, defaultRunOptions()) {
			t.Errorf("--%s %s is not merged", f.Name, value)
		}
	})
}
