//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// asNobody runs the calling test again as the unprivileged user "nobody" when this
// process is root, and reports whether it did (the caller then returns). Root reads
// and writes through any permission bit, so tests of "permission denied" would
// otherwise never run in CI, which runs as root. Call it first, before Chdir or
// Setenv. The test binary is copied where nobody may run it; the package directory
// must be readable by everyone, as a git checkout is.
func asNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("running as root and there is no user nobody to drop to: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	// Not t.TempDir: its parent is 0700, and nobody must reach the binary.
	dir, err := os.MkdirTemp("", "purgeset-nobody-")
	badMust(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	badMust(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "purgeset.test")
	copyExecutable(t, os.Args[0], bin)

	var parts []string
	for _, p := range strings.Split(t.Name(), "/") {
		parts = append(parts, "^"+regexp.QuoteMeta(p)+"$")
	}
	cmd := exec.Command(bin, "-test.run", strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("ran as nobody (uid %d):\n%s", uid, out.String())
	if err != nil || !strings.Contains(out.String(), "--- PASS: "+t.Name()) {
		t.Fatalf("the test failed or did not run as nobody: %v", err)
	}
	return true
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	badMust(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	badMust(t, err)
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	badMust(t, dst.Close())
}
