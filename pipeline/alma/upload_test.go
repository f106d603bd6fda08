package alma

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/pipeline/alma/almafake"
)

func TestUpload2500IDsThreeBatches(t *testing.T) {
	f := newFake(t)
	list := ids(2500)
	f.AddUsers(list...)
	c := newClient(t, f)
	res, err := upload(t, c, list)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Count("POST", "", "add_members"); n != 3 {
		t.Errorf("add_members calls: %d, want 3", n)
	}
	if !slices.Equal(f.Members(res.SetID), list) {
		t.Errorf("the fake's set does not hold the IDs in order")
	}
	if !res.Check.OK() || res.Check.Read != 2500 {
		t.Errorf("read-back: %+v", res.Check.Findings)
	}
	if f.Private(res.SetID) != "false" {
		t.Errorf("set created private=%q, want false", f.Private(res.SetID))
	}
	if got, want := c.Calls(), UploadCalls(2500); got != want {
		t.Errorf("calls %d, UploadCalls says %d", got, want)
	}
	checkAllowed(t, f)
}

func TestUploadDroppedIDCaught(t *testing.T) {
	for _, lie := range []bool{false, true} {
		f := newFake(t)
		list := ids(1500)
		f.AddUsers(list...)
		f.Update(func(k *almafake.Knobs) { k.DropID, k.LieCount = list[1234], lie })
		_, err := upload(t, newClient(t, f), list)
		var mm *Mismatch
		var ue *UploadError
		if !errors.As(err, &mm) || !errors.As(err, &ue) || ue.SetID == "" {
			t.Fatalf("lie=%v: want a mismatch naming the set to delete, got %v", lie, err)
		}
		if !strings.Contains(err.Error(), "1 IDs of the run are not members") || strings.Contains(err.Error(), list[1234]) {
			t.Errorf("lie=%v: message %q", lie, err)
		}
		if !strings.Contains(err.Error(), "delete it by hand") {
			t.Errorf("message does not say to delete the set: %v", err)
		}
	}
}

func TestUpload429StormWithinRate(t *testing.T) {
	f := newFake(t)
	list := ids(2500)
	f.AddUsers(list...)
	// Alma's own limit, and a storm on top of it: 429s on the next 8 requests.
	f.Update(func(k *almafake.Knobs) { k.PerSecond, k.Storm429 = 25, 8 })
	c := newClient(t, f, func(c *Config) { c.Rate = 20; c.Retries = 10 })
	res, err := upload(t, c, list)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Members(res.SetID), list) {
		t.Error("set differs after the storm")
	}
	// The client never sent more than its rate (plus the one-token burst) in any second.
	reqs := f.Requests()
	for i := range reqs {
		n := 0
		for j := i; j < len(reqs) && reqs[j].At.Sub(reqs[i].At) < time.Second; j++ {
			n++
		}
		if n > 21 {
			t.Fatalf("%d requests within one second from request %d: above --rate 20", n, i)
		}
	}
	if len(reqs) < UploadCalls(2500)+8 {
		t.Errorf("only %d requests: the storm was not retried", len(reqs))
	}
}

func TestUploadRemainingFloorStopsBeforeCreating(t *testing.T) {
	f := newFake(t)
	list := ids(2500)
	f.AddUsers(list...)
	f.Update(func(k *almafake.Knobs) { k.Remaining = 10020 })
	_, err := upload(t, newClient(t, f, func(c *Config) { c.MinRemaining = 10000 }), list)
	if !IsStop(err) {
		t.Fatalf("want a budget stop, got %v", err)
	}
	if reqs := f.Requests(); len(reqs) != 1 || !strings.HasSuffix(reqs[0].Path, "/conf/test") {
		t.Errorf("want only the key test sent, got %d requests", len(reqs))
	}
	if len(f.SetIDs()) != 0 {
		t.Error("a set was created")
	}
	// --max-calls below the plan stops before anything is created, too.
	f2 := newFake(t)
	f2.AddUsers(list...)
	_, err = upload(t, newClient(t, f2, func(c *Config) { c.MaxCalls = 10 }), list)
	if !IsStop(err) || len(f2.SetIDs()) != 0 {
		t.Fatalf("max-calls: %v, sets %v", err, f2.SetIDs())
	}
}

func TestUploadDailyThresholdStops(t *testing.T) {
	f := newFake(t)
	f.Update(func(k *almafake.Knobs) { k.Daily429 = true })
	_, err := upload(t, newClient(t, f), ids(3))
	if !IsStop(err) || len(f.Requests()) != 1 {
		t.Fatalf("want one request and a stop, got %v after %d", err, len(f.Requests()))
	}
}

