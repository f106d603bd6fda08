package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/fixtures/gen"
)

// A batch job runs purgeset without a terminal, with --log-format json, and reads
// the exit code and the log (docs/logging.md). These tests hold the log to what that
// page promises.

// jsonLogLines decodes stderr as JSON lines and checks the fields every line has:
// level, time (RFC 3339) and message.
func jsonLogLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	if stderr == "" {
		return nil
	}
	if !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr does not end with a line break: %q", stderr)
	}
	var lines []map[string]any
	for i, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stderr line %d is not a JSON object: %v\n%s", i+1, err, l)
		}
		for _, k := range []string{"level", "time", "message"} {
			if _, ok := m[k].(string); !ok {
				t.Errorf("stderr line %d has no string %q: %s", i+1, k, l)
			}
		}
		if ts, _ := m["time"].(string); ts != "" {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("stderr line %d: time %q is not RFC 3339", i+1, ts)
			}
		}
		switch m["level"] {
		case "debug", "info", "warn", "error":
		default:
			t.Errorf("stderr line %d: level %v", i+1, m["level"])
		}
		lines = append(lines, m)
	}
	return lines
}

// logNum is a JSON number field of a log line, failing when it is absent.
func logNum(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Errorf("%q is not a number in %v", key, m)
	}
	return v
}

