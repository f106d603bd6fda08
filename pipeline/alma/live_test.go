package alma

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLiveSandbox uploads a few sandbox users and reads the set back from a real Alma.
// It runs only when ALMA_API_KEY, ALMA_API_URL and ALMA_LIVE_IDS (a file of sandbox
// primary IDs, one a line) are set, and never in CI. It leaves one set to delete by
// hand; purgeset deletes nothing.
func TestLiveSandbox(t *testing.T) {
	key, base, idFile := os.Getenv("ALMA_API_KEY"), os.Getenv("ALMA_API_URL"), os.Getenv("ALMA_LIVE_IDS")
	if key == "" || base == "" || idFile == "" || os.Getenv("CI") != "" {
		t.Skip("live Alma test: set ALMA_API_KEY, ALMA_API_URL and ALMA_LIVE_IDS (never in CI)")
	}
	b, err := os.ReadFile(idFile)
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			list = append(list, l)
		}
	}
	c, err := New(Config{BaseURL: base, APIKey: key, Rate: 5, MinRemaining: 100, MaxCalls: 50 + UploadCalls(len(list))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	name := "purgeset live test " + time.Now().UTC().Format("2006-01-02T15:04:05Z")
	res, err := Upload(ctx, c, list, name, "purgeset live test: delete by hand", nil)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	t.Logf("set %s %q: delete it by hand; %d calls, %d left today", res.SetID, res.SetName, c.Calls(), c.Remaining())
	chk, err := VerifySet(ctx, c, res.SetID, list, nil)
	if err != nil || !chk.OK() {
		t.Fatalf("verify-set: %v %v", err, chk)
	}
	// One member less than the set holds must be found.
	if chk, _ := VerifySet(ctx, c, res.SetID, list[1:], nil); chk == nil || chk.OK() {
		t.Error("a set with a member the run does not have passed")
	}
	users := make([]RunUser, 0, 3)
	for _, id := range list[:min(3, len(list))] {
		users = append(users, RunUser{ID: id})
	}
	uc, err := CheckUsers(ctx, c, users, CheckOptions{}, nil)
	if err != nil {
		t.Fatalf("check-users: %v", err)
	}
	t.Logf("check-users on %d sandbox users: %v", uc.Checked, uc.Counts)
}
