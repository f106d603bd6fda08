package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The semester's config file (fixtures/purgeset.toml) is what the reviewer signs off,
// so it must be read exactly: flags win over it, mistakes in it stop the run (exit 2,
// naming the file and the key), its paths are its own, and the manifest records which
// file, byte for byte, was used.

// writeConfigDir makes a directory holding the sample export, the fines list and a
// config file with body, and returns the config file's path.
func writeConfigDir(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	for src, dst := range map[string]string{sampleCSV: "users.csv", sampleProtect: "fines.csv"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "semester.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// semesterConfig is a complete config for the sample, with relative paths.
const semesterConfig = `# summer purge
inputs = ["users.csv"]
cutoff = "2024-07-01"
groups = ["Undergraduate", "Graduates 2021", "Alumni"]
protect = ["fines.csv"]
max_included_percent = 80.0
out = "out"
`

// runManifest is the part of manifest.json these tests read.
type runManifest struct {
	Tool struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Go      string `json:"go"`
	} `json:"tool"`
	Parameters map[string]any `json:"parameters"`
	Counts     struct {
		Included         int            `json:"included"`
		ExcludedByReason map[string]int `json:"excluded_by_reason"`
	} `json:"counts"`
}

// readRunManifest reads dir/manifest.json.
func readRunManifest(t *testing.T, dir string) runManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m runManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonStrings turns a JSON array into strings.
func jsonStrings(v any) []string {
	var s []string
	for _, x := range v.([]any) {
		s = append(s, x.(string))
	}
	return s
}

func TestConfigFileAlone(t *testing.T) {
	cfg := writeConfigDir(t, semesterConfig)
	code, _, stderr := cli(t, "run", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	m := readRunManifest(t, filepath.Join(filepath.Dir(cfg), "out"))
	if m.Parameters["cutoff"] != "2024-07-01" || m.Parameters["max_included_percent"] != 80.0 {
		t.Errorf("parameters %v", m.Parameters)
	}
	if g := jsonStrings(m.Parameters["groups"]); !reflect.DeepEqual(g, []string{"Undergraduate", "Graduates 2021", "Alumni"}) {
		t.Errorf("groups %q", g)
	}
	if m.Counts.Included != 182 || m.Counts.ExcludedByReason["protected"] != 3 {
		t.Errorf("included %d, protected %d: want the sample's 182 and 3", m.Counts.Included, m.Counts.ExcludedByReason["protected"])
	}
}

// TestConfigFlagsWin: a flag replaces the file's value, for a scalar (cutoff) and for
// a list (groups: the flag's groups replace the file's, they are not added to them);
// what no flag names still comes from the file.
func TestConfigFlagsWin(t *testing.T) {
	cfg := writeConfigDir(t, semesterConfig)
	out := filepath.Join(t.TempDir(), "flag-out")
	code, _, stderr := cli(t, "run", "--config", cfg, "--cutoff", "2023-01-01", "--group", "Alumni", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	m := readRunManifest(t, out)
	if m.Parameters["cutoff"] != "2023-01-01" {
		t.Errorf("cutoff %v, want the flag's 2023-01-01", m.Parameters["cutoff"])
	}
	if g := jsonStrings(m.Parameters["groups"]); !reflect.DeepEqual(g, []string{"Alumni"}) {
		t.Errorf("groups %q, want the flag's [Alumni] alone", g)
	}
	if m.Parameters["out"] != out {
		t.Errorf("out %v, want the flag's %s", m.Parameters["out"], out)
	}
	if p := jsonStrings(m.Parameters["protect"]); len(p) != 1 || p[0] != filepath.Join(filepath.Dir(cfg), "fines.csv") {
		t.Errorf("protect %q, want the file's, resolved", p)
	}
	if m.Parameters["max_included_percent"] != 80.0 {
		t.Errorf("max_included_percent %v, want the file's 80", m.Parameters["max_included_percent"])
	}
	// The decisions follow the flags, not just the recorded parameters.
	if m.Counts.Included >= 182 || m.Counts.ExcludedByReason["group_not_selected"] <= 40 {
		t.Errorf("included %d, group_not_selected %d: the flags did not take effect", m.Counts.Included,
			m.Counts.ExcludedByReason["group_not_selected"])
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "out")); err == nil {
		t.Error("the file's out directory was written although --out was given")
	}
}

func TestConfigUnknownKey(t *testing.T) {
	for _, c := range []struct{ body, key string }{
		{semesterConfig + "max_includd = 10\n", "max_includd"},
		{semesterConfig + "group = [\"Alumni\"]\n", "group"},
		{semesterConfig + "[limits]\nmax_included = 10\n", "limits.max_included"},
	} {
		cfg := writeConfigDir(t, c.body)
		code, _, stderr := cli(t, "run", "--config", cfg)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want 2\n%s", c.key, code, stderr)
		}
		if !strings.Contains(stderr, "unknown key ") || !strings.Contains(stderr, c.key) || !strings.Contains(stderr, cfg) {
			t.Errorf("%s: the message does not name the key and the file:\n%s", c.key, stderr)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "out")); err == nil {
			t.Errorf("%s: the out directory was created", c.key)
		}
	}
}