// manifestCounts reads counts from a run directory's manifest.
func manifestCounts(t *testing.T, dir string) (data, included, excluded int, byReason map[string]int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Counts struct {
			DataRows         int            `json:"data_rows"`
			Included         int            `json:"included"`
			Excluded         int            `json:"excluded"`
			ExcludedByReason map[string]int `json:"excluded_by_reason"`
		} `json:"counts"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	c := m.Counts
	return c.DataRows, c.Included, c.Excluded, c.ExcludedByReason
}

func TestJSONLogSuccess(t *testing.T) {
	pii := samplePersonalData(t)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, append([]string{"--log-format", "json"}, sampleRunArgs(out, sampleCSV)...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := jsonLogLines(t, stderr)
	if len(lines) < 2 {
		t.Fatalf("want at least the reading and done lines:\n%s", stderr)
	}
	for _, l := range lines {
		if l["level"] == "error" {
			t.Errorf("an error line in a successful run: %v", l)
		}
	}
	done := lines[len(lines)-1]
	if done["message"] != "done" || done["level"] != "info" {
		t.Fatalf("the last line is not the info \"done\" line: %v", done)
	}
	data, included, excluded, byReason := manifestCounts(t, out)
	if got := logNum(t, done, "data_rows"); int(got) != data || data != 302 {
		t.Errorf("data_rows %v, manifest %d, want 302", got, data)
	}
	if got := logNum(t, done, "included"); int(got) != included || included != 182 {
		t.Errorf("included %v, manifest %d, want 182", got, included)
	}
	if got := logNum(t, done, "excluded"); int(got) != excluded {
		t.Errorf("excluded %v, manifest %d", got, excluded)
	}
	reasons, ok := done["excluded_by_reason"].(map[string]any)
	if !ok {
		t.Fatalf("excluded_by_reason is not an object: %v", done)
	}
	if len(reasons) != len(byReason) {
		t.Errorf("excluded_by_reason %v, manifest %v", reasons, byReason)
	}
	for r, n := range byReason {
		if got, _ := reasons[r].(float64); int(got) != n {
			t.Errorf("excluded_by_reason[%s] = %v, manifest %d", r, reasons[r], n)
		}
	}
	if d := logNum(t, done, "duration"); d <= 0 {
		t.Errorf("duration %v, want milliseconds > 0", d)
	}
	if done["out"] != out || logNum(t, done, "files") != 5 {
		t.Errorf("out %v files %v, want %s and 5", done["out"], done["files"], out)
	}
	checkNoPersonalData(t, pii, stderr)
}

func TestJSONLogDryRun(t *testing.T) {
	code, _, stderr := cli(t, append([]string{"--log-format", "json"}, sampleRunArgs("", "--dry-run", sampleCSV)...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := jsonLogLines(t, stderr)
	done := lines[len(lines)-1]
	if done["message"] != "done" || logNum(t, done, "included") != 182 || logNum(t, done, "data_rows") != 302 {
		t.Errorf("last line %v", done)
	}
	if _, ok := done["out"]; ok {
		t.Errorf("a dry run names an output directory: %v", done)
	}
	if first := lines[0]; first["message"] != "reading inputs" || first["dry_run"] != true {
		t.Errorf("first line %v, want \"reading inputs\" with dry_run true", first)
	}
}

// TestJSONLogErrors: a failed run ends with one error line holding exit_code (the
// process's exit code), duration, and file and row where known; nothing follows it
// and no "done" line comes before it.
func TestJSONLogErrors(t *testing.T) {
	badConfig := filepath.Join(t.TempDir(), "semester.toml")
	if err := os.WriteFile(badConfig, []byte("cutoff = \"2024-07-01\"\nmax_includd = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args func(t *testing.T) ([]string, string) // the command line and the input file
		exit int
		row  int    // 0: no row field
		msg  string // the message holds this
	}{
		{"safety stop", func(t *testing.T) ([]string, string) {
			return sampleRunArgs(filepath.Join(t.TempDir(), "out"), "--max-included-percent", "40", sampleCSV), ""
		}, exitSafety, 0, "safety stop: 182 of 302 data rows"},
		{"slash date on a row", func(t *testing.T) ([]string, string) {
			p := sampleVariant(t, "slash.csv", replaceOnRow(t, 4, "2022-12-18", "12/18/2022"))
			return sampleRunArgs(filepath.Join(t.TempDir(), "out"), p), p
		}, exitInput, 4, "--date-order"},
		{"shifted row", func(t *testing.T) ([]string, string) {
			p := sampleVariant(t, "shifted.csv", replaceOnRow(t, 6, "Mary-Kate,Abbott,", "Mary-Kate,Abbott,Jr,"))
			return sampleRunArgs(filepath.Join(t.TempDir(), "out"), p), p
		}, exitInput, 6, "the row has 9 fields but the header has 8"},
		{"missing input", func(t *testing.T) ([]string, string) {
			p := filepath.Join(t.TempDir(), "users-2024.csv")
			return sampleRunArgs(filepath.Join(t.TempDir(), "out"), p), p
		}, exitInput, 0, "cannot open the file"},
		{"bad config", func(t *testing.T) ([]string, string) {
			return []string{"run", "--config", badConfig}, ""
		}, exitUsage, 0, "unknown key max_includd"},
		{"flag typo", func(t *testing.T) ([]string, string) {
			return []string{"run", "--cutof", "2024-07-01", sampleCSV}, ""
		}, exitUsage, 0, "did you mean --cutoff?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args, file := c.args(t)
			code, _, stderr := cli(t, append([]string{"--log-format", "json"}, args...)...)
			if code != c.exit {
				t.Fatalf("exit %d, want %d\n%s", code, c.exit, stderr)
			}
			lines := jsonLogLines(t, stderr)
			if len(lines) == 0 {
				t.Fatal("no log line")
			}
			last := lines[len(lines)-1]
			for _, l := range lines[:len(lines)-1] {
				if l["level"] == "error" || l["message"] == "done" {
					t.Errorf("before the final error line: %v", l)
				}
			}
			if last["level"] != "error" || int(logNum(t, last, "exit_code")) != c.exit {
				t.Errorf("last line %v, want level error and exit_code %d", last, c.exit)
			}
			if msg, _ := last["message"].(string); !strings.Contains(msg, c.msg) {
				t.Errorf("message %q lacks %q", msg, c.msg)
			}
			if logNum(t, last, "duration") <= 0 {
				t.Errorf("duration %v", last["duration"])
			}
			if file != "" && last["file"] != file {
				t.Errorf("file %v, want %s", last["file"], file)
			}
			if file == "" && last["file"] != nil {
				t.Errorf("file %v, want none", last["file"])
			}
			if c.row > 0 && logNum(t, last, "row") != float64(c.row) {
				t.Errorf("row %v, want %d", last["row"], c.row)
			}
			if _, ok := last["row"]; c.row == 0 && ok {
				t.Errorf("row %v, want none", last["row"])
			}
		})
	}
}

// TestJSONLogQuiet: --quiet leaves a batch job's log empty on success and keeps the
// final error line on failure.
func TestJSONLogQuiet(t *testing.T) {
	code, stdout, stderr := cli(t, append([]string{"--log-format", "json", "--quiet"},
		sampleRunArgs(filepath.Join(t.TempDir(), "out"), sampleCSV)...)...)
	if code != 0 || stderr != "" || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q: want 0 and nothing", code, stdout, stderr)
	}
	code, _, stderr = cli(t, append([]string{"--log-format", "json", "--quiet"},
		sampleRunArgs(filepath.Join(t.TempDir(), "out"), "--max-included", "10", sampleCSV)...)...)
	lines := jsonLogLines(t, stderr)
	if code != exitSafety || len(lines) != 1 || lines[0]["level"] != "error" || logNum(t, lines[0], "exit_code") != exitSafety {
		t.Errorf("exit %d, stderr:\n%s\nwant 4 and one error line", code, stderr)
	}
}

// progressMarks are what a progress bar writes: carriage returns, escape sequences,
// the bar's blocks and its spinner.
var progressMarks = []string{"\r", "\x1b", "█", "▏", "▌", "░", "▓", "⠋", "it/s", "B/s", "%|"}

// TestNoProgressWithoutTerminal: the bar is for people at a terminal. Tests have
// none, as batch jobs have none: stderr must hold log lines only, whether it is a
// buffer or a file. The input is large enough that the pipeline reports progress
// several times.
func TestNoProgressWithoutTerminal(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "big.csv")
	var b bytes.Buffer
	if err := gen.Write(&b, gen.Options{Rows: 30000, Seed: 1, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--verbose"}} {
		args := append(append([]string{"run", "--cutoff", "2024-07-01", "--all-groups", "--dry-run"}, extra...), input)

		var stdout, buf bytes.Buffer
		err := run(context.Background(), args, &stdout, &buf)
		if exitCode(err) != 0 {
			t.Fatalf("%v: %v\n%s", args, err, buf.String())
		}
		f, err := os.Create(filepath.Join(dir, "stderr.log"))
		if err != nil {
			t.Fatal(err)
		}
		err = run(context.Background(), args, &stdout, f)
		f.Close()
		if exitCode(err) != 0 {
			t.Fatalf("%v: %v", args, err)
		}
		file, _ := os.ReadFile(f.Name())

		for name, stderr := range map[string]string{"buffer": buf.String(), "file": string(file)} {
			for _, m := range progressMarks {
				if strings.Contains(stderr, m) {
					t.Errorf("%v, stderr a %s: holds %q, a progress bar's mark:\n%q", extra, name, m, stderr)
				}
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if !strings.Contains(l, " WRN ") || !strings.Contains(l, " code=") {
					lines = append(lines, l) // data warnings (code=…) may follow the done line
				}
			}
			if len(lines) != 2 || !strings.Contains(lines[0], "reading inputs") || !strings.Contains(lines[1], "done") {
				t.Errorf("%v, stderr a %s: want the reading and done lines, and warnings, only:\n%s", extra, name, stderr)
			}
		}
	}
}

// TestJSONLogCommandLineErrors: a mistake on the command line of a batch job is
// reported in JSON too, as long as --log-format json stands before it.
func TestJSONLogCommandLineErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		bug  string // a known bug, described in the report; skipped while it shows
	}{
		{args: []string{"--log-format", "json", "run", "--cutof", "2024-07-01", sampleCSV}},
		{args: []string{"run", "--log-format", "json", "--max-included", "ten", sampleCSV}},
		{args: []string{"--log-format", "json", "run", "--cutoff", "2024-07-01", "--all-groups", "--dry-run"}},
		{args: []string{"--log-format", "json", "verify"}},
		{args: []string{"--log-format", "json", "rnu"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := cli(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
			if c.bug != "" && !strings.HasPrefix(stderr, "{") {
				t.Skip("known bug: " + c.bug)
			}
			lines := jsonLogLines(t, stderr)
			if last := lines[len(lines)-1]; last["level"] != "error" || logNum(t, last, "exit_code") != exitUsage {
				t.Errorf("last line %v", last)
			}
		})
	}
}
