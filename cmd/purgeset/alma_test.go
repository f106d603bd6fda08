package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/pipeline/alma/almafake"
	"github.com/purgeset/purgeset/writers"
)

const almaTestKey = "l7xxCLITESTKEY5550123456789SECRET"

// almaRun is a run of the sample export, a fake Alma that knows its included users,
// and the flags that point at the fake.
func almaRun(t *testing.T) (dir string, f *almafake.Server, flags []string) {
	t.Helper()
	t.Setenv("ALMA_API_KEY", almaTestKey)
	dir = runSample(t)
	f = almafake.New(almaTestKey)
	t.Cleanup(f.Close)
	run, err := alma.LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.AddUsers(run.IDs...)
	return dir, f, []string{"--alma-url", f.URL, "--rate", "25"}
}

func runIDOf(t *testing.T, dir string) string {
	t.Helper()
	run, err := alma.LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	return run.RunID
}

func TestAlmaUploadCommand(t *testing.T) {
	dir, f, flags := almaRun(t)
	id := runIDOf(t, dir)
	args := append([]string{"alma", "upload", dir, "--run-id", id[:12], "--set-name", "Purge test"}, flags...)
	code, stdout, stderr := cli(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	rec, err := alma.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	run, _ := alma.LoadRun(dir)
	if rec.Members != len(run.IDs) || rec.RunID != id || len(f.Members(rec.SetID)) != len(run.IDs) {
		t.Errorf("record %+v", rec)
	}
	if fi, _ := os.Stat(filepath.Join(dir, alma.RecordName)); fi.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v", fi.Mode())
	}
	// verify accepts the record; a second upload is refused; verify-set reads the record
	if code, out, _ := cli(t, "verify", dir); code != 0 {
		t.Errorf("verify with alma-upload.json: exit %d\n%s", code, out)
	}
	if code, _, _ := cli(t, args...); code != exitUsage {
		t.Errorf("second upload: exit %d, want 2", code)
	}
	if code, out, errs := cli(t, append([]string{"alma", "verify-set", dir}, flags...)...); code != 0 || !strings.Contains(out, "holds exactly") {
		t.Errorf("verify-set: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestAlmaUploadRefusals(t *testing.T) {
	dir, f, flags := almaRun(t)
	id := runIDOf(t, dir)
	up := func(extra ...string) int {
		code, _, _ := cli(t, append(append([]string{"alma", "upload", dir, "--set-name", "S"}, flags...), extra...)...)
		return code
	}
	if c := up("--run-id", id[:11]); c != exitUsage {
		t.Errorf("11 hex digits: exit %d", c)
	}
	if c := up("--run-id", "000000000000"); c != exitUsage {
		t.Errorf("another run ID: exit %d", c)
	}
	if c := up("--run-id", "zzzzzzzzzzzzzz"); c != exitUsage {
		t.Errorf("not hex: exit %d", c)
	}
	t.Setenv("ALMA_API_KEY", "")
	if c := up("--run-id", id[:12]); c != exitUsage {
		t.Errorf("no key: exit %d", c)
	}
	t.Setenv("ALMA_API_KEY", almaTestKey)
	// another purgeset writing the directory: exit 2, nothing sent
	lock, err := writers.LockRunDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := up("--run-id", id[:12]); c != exitUsage {
		t.Errorf("locked directory: exit %d", c)
	}
	lock.Release()
	if len(f.Requests()) != 0 {
		t.Fatalf("%d requests sent by refused uploads", len(f.Requests()))
	}
	// a run directory that does not verify: exit 5, nothing sent
	os.WriteFile(filepath.Join(dir, "decisions.csv"), []byte("source,row,id,user_group,expiry_date,decision,reason,detail\n"), 0o600)
	if c := up("--run-id", id[:12]); c != exitMismatch || len(f.Requests()) != 0 {
		t.Errorf("damaged run: exit %d, %d requests", c, len(f.Requests()))
	}
}

func TestAlmaUploadDroppedIDExit5(t *testing.T) {
	dir, f, flags := almaRun(t)
	run, _ := alma.LoadRun(dir)
	f.Update(func(k *almafake.Knobs) { k.DropID = run.IDs[len(run.IDs)/2] })
	code, stdout, stderr := cli(t, append([]string{"alma", "upload", dir, "--run-id", run.RunID[:16], "--set-name", "S"}, flags...)...)
	if code != exitMismatch {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	sets := f.SetIDs()
	if len(sets) != 1 || !strings.Contains(stderr, "set "+sets[0]) || !strings.Contains(stderr, "delete it by hand") {
		t.Errorf("the message does not name the set to delete:\n%s", stderr)
	}
	if !strings.Contains(stdout, run.IDs[len(run.IDs)/2]) || strings.Contains(stderr, run.IDs[len(run.IDs)/2]) {
		t.Errorf("the dropped ID belongs on stdout only")
	}
	if _, err := alma.ReadRecord(dir); err == nil {
		t.Error("a failed upload wrote alma-upload.json")
	}
}

func TestAlmaBudgetStopExit4(t *testing.T) {
	dir, f, flags := almaRun(t)
	f.Update(func(k *almafake.Knobs) { k.Remaining = 10005 })
	code, _, stderr := cli(t, append([]string{"alma", "upload", dir, "--run-id", runIDOf(t, dir)[:12], "--set-name", "S"}, flags...)...)
	if code != exitSafety || len(f.SetIDs()) != 0 || len(f.Requests()) != 1 {
		t.Fatalf("exit %d, sets %v, %d requests\n%s", code, f.SetIDs(), len(f.Requests()), stderr)
	}
	code, stdout, _ := cli(t, append([]string{"alma", "check-users", dir, "--max-calls", "3"}, flags...)...)
	if code != exitSafety || !strings.Contains(stdout, "check-users will make") {
		t.Fatalf("check-users over --max-calls: exit %d\n%s", code, stdout)
	}
}

func TestAlmaCheckUsersCommand(t *testing.T) {
	dir, f, flags := almaRun(t)
	run, _ := alma.LoadRun(dir)
	code, stdout, stderr := cli(t, append([]string{"alma", "check-users", dir, "--sample", "20"}, flags...)...)
	// The fake's users are plain Graduates without dates: every one disagrees with the run.
	if code != exitMismatch || !strings.Contains(stdout, "check-users will make 20 calls") || f.Count("GET", "", "") != 20 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, id := range run.IDs {
		if strings.Contains(stderr, id) {
			t.Fatalf("an ID is in the log")
		}
	}
}

// The key never appears in any output, log line (console, JSON, verbose), error or
// file, whatever goes wrong; the fake even echoes it in its error bodies.
func TestAlmaKeyNeverShown(t *testing.T) {
	dir, f, flags := almaRun(t)
	f.Update(func(k *almafake.Knobs) { k.EchoKey, k.Storm429 = true, 2 })
	id := runIDOf(t, dir)
	var seen []string
	for _, args := range [][]string{
		{"alma", "upload", dir, "--run-id", id[:12], "--set-name", "S", "--verbose"},
		{"alma", "upload", dir, "--run-id", id[:12], "--set-name", "S", "--log-format", "json"},
		{"alma", "verify-set", dir, "--set-id", "404", "--verbose"},
		{"alma", "check-users", dir, "--sample", "5", "--log-format", "json"},
		{"alma", "check-users", dir, "--sample", "5", "--alma-url", "http://example.org"},
	} {
		code, stdout, stderr := cli(t, append(args, flags...)...)
		seen = append(seen, stdout, stderr)
		if code == 0 && args[1] == "verify-set" {
			t.Errorf("%v: exit 0", args)
		}
	}
	t.Setenv("ALMA_API_KEY", "l7xxWRONGKEYWRONGKEY0001")
	_, stdout, stderr := cli(t, append([]string{"alma", "verify-set", dir, "--set-id", "1"}, flags...)...)
	seen = append(seen, stdout, stderr)
	filepath.Walk(filepath.Dir(dir), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			seen = append(seen, string(b))
		}
		return nil
	})
	for i, s := range seen {
		for _, k := range []string{almaTestKey, "WRONGKEYWRONGKEY"} {
			if strings.Contains(s, k) {
				t.Errorf("output %d holds the key:\n%s", i, s)
			}
		}
	}
	var rec map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, alma.RecordName))
	if json.Unmarshal(b, &rec) != nil || rec["set_id"] == "" {
		t.Errorf("no upload record: %s", b)
	}
}
