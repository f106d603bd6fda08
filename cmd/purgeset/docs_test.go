package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestDocs runs every command shown in the docs below against copies of fixtures/ and
// compares the output the docs show with the real one, so that the docs cannot drift
// from the program.
//
// The convention, for the Markdown files in docFiles:
//
//   - A ```console block holds commands, each on a line starting with "$ " (a trailing
//     "\" continues it on the next line), each followed by the output it prints, stdout
//     and stderr as a terminal shows them, in the order they were written. Output is
//     compared line by line after masking what varies from run to run (see docMask).
//     `echo $?` prints the exit code of the command before it; `cat FILE` prints a file.
//     A line "…" alone stands for any lines: the doc shows part of the output, and the
//     parts around it must match in order (-update-docs writes the whole output when
//     they no longer do).
//   - A ```sh block holds commands whose output the docs do not show: each is run and
//     must exit 0.
//   - A block whose info string has file=NAME (```toml file=purge.toml) is not run: its
//     text is written to NAME in the doc's folder, where the commands below it read it.
//   - <!-- docs-test: setup=NAME --> on the line before a block runs the Go function
//     docSetups[NAME] before that block (a tampered copy of a run, a broken input …).
//   - A command that cannot run here (make, apt-get, an Alma with a real key, a pipe) is
//     in docNotRun with the reason. Any other command that cannot run fails the test, a
//     "$ " line in a block that is not console fails it, and so does a docNotRun entry
//     that no doc uses.
//
// Each doc file runs in its own temporary folder, in document order, holding the
// fixtures under the names the docs use (docFixtures); "/srv/purge" in a command is
// that folder, and that folder in the output reads "/srv/purge".
//
// `go test ./cmd/purgeset -run TestDocs -update-docs` rewrites the shown outputs from
// the real ones (lines that match after masking are kept as they are) and regenerates
// fixtures/users-after.csv; read the diff, the prose around an output must stay true.
var updateDocs = flag.Bool("update-docs", false, "rewrite the outputs shown in the docs from the real ones")

var docFiles = []string{"README.md", "docs/guide.md", "docs/commands.md", "docs/logging.md"}

// docFixtures are the files each doc's folder starts with: name there <- fixtures/name.
var docFixtures = map[string]string{
	"users-sample.csv":       "users-sample.csv",
	"users-sample.xlsx":      "users-sample.xlsx",
	"protect-fines.csv":      "protect-fines.csv",
	"purge-group-sample.csv": "purge-group-sample.csv",
	"users-after.csv":        "users-after.csv",
	"users.csv":              "users-sample.csv",
	"users.xlsx":             "users-sample.xlsx",
	"fines.csv":              "protect-fines.csv",
	"purge-group.csv":        "purge-group-sample.csv",
	"purge-2024-07.toml":     "purgeset.toml",
}

// docNotRun are the commands TestDocs does not run, by prefix, and why.
var docNotRun = map[string]string{
	"make run":                      "builds the binary and writes ./out in the repository; TestDocs runs the same config (guide step 6)",
	"make test":                     "runs every test, this one included",
	"make install":                  "installs into the machine's GOPATH/bin or PREFIX/bin; make build is the same build",
	"echo 'export PATH=":            "edits the reader's shell start-up file",
	"shasum -a 256 -c SHA256SUMS":   "needs the archives of make dist (make dist-check checks them)",
	"xattr -d com.apple.quarantine": "macOS only, on a downloaded archive",
	"purgeset verify --rerun purge-2024-07   # a run with --no-archive": "a consistent forgery (IDs replaced, hashes and run ID redone) that TestDocs does not build",
	"export ALMA_API_KEY=": "a real Alma API key; the alma commands are tested against pipeline/alma/almafake",
	"purgeset alma upload": "needs a real Alma; tested against pipeline/alma/almafake in alma_test.go",
}