func TestConfigWrongType(t *testing.T) {
	for _, c := range []struct {
		line string
		bug  string // a known bug, described in the report; the case is skipped
	}{
		{line: `cutoff = 2024`},
		{line: `cutoff = 2024-07-01`}, // a TOML date, not text: the quotes are missing
		{line: `groups = "x"`},
		{line: `protect = "fines.csv"`},
		{line: `max_included = "10"`},
		{line: `split = 1.5`},
		{line: `all_groups = "yes"`},
		{line: `columns = {expiry = 5}`},
		{line: `columns = "expiry"`},
		{line: `cutoff = "2024-07-01`}, // not TOML at all
	} {
		t.Run(c.line, func(t *testing.T) {
			if c.bug != "" {
				t.Skip("known bug: " + c.bug)
			}
			key, _, _ := strings.Cut(c.line, " ")
			var body []string
			for _, l := range strings.Split(semesterConfig, "\n") {
				if !strings.HasPrefix(l, key+" ") {
					body = append(body, l)
				}
			}
			cfg := writeConfigDir(t, strings.Join(body, "\n")+c.line+"\n")
			code, _, stderr := cli(t, "run", "--config", cfg)
			if code != exitUsage {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
			if !strings.Contains(stderr, cfg) || !strings.Contains(stderr, key) {
				t.Errorf("the message does not name the file and the key:\n%s", stderr)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "out")); err == nil {
				t.Error("the out directory was created")
			}
		})
	}
}

func TestConfigUnreadable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "summer.toml")
	code, _, stderr := cli(t, "run", "--config", missing)
	if code != exitUsage || !strings.Contains(stderr, missing) {
		t.Errorf("exit %d, want 2 naming %s\n%s", code, missing, stderr)
	}
}

// TestConfigRelativePaths: inputs, protect lists and out in the file are taken from
// the file's directory, not from where purgeset runs, whether --config is given as an
// absolute or a relative path.
func TestConfigRelativePaths(t *testing.T) {
	cfg := writeConfigDir(t, semesterConfig)
	base := filepath.Dir(cfg)
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	rel, err := filepath.Rel(elsewhere, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, given := range []string{cfg, rel} {
		out := filepath.Join(base, "out")
		os.RemoveAll(out)
		code, _, stderr := cli(t, "run", "--config", given)
		if code != 0 {
			t.Fatalf("--config %s: exit %d\n%s", given, code, stderr)
		}
		m := readRunManifest(t, out)
		if m.Counts.ExcludedByReason["protected"] != 3 {
			t.Errorf("--config %s: protected %d, want 3", given, m.Counts.ExcludedByReason["protected"])
		}
		wantProtect := filepath.Join(base, "fines.csv")
		if i == 1 {
			wantProtect = filepath.Join(filepath.Dir(rel), "fines.csv")
		}
		if p := jsonStrings(m.Parameters["protect"]); len(p) != 1 || p[0] != wantProtect {
			t.Errorf("--config %s: protect %q, want %s", given, p, wantProtect)
		}
		if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
			t.Errorf("--config %s: files written to the working directory", given)
		}
	}
}

// TestConfigInManifest: the manifest's parameters name the config file as given and
// hold the sha256 of its bytes, so that the file the reviewer signed off can be
// matched; a run without a config file records neither.
func TestConfigInManifest(t *testing.T) {
	cfg := writeConfigDir(t, semesterConfig)
	code, _, stderr := cli(t, "run", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	m := readRunManifest(t, filepath.Join(filepath.Dir(cfg), "out"))
	if m.Parameters["config"] != cfg {
		t.Errorf("config %v, want %s", m.Parameters["config"], cfg)
	}
	if m.Parameters["config_sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("config_sha256 %v, want %s", m.Parameters["config_sha256"], hex.EncodeToString(sum[:]))
	}

	noConfig := readRunManifest(t, runSample(t))
	for _, k := range []string{"config", "config_sha256"} {
		if v, ok := noConfig.Parameters[k]; ok {
			t.Errorf("without --config, parameters hold %s = %v", k, v)
		}
	}
}
