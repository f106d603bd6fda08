package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyRerunCommand(t *testing.T) {
	in := filepath.Join(t.TempDir(), "users.csv")
	b, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, "run", "--config", "../../fixtures/purgeset.toml", "--out", out, "--quiet", in); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := cli(t, "verify", "--rerun", out)
	if code != 0 || !strings.HasSuffix(stdout, "re-run from the inputs: 5 files identical\n") {
		t.Fatalf("untouched: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := os.WriteFile(in, append(b, "zz99,Alumni,Public,2018-01-01,\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = cli(t, "verify", "--rerun", out)
	if code != 5 || !strings.Contains(stdout, in+": input's sha256 differs from the manifest") {
		t.Fatalf("changed input: exit %d\n%s", code, stdout)
	}
	if code, _, _ := cli(t, "verify", out); code != 0 {
		t.Fatalf("plain verify does not read the inputs: exit %d", code)
	}
	os.Remove(in)
	code, _, stderr = cli(t, "verify", "--rerun", out)
	if code != 3 || !strings.Contains(stderr, "run it from the directory the run was made in") {
		t.Fatalf("missing input: exit %d\n%s", code, stderr)
	}
}