func TestDocs(t *testing.T) {
	fixedTime(t)
	t.Setenv("SOURCE_DATE_EPOCH", docEpoch)
	// Log times as the docs show them, whatever the machine's time zone (masked anyway).
	oldLocal, now := time.Local, time.Unix(docEpochSeconds, 0).UTC()
	zerolog.TimestampFunc, time.Local = func() time.Time { return now }, time.UTC
	t.Cleanup(func() { time.Local = oldLocal })
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("users-after", func(t *testing.T) { checkUsersAfter(t, repo) })
	used := map[string]bool{}
	for _, name := range docFiles {
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) { runDoc(t, repo, name, used) })
	}
	if t.Failed() {
		return
	}
	var stale []string
	for prefix := range docNotRun {
		if !used[prefix] {
			stale = append(stale, prefix)
		}
	}
	sort.Strings(stale)
	for _, p := range stale {
		t.Errorf("docNotRun lists %q, which no doc shows any more: remove it", p)
	}
}

// docEpoch is the docs' "now": 2 July 2024 15:01:34 UTC, the day after the sample's
// cutoff, so that "today" in a message is the date the docs show.
const (
	docEpoch        = "1719932494"
	docEpochSeconds = 1719932494
)

// docRun is one doc file being run.
type docRun struct {
	t      *testing.T
	path   string // as named in docFiles, for messages
	dir    string // the doc's folder
	status int    // exit code of the last command, for echo $?
	lines  []string
	edits  map[int]docEdit // by first output line
	used   map[string]bool
}

type docEdit struct {
	n   int // lines replaced
	new []string
}

