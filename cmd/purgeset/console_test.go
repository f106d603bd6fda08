package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCountAndDuration(t *testing.T) {
	for _, c := range []struct {
		n         int
		one, many string
		want      string
	}{{1, "ID", "IDs", "1 ID"}, {0, "ID", "IDs", "0 IDs"}, {2, "mismatch", "mismatches", "2 mismatches"}, {1, "mismatch", "mismatches", "1 mismatch"}} {
		if got := count(c.n, c.one, c.many); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{340123 * time.Microsecond: "340ms", 1234 * time.Millisecond: "1.2s", 65400 * time.Millisecond: "1m5s"} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestConsoleShowsEachWarningOnce: on the console a data warning is in the summary
// only, and the done line has plain fields and a duration with a unit; in JSON each
// warning is a log line and the done line keeps its documented object.
func TestConsoleShowsEachWarningOnce(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := sampleArgs(filepath.Join(t.TempDir(), "out"))
	args = append(args[:1], args[2:]...) // without --quiet
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"bad_purge_date", "no_purge_date", "short_numeric_id"} {
		if n := strings.Count(stdout.String()+stderr.String(), code); n != 1 {
			t.Errorf("%s shown %d times on the console, want once", code, n)
		}
	}
	done := lastLine(stderr.String())
	if !strings.Contains(done, " done ") || strings.ContainsAny(done, "{}") || !strings.Contains(done, "excluded.not_expired=") {
		t.Errorf("done line is not plain fields: %s", done)
	}
	if !regexpDuration.MatchString(done) {
		t.Errorf("done line has no duration with a unit: %s", done)
	}
	if !strings.Contains(stdout.String(), "(1 ID)") && !strings.Contains(stdout.String(), " IDs)") {
		t.Errorf("summary lists no set file with its IDs:\n%s", stdout.String())
	}

	stdout.Reset()
	stderr.Reset()
	args = append(sampleArgs(filepath.Join(t.TempDir(), "out2")), "--log-format", "json")
	args = append(args[:1], args[2:]...)
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr.String(), `"code":"no_purge_date"`); n != 1 {
		t.Errorf("JSON log has %d no_purge_date lines, want 1", n)
	}
	if !strings.Contains(lastLine(stderr.String()), `"excluded_by_reason":{`) {
		t.Errorf("JSON done line lacks excluded_by_reason: %s", lastLine(stderr.String()))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestCompletionValues: enum flags complete their values, --group the groups of the inputs
// on the command line, most rows first.
func TestCompletionValues(t *testing.T) {
	complete := func(args ...string) string {
		var stdout bytes.Buffer
		if err := run(context.Background(), append([]string{"__complete"}, args...), &stdout, &bytes.Buffer{}); err != nil {
			t.Fatalf("__complete %q: %v", args, err)
		}
		return stdout.String()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--date-order", ""}, "mdy\ndmy\n"},
		{[]string{"run", "--set-format", ""}, "xlsx\ntxt\nboth\n"},
		{[]string{"--log-format", ""}, "console\njson\n"},
		{[]string{"inspect", "--format", ""}, "text\njson\n"},
		{[]string{"diff", "--format", ""}, "text\ncsv\njson\n"},
		{[]string{"run", repo + "/fixtures/users-sample.csv", "--group", ""}, "Undergraduate\t121 rows\nAlumni\t92 rows\nGraduates 2021\t46 rows\n"},
		{[]string{"run", repo + "/fixtures/users-sample.csv", "--group", "Gr"}, "Graduates 2021\t46 rows\nGraduate\t7 rows\n:"},
	} {
		if got := complete(c.args...); !strings.HasPrefix(got, c.want) {
			t.Errorf("complete %q:\n%s\nwant it to start with\n%s", c.args, got, c.want)
		}
	}
}

var regexpDuration = regexp.MustCompile(`duration=[0-9.]+(ms|s|m[0-9]+s)\b`)