func TestUploadConnectionCut(t *testing.T) {
	for _, before := range []bool{false, true} {
		f := newFake(t)
		list := ids(2500)
		f.AddUsers(list...)
		f.Update(func(k *almafake.Knobs) { k.CutAddMembers, k.CutBeforeAdd = 2, before })
		res, err := upload(t, newClient(t, f), list)
		if err != nil {
			t.Fatalf("before=%v: %v", before, err)
		}
		if !slices.Equal(f.Members(res.SetID), list) {
			t.Errorf("before=%v: set differs", before)
		}
		// One resend when the batch had not landed; none when it had.
		want := 3
		if before {
			want = 4
		}
		if n := f.Count("POST", "", "add_members"); n != want {
			t.Errorf("before=%v: %d add_members calls, want %d", before, n, want)
		}
	}
}

func TestUploadPartialBatchReadBack(t *testing.T) {
	f := newFake(t)
	list := ids(1200)
	f.AddUsers(list...)
	// A batch whose answer is lost, in a set someone else added to: never patched up.
	f.Update(func(k *almafake.Knobs) { k.CutAddMembers = 2 })
	c := newClient(t, f)
	ctx := context.Background()
	set, err := c.CreateSet(ctx, "p", "d")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddMembers(ctx, string(set.ID), list[:1]); err != nil {
		t.Fatal(err)
	}
	res := &UploadResult{SetID: string(set.ID)}
	err = addBatch(ctx, c, res, nil, list[1000:1200])
	var unknown *OutcomeUnknown
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "someone else is changing it") {
		t.Fatalf("a set with a stranger in it must stop the upload: %v", err)
	}
	// The usual case: a resent batch that had landed in part.
	f2 := newFake(t)
	f2.AddUsers(list...)
	f2.Update(func(k *almafake.Knobs) { k.PartialOnError = true })
	c2 := newClient(t, f2)
	set2, _ := c2.CreateSet(ctx, "p", "d")
	c2.AddMembers(ctx, string(set2.ID), list[:1000])
	c2.AddMembers(ctx, string(set2.ID), list[1000:1050])
	res2 := &UploadResult{SetID: string(set2.ID)}
	if err := addBatch(ctx, c2, res2, list[:1000], list[1000:1200]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f2.Members(string(set2.ID)), list) {
		t.Error("the missing members were not added after the read-back")
	}
}

func TestUploadInvalidIDNamesSet(t *testing.T) {
	f := newFake(t)
	list := ids(10)
	f.AddUsers(list[:9]...)
	f.Update(func(k *almafake.Knobs) { k.XMLErrors = true })
	_, err := upload(t, newClient(t, f), list)
	var ue *UploadError
	var apiErr *APIError
	if !errors.As(err, &ue) || ue.SetID == "" || !errors.As(err, &apiErr) || !apiErr.Has(CodeInvalidForSet) {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), list[9]) {
		t.Error("the error quotes the ID (Alma's message): only Verbose may")
	}
	if !strings.Contains(apiErr.Verbose(), list[9]) || apiErr.Errors[0].TrackingID == "" {
		t.Errorf("XML error body not parsed: %+v", apiErr.Errors)
	}
}

func TestUploadSetNameExists(t *testing.T) {
	f := newFake(t)
	f.AddUsers(ids(2)...)
	c := newClient(t, f)
	if _, err := upload(t, c, ids(2)); err != nil {
		t.Fatal(err)
	}
	_, err := upload(t, c, ids(2))
	var ue *UploadError
	var apiErr *APIError
	if !errors.As(err, &ue) || ue.SetID != "" || ue.MaybeCreated || !errors.As(err, &apiErr) || !apiErr.Has(CodeSetNameExists) {
		t.Fatalf("got %v", err)
	}
}

func TestUploadInterrupted(t *testing.T) {
	f := newFake(t)
	list := ids(3000)
	f.AddUsers(list...)
	f.Update(func(k *almafake.Knobs) { k.Delay = 50 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	c := newClient(t, f)
	_, err := Upload(ctx, c, list, "purge test", "d", func(what string, n, total int) {
		if n >= 1000 {
			cancel()
		}
	})
	var ue *UploadError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ue) || ue.SetID == "" || ue.Added != 1000 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "1000 of 3000") {
		t.Errorf("message does not say what was done: %v", err)
	}
}

// An add_members answer slower than the client's timeout: the batch had landed; it is
// found by reading the count, not sent twice.
func TestUploadSlowAnswerTimesOut(t *testing.T) {
	f := newFake(t)
	list := ids(2100)
	f.AddUsers(list...)
	f.Update(func(k *almafake.Knobs) { k.SlowAddMembers, k.SlowFor = 2, 3*time.Second })
	c := newClient(t, f, func(c *Config) { c.Timeout = 300 * time.Millisecond })
	res, err := upload(t, c, list)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Members(res.SetID), list) || f.Count("POST", "", "add_members") != 3 {
		t.Errorf("members equal: %v, add_members calls %d", slices.Equal(f.Members(res.SetID), list), f.Count("POST", "", "add_members"))
	}
}
