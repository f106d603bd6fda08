package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The pieces of TestDocs, so that a drift it should catch cannot slip through them.

func TestDocsShellWords(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: `purgeset run --group "Graduates 2021" --id-pattern '^[0-9]{8}$' users.csv`,
			want: []string{"purgeset", "run", "--group", "Graduates 2021", "--id-pattern", "^[0-9]{8}$", "users.csv"}},
		{in: `echo $?`, want: []string{"echo", "7"}},
		{in: `purgeset verify out   # a comment`, want: []string{"purgeset", "verify", "out"}},
		{in: `purgeset x 2>log.jsonl >/dev/null`, want: []string{"purgeset", "x", "2>log.jsonl", ">/dev/null"}},
		{in: `purgeset x 2>&1`, want: []string{"purgeset", "x", "2>&1"}},
		{in: `a\ b "c\"d"`, want: []string{"a b", `c"d`}},
		{in: `purgeset verify out | head`, wantErr: true},
		{in: `cd out && purgeset verify .`, wantErr: true},
		{in: `cat purge-*.jsonl`, wantErr: true},
		{in: `log=$(date)`, wantErr: true},
		{in: `echo "$HOME"`, wantErr: true},
		{in: `echo 'open`, wantErr: true},
	} {
		got, _, err := shellWords(c.in, 7)
		if (err != nil) != c.wantErr || !c.wantErr && !reflect.DeepEqual(got, c.want) {
			t.Errorf("shellWords(%q) = %q, %v; want %q (error %v)", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestDocsParse(t *testing.T) {
	md := "# t\n\n<!-- docs-test: setup=a,b -->\n```console\n$ purgeset run \\\n  --dry-run x.csv\nline 1\n\n$ echo $?\n0\n```\n\n```toml file=c.toml\nk = 1\n```\n  ```sh\n  purgeset verify out\n  ```\n"
	p := filepath.Join(t.TempDir(), "d.md")
	if err := os.WriteFile(p, []byte(md), 0o600); err != nil {
		t.Fatal(err)
	}
	blocks, _, err := parseDoc(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want 3", len(blocks))
	}
	b := blocks[0]
	if b.lang != "console" || b.line != 4 || !reflect.DeepEqual(b.setups, []string{"a", "b"}) {
		t.Errorf("block 0: lang %q line %d setups %q", b.lang, b.line, b.setups)
	}
	cmds := b.commands()
	if len(cmds) != 2 || cmds[0].text != "purgeset run  --dry-run x.csv" || cmds[0].line != 5 || cmds[0].wantFirst != 7 ||
		!reflect.DeepEqual(cmds[0].want, []string{"line 1", ""}) || cmds[1].line != 9 || cmds[1].wantFirst != 10 {
		t.Errorf("commands: %+v", cmds)
	}
	if blocks[1].file != "c.toml" || blocks[1].lang != "toml" || blocks[2].setups != nil {
		t.Errorf("block 1: %+v, block 2 setups %q", blocks[1], blocks[2].setups)
	}
	if sh := blocks[2].shellCommands(); len(sh) != 1 || sh[0].text != "purgeset verify out" || sh[0].line != 17 {
		t.Errorf("sh commands: %+v", sh)
	}
	if err := os.WriteFile(p, []byte("```console\n$ x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := parseDoc(p); err == nil || !strings.Contains(err.Error(), "d.md:1") {
		t.Errorf("an unclosed block: %v, want an error naming d.md:1", err)
	}
}

func TestDocsDiff(t *testing.T) {
	want := []string{"15:01:34 INF done duration=12ms files=5", "included 182", "wrote 5 files"}
	got := []string{"09:12:00 INF done duration=3.2s files=5", "included 183", "wrote 5 files", "run ID x"}
	diff, same := docDiff(want, got, 40)
	if same {
		t.Fatal("a changed count and an added line are not a difference")
	}
	for _, frag := range []string{"-   41 included 182", "+      included 183", "+      run ID x"} {
		if !strings.Contains(diff, frag) {
			t.Errorf("diff lacks %q:\n%s", frag, diff)
		}
	}
	if strings.Contains(diff, "INF done") {
		t.Errorf("the log line differs only in time and duration, yet is in the diff:\n%s", diff)
	}
	if _, same := docDiff(want[:1], got[:1], 1); !same {
		t.Error("lines equal after masking differ")
	}
	kept := keepMasked(want, got)
	if kept[0] != want[0] || kept[1] != "included 183" || len(kept) != 4 {
		t.Errorf("keepMasked = %q: want the doc's log line kept and the real rest", kept)
	}
}

func TestDocsElided(t *testing.T) {
	got := []string{"users.xlsx", "  format  xlsx", "  rows    302", "  ID problems", "  note: IDs stored as numbers: 1"}
	for _, c := range []struct {
		want []string
		ok   bool
	}{
		{[]string{"users.xlsx", "…", "  note: IDs stored as numbers: 1"}, true},
		{[]string{"…", "  rows    302", "…"}, true},
		{[]string{"…", "  note: IDs stored as numbers: 1"}, true},
		{[]string{"…", "  note: IDs stored as numbers: 2"}, false},
		{[]string{"…", "  rows    303", "…"}, false},
		{[]string{"users.xlsx", "…", "  format  xlsx"}, false},
		{[]string{"users.xlsx", "  format  xlsx"}, false}, // no "…": docDiff decides
	} {
		if ok := elidedMatch(c.want, got); ok != c.ok {
			t.Errorf("elidedMatch(%q) = %v, want %v", c.want, ok, c.ok)
		}
	}
}
