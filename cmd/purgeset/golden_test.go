package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// A golden case is a directory testdata/golden/NAME holding:
//
//	args       the command line, one argument a line; $OUT is the output directory
//	*.csv …    the inputs, named relative to the case directory
//	want/      exit_code, stdout, stderr, and files/ with every output file expected
//
// `go test ./cmd/purgeset -run Golden -update` rewrites want/; review the diff.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) { runGolden(t, dir) })
	}
}

// fixedTime makes log timestamps and the manifest's created time stable.
func fixedTime(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1719792000")
	old := zerolog.TimestampFunc
	zerolog.TimestampFunc = func() time.Time { return time.Unix(1719792000, 0).UTC() }
	oldUser := osUser
	osUser = func() string { return "librarian" }
	t.Cleanup(func() { zerolog.TimestampFunc, osUser = old, oldUser })
}

func runGolden(t *testing.T, dir string) {
	fixedTime(t)
	raw, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	// A relative output directory inside the case keeps every output free of
	// machine-specific paths (the review page shows --out), so that manifest hashes are
	// the same on every checkout.
	const out = "_out"
	var args []string
	for _, a := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		args = append(args, strings.ReplaceAll(a, "$OUT", out))
	}
	abs, _ := filepath.Abs(dir)
	t.Chdir(abs)
	os.RemoveAll(out)
	t.Cleanup(func() { os.RemoveAll(filepath.Join(abs, out)) })
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), args, &stdout, &stderr)
	got := map[string][]byte{
		"exit_code": []byte(strconv.Itoa(exitCode(err)) + "\n"),
		"stdout":    []byte(strings.ReplaceAll(stdout.String(), out, "$OUT")),
		"stderr":    duration.ReplaceAll([]byte(strings.ReplaceAll(stderr.String(), out, "$OUT")), []byte("duration=D")),
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "manifest.json" {
			b = bytes.ReplaceAll(stableManifest(b), []byte(out), []byte("$OUT"))
		}
		got["files/"+e.Name()] = b
	}
	want := filepath.Join(abs, "want")
	if *update {
		os.RemoveAll(want)
		for name, b := range got {
			p := filepath.Join(want, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	wantFiles := map[string]bool{}
	filepath.WalkDir(want, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(want, p)
			wantFiles[rel] = true
		}
		return nil
	})
	for name := range wantFiles {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: expected output missing", name)
		}
	}
	for name, b := range got {
		if !wantFiles[name] {
			t.Errorf("%s: unexpected output (run with -update if it is new and right)", name)
			continue
		}
		w, _ := os.ReadFile(filepath.Join(want, name))
		if !bytes.Equal(b, w) {
			if strings.HasSuffix(name, ".xlsx") || strings.HasSuffix(name, ".parquet") {
				t.Errorf("%s differs from the golden file (binary)", name)
				continue
			}
			t.Errorf("%s differs from the golden file:\n%s", name, firstDiff(string(w), string(b)))
		}
	}
}

// duration masks the one log field that varies from run to run.
var duration = regexp.MustCompile(`duration=[0-9][0-9.hmµns]*`)

// stableManifest masks what varies with the toolchain, not with the run.
var toolchain = regexp.MustCompile(`"go": "go[^"]*"|"commit": "[^"]*",?\n\s*`)

func stableManifest(b []byte) []byte {
	return toolchain.ReplaceAllFunc(b, func(m []byte) []byte {
		if bytes.HasPrefix(m, []byte(`"go"`)) {
			return []byte(`"go": "GO"`)
		}
		return nil
	})
}

// firstDiff shows the first differing line with its neighbours.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs: line ends or trailing bytes)"
}