func runDoc(t *testing.T, repo, name string, used map[string]bool) {
	blocks, lines, err := parseDoc(filepath.Join(repo, name))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	dir := filepath.Join(root, "purge")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for to, from := range docFixtures {
		b, err := os.ReadFile(filepath.Join(repo, "fixtures", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	d := &docRun{t: t, path: name, dir: dir, lines: lines, edits: map[int]docEdit{}, used: used}
	ran := 0
	for _, b := range blocks {
		for _, s := range b.setups {
			setup, ok := docSetups[s]
			if !ok {
				t.Fatalf("%s:%d: no setup %q in docSetups", name, b.line, s)
			}
			setup(t, dir)
		}
		switch {
		case b.file != "":
			if err := os.WriteFile(filepath.Join(dir, b.file), []byte(strings.Join(b.body, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		case b.lang == "console":
			for _, c := range b.commands() {
				ran += d.console(c)
			}
		case b.lang == "sh":
			for _, c := range b.shellCommands() {
				ran += d.shell(c)
			}
		default:
			for i, l := range b.body {
				if strings.HasPrefix(l, "$ ") {
					t.Errorf("%s:%d: a command in a ``` block that is not console: mark the block ```console so that TestDocs runs it", name, b.line+1+i)
				}
			}
		}
	}
	ran += d.inline()
	t.Logf("%s: ran %d commands", name, ran)
	if *updateDocs && len(d.edits) > 0 {
		d.rewrite(filepath.Join(repo, name))
	}
}

// inline runs the `purgeset …` command lines of the prose, after the blocks (so that
// the run directories the blocks make are there). Their output is not shown, so only a
// usage error (exit 2: a renamed command or flag), a rejected input (3: a file the docs
// name that the fixtures lack) or a failure (1) fails the test.
func (d *docRun) inline() int {
	run, named := inlineCommands(d.lines)
	for _, c := range named {
		d.t.Logf("%s:%d: `%s` names a command, not a whole command line: not run", d.path, c.line, c.text)
	}
	ran := 0
	for _, c := range run {
		if d.notRun(c.text) {
			continue
		}
		got, err := d.exec(c.text)
		if err != nil {
			d.t.Errorf("%s:%d: `%s`: %v; make it runnable or add it to docNotRun (cmd/purgeset/docs_test.go) with the reason", d.path, c.line, c.text, err)
			continue
		}
		if d.status == exitUsage || d.status == exitInput || d.status == exitFailure {
			d.t.Errorf("%s:%d: `%s`: exit %d:\n%s", d.path, c.line, c.text, d.status, strings.Join(got, "\n"))
		}
		ran++
	}
	return ran
}

// notRun reports whether a command is on the docNotRun list, and marks it used.
func (d *docRun) notRun(text string) bool {
	for prefix := range docNotRun {
		if strings.HasPrefix(text, prefix) {
			d.used[prefix] = true
			return true
		}
	}
	return false
}

// console runs one command of a console block and compares its output.
func (d *docRun) console(c docCmd) int {
	if d.notRun(c.text) {
		d.status = -1
		return 0
	}
	if d.status < 0 && strings.Contains(c.text, "$?") {
		d.t.Logf("%s:%d: $ %s: not run: the command before it was not run (docNotRun)", d.path, c.line, c.text)
		return 0
	}
	got, err := d.exec(c.text)
	if err != nil {
		d.t.Errorf("%s:%d: $ %s: %v; make it runnable or add it to docNotRun (cmd/purgeset/docs_test.go) with the reason", d.path, c.line, c.text, err)
		return 0
	}
	want := trimBlank(c.want)
	got = trimBlank(got)
	if elidedMatch(want, got) {
		return 1
	}
	if diff, same := docDiff(want, got, c.wantFirst); !same {
		if *updateDocs {
			d.edits[c.wantFirst] = docEdit{len(want), keepMasked(want, got)}
			return 1
		}
		d.t.Errorf("%s:%d: $ %s\nthe output differs from the doc (- doc line, + real; `go test ./cmd/purgeset -run TestDocs -update-docs` rewrites it):\n%s",
			d.path, c.line, c.text, diff)
	}
	return 1
}

// shell runs one command of an sh block; its output is not shown, so only its exit
// code counts.
func (d *docRun) shell(c docCmd) int {
	if d.notRun(c.text) {
		d.status = -1
		return 0
	}
	got, err := d.exec(c.text)
	if err != nil {
		d.t.Errorf("%s:%d: %s: %v; make it runnable or add it to docNotRun (cmd/purgeset/docs_test.go) with the reason", d.path, c.line, c.text, err)
		return 0
	}
	if d.status != 0 {
		d.t.Errorf("%s:%d: %s: exit %d, want 0:\n%s", d.path, c.line, c.text, d.status, strings.Join(got, "\n"))
	}
	return 1
}

// exec runs a command line in the doc's folder and returns what it printed.
func (d *docRun) exec(text string) ([]string, error) {
	words, quoted, err := shellWords(text, d.status)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	var stdout, stderr io.Writer = &out, &out
	var args []string
	for i, w := range words {
		w = strings.ReplaceAll(w, docRoot, d.dir)
		if quoted[i] || !strings.HasPrefix(w, ">") && !strings.HasPrefix(w, "2>") {
			args = append(args, w)
			continue
		}
		to, fd := strings.TrimPrefix(w, "2>"), 2
		if to == w {
			to, fd = strings.TrimPrefix(w, ">"), 1
		}
		var target *bytes.Buffer
		switch to {
		case "&1":
			target = nil // both already go to one place
		case "/dev/null":
			target = new(bytes.Buffer)
		case "":
			return nil, fmt.Errorf("write the redirection as >FILE, without a space")
		default:
			target = new(bytes.Buffer)
			defer func(name string, b *bytes.Buffer) { os.WriteFile(filepath.Join(d.dir, name), b.Bytes(), 0o600) }(to, target)
		}
		if target != nil && fd == 1 {
			stdout = target
		} else if target != nil {
			stderr = target
		}
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("no command")
	}
	switch args[0] {
	case "purgeset":
		d.status = exitCode(run(context.Background(), args[1:], stdout, stderr))
	case "echo":
		fmt.Fprintln(stdout, strings.Join(args[1:], " "))
		d.status = 0
	case "cat":
		d.status = 0
		for _, f := range args[1:] {
			b, err := os.ReadFile(filepath.Join(d.dir, f))
			if err != nil {
				return nil, err
			}
			stdout.Write(b)
		}
	default:
		return nil, fmt.Errorf("%s is not a command TestDocs emulates", args[0])
	}
	s := strings.ReplaceAll(out.String(), d.dir, docRoot)
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), nil
}

// docRoot is where the docs say their folder is.
const docRoot = "/srv/purge"

// rewrite replaces the shown outputs with the real ones (-update-docs).
func (d *docRun) rewrite(path string) {
	var out []string
	for i := 0; i < len(d.lines); i++ {
		if e, ok := d.edits[i+1]; ok {
			out = append(out, e.new...)
			if e.n > 0 {
				i += e.n - 1
				continue
			}
		}
		out = append(out, d.lines[i])
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		d.t.Fatal(err)
	}
	d.t.Logf("%s: rewrote %d outputs; read the diff", d.path, len(d.edits))
}
