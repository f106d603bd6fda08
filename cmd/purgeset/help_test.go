package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/purgeset/purgeset/pipeline"
)

// What people at a terminal meet first: help, typos, completion, version.

// allCommands is every command of the app, root first, including the help and
// completion commands cobra adds when it runs.
func allCommands() []*cobra.Command {
	root := newApp(io.Discard, io.Discard).rootCommand()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return all
}

// TestHelpListsEveryFlag: `--help` of every command shows each of its flags and the
// global ones, hidden flags aside.
func TestHelpListsEveryFlag(t *testing.T) {
	cmds := allCommands()
	if len(cmds) < 12 {
		t.Fatalf("only %d commands found", len(cmds))
	}
	for _, c := range cmds {
		path := strings.Fields(c.CommandPath())[1:]
		t.Run(c.CommandPath(), func(t *testing.T) {
			code, stdout, stderr := cli(t, append(path, "--help")...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "Usage:") {
				t.Fatalf("no usage:\n%s", stdout)
			}
			n := 0
			check := func(f *pflag.Flag) {
				if f.Hidden {
					return
				}
				n++
				if !regexp.MustCompile(`(?m)--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(stdout) {
					t.Errorf("--help does not list --%s:\n%s", f.Name, stdout)
				}
			}
			c.Flags().VisitAll(check)
			c.PersistentFlags().VisitAll(check)
			c.InheritedFlags().VisitAll(check)
			if n < 3 {
				t.Errorf("only %d flags checked", n)
			}
		})
	}
}

// TestHelpRunGolden: `purgeset help run` is the reference staff read; a change to it
// shows as a diff here. Rewrite it with
// `go test ./cmd/purgeset -run HelpRunGolden -update` and review the diff.
func TestHelpRunGolden(t *testing.T) {
	code, stdout, stderr := cli(t, "help", "run")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	golden := filepath.Join("testdata", "help-run.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if stdout != string(want) {
		t.Errorf("`purgeset help run` differs from %s (rewrite it with -update if the change is right):\n%s",
			golden, firstDiff(string(want), stdout))
	}
	_, runHelp, _ := cli(t, "run", "--help")
	if runHelp != stdout {
		t.Errorf("`purgeset run --help` differs from `purgeset help run`:\n%s", firstDiff(stdout, runHelp))
	}
}

// TestTypos: an unknown flag or command is a usage error (exit 2) with a suggestion;
// cobra suggests commands, suggest.go suggests flags.
func TestTypos(t *testing.T) {
	cases := []struct {
		args    []string
		suggest string // "" when nothing is near enough to suggest
	}{
		{[]string{"run", "--cutof", "2024-07-01", "x.csv"}, "did you mean --cutoff?"},
		{[]string{"run", "--cutoff=2024-07-01", "--gruop", "Alumni", "x.csv"}, "did you mean --group?"},
		{[]string{"run", "--max-include-percent", "40", "x.csv"}, "did you mean --max-included-percent?"},
		{[]string{"run", "--dryrun", "x.csv"}, "did you mean --dry-run?"},
		{[]string{"inspect", "--formt", "json", "x.csv"}, "did you mean --format?"},
		{[]string{"--verbos", "run"}, "did you mean --verbose?"},
		{[]string{"run", "--log-fromat", "json"}, "did you mean --log-format?"},
		{[]string{"diff", "--hepl"}, "did you mean --help?"},
		{[]string{"run", "--expiry-before", "2024-07-01"}, ""},
		{[]string{"run", "--cpuprofil", "x"}, ""}, // a hidden flag is never suggested
		{[]string{"run", "-x"}, ""},
		{[]string{"rnu", "--cutoff", "2024-07-01"}, "Did you mean this?\n\trun\n"},
		{[]string{"inspec", "x.csv"}, "Did you mean this?\n\tinspect\n"},
		{[]string{"verfy"}, "Did you mean this?\n\tverify\n"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, c.args...)
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if c.suggest != "" && !strings.Contains(stderr, c.suggest) {
				t.Errorf("stderr lacks %q:\n%s", c.suggest, stderr)
			}
			if c.suggest == "" && strings.Contains(strings.ToLower(stderr), "did you mean") {
				t.Errorf("a suggestion where none is near:\n%s", stderr)
			}
			if code != exitUsage {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"cutoff", "cutoff", 0}, {"cutof", "cutoff", 1}, {"gruop", "group", 2},
		{"", "out", 3}, {"kitten", "sitting", 3}, {"dryrun", "dry-run", 1}, {"größe", "grosse", 3},
	} {
		if got := pipeline.EditDistance(c.a, c.b); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := pipeline.EditDistance(c.b, c.a); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.b, c.a, got, c.d)
		}
	}
}

// TestCompletion: cobra's completion command prints a script for each shell.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, stdout, stderr := cli(t, "completion", shell)
		if code != 0 || stderr != "" {
			t.Errorf("%s: exit %d\n%s", shell, code, stderr)
		}
		if len(stdout) < 1000 || !strings.Contains(stdout, "purgeset") {
			t.Errorf("%s: not a completion script (%d bytes):\n%.300s", shell, len(stdout), stdout)
		}
	}
}

// TestVersion: `purgeset version` and the manifest's tool field say the same, also
// when the version is set at build time (-ldflags "-X main.version=…").
func TestVersion(t *testing.T) {
	for _, v := range []string{"", "v1.4.2-test"} {
		old := version
		version = v
		t.Cleanup(func() { version = old })

		code, stdout, stderr := cli(t, "version")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		m := regexp.MustCompile(`^purgeset (\S+) \(commit (\S+), (go\S+)\)\n$`).FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("version output %q: want \"purgeset VERSION (commit COMMIT, GO)\"", stdout)
		}
		if v != "" && m[1] != v {
			t.Errorf("version %q, want the build-time %q", m[1], v)
		}
		if m[3] != runtime.Version() {
			t.Errorf("go %q, want %q", m[3], runtime.Version())
		}

		tool := readRunManifest(t, runSample(t)).Tool
		commit := tool.Commit
		if commit == "" {
			commit = "unknown"
		}
		if tool.Name != "purgeset" || tool.Version != m[1] || commit != m[2] || tool.Go != m[3] {
			t.Errorf("manifest tool %+v, `purgeset version` %q", tool, stdout)
		}
	}
}
