package alma

import (
	"context"
	"errors"
	"fmt"
)

// UploadCalls is how many calls an upload of n IDs makes when nothing goes wrong: the
// key test, the creation, the batches and the read-back.
func UploadCalls(n int) int { return 1 + 1 + (n+MaxBatch-1)/MaxBatch + ReadBackCalls(n) }

// UploadResult is what an upload did.
type UploadResult struct {
	SetID, SetName string
	Added          int // IDs confirmed in the set
	Batches        int // add_members batches sent (resent ones count once)
	AddCalls       int // add_members calls, resent ones included
	Check          *SetCheck
}

// UploadError is an upload that stopped. When a set was created it names it: the set
// is incomplete or wrong and must be deleted by hand, since purgeset deletes nothing.
type UploadError struct {
	SetID, SetName string
	MaybeCreated   bool // the creation's answer was lost
	Added, Total   int
	Err            error
}

func (e *UploadError) Error() string {
	switch {
	case e.SetID != "":
		return fmt.Sprintf("upload stopped after %d of %d IDs: %v; set %s (%q) is incomplete or wrong: delete it by hand in Alma (purgeset deletes nothing), then upload again",
			e.Added, e.Total, e.Err, e.SetID, e.SetName)
	case e.MaybeCreated:
		return fmt.Sprintf("upload stopped: %v; a set named %q may have been created: look for it in Alma and delete it by hand before you upload again", e.Err, e.SetName)
	}
	return fmt.Sprintf("upload stopped before a set was created: %v", e.Err)
}

func (e *UploadError) Unwrap() error { return e.Err }

// Upload creates a public itemized user set, adds ids in order in batches of at most
// MaxBatch, and reads the set back. It first tests the key and checks that the whole
// upload fits the call budget, so that a budget stop never leaves half a set.
func Upload(ctx context.Context, c *Client, ids []string, name, description string, progress Progress) (*UploadResult, error) {
	if err := c.Test(ctx); err != nil {
		return nil, &UploadError{SetName: name, Total: len(ids), Err: fmt.Errorf("test the key: %w", err)}
	}
	if msg := c.Budget(UploadCalls(len(ids)) - 1); msg != "" {
		return nil, &UploadError{SetName: name, Total: len(ids), Err: &Stop{Reason: msg}}
	}
	set, err := c.CreateSet(ctx, name, description)
	var unknown *OutcomeUnknown
	switch {
	case errors.As(err, &unknown), err != nil && errors.Is(err, context.Canceled):
		return nil, &UploadError{SetName: name, MaybeCreated: true, Total: len(ids), Err: err}
	case err != nil:
		return nil, &UploadError{SetName: name, Total: len(ids), Err: fmt.Errorf("create the set: %w", err)}
	case set.ID == "":
		return nil, &UploadError{SetName: name, MaybeCreated: true, Total: len(ids), Err: errors.New("the answer to the set creation holds no set ID")}
	}
	res := &UploadResult{SetID: string(set.ID), SetName: set.Name}
	if res.SetName == "" {
		res.SetName = name
	}
	fail := func(err error) error {
		return &UploadError{SetID: res.SetID, SetName: res.SetName, Added: res.Added, Total: len(ids), Err: err}
	}
	for start := 0; start < len(ids); start += MaxBatch {
		batch := ids[start:min(start+MaxBatch, len(ids))]
		res.Batches++
		if err := addBatch(ctx, c, res, ids[:start], batch); err != nil {
			return res, fail(fmt.Errorf("batch %d (IDs %d to %d): %w", res.Batches, start+1, start+len(batch), err))
		}
		res.Added = start + len(batch)
		if progress != nil {
			progress("adding members", res.Added, len(ids))
		}
	}
	chk, err := VerifySet(ctx, c, res.SetID, ids, progress)
	if err != nil {
		return res, fail(fmt.Errorf("read the set back: %w", err))
	}
	res.Check = chk
	if !chk.OK() {
		return res, fail(&Mismatch{What: "the set read back from Alma differs from the set files", Findings: chk.Findings})
	}
	return res, nil
}

// addBatch adds one batch. A POST is never resent blindly: when its answer is lost,
// or Alma says a member is already in the set (60115, as after a resent batch that had
// landed), the set is read back and only the members still missing are sent again.
func addBatch(ctx context.Context, c *Client, res *UploadResult, before, batch []string) error {
	res.AddCalls++
	_, err := c.AddMembers(ctx, res.SetID, batch)
	if err == nil {
		return nil
	}
	var unknown *OutcomeUnknown
	var apiErr *APIError
	if !errors.As(err, &unknown) && !(errors.As(err, &apiErr) && apiErr.Has(CodeAlreadyInSet)) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Whether a failed batch added part of its members is not documented: count first,
	// and read the members only when the count says part of it landed.
	set, gerr := c.GetSet(ctx, res.SetID)
	if gerr != nil {
		return fmt.Errorf("%w; then reading the set failed: %v", err, gerr)
	}
	n, want := set.NumberMembers.N, int64(len(before)+len(batch))
	switch {
	case !set.NumberMembers.Set:
		return fmt.Errorf("%w; and Alma did not give the set's number_of_members", err)
	case n == want:
		return nil // it had landed
	case n == int64(len(before)):
		res.AddCalls++
		_, err := c.AddMembers(ctx, res.SetID, batch)
		return err
	case n < int64(len(before)) || n > want:
		return fmt.Errorf("%w; and the set now has %d members, where %d or %d were expected: someone else is changing it", err, n, len(before), want)
	}
	chk, verr := VerifySet(ctx, c, res.SetID, append(append([]string{}, before...), batch...), nil)
	if verr != nil {
		return fmt.Errorf("%w; then reading the members failed: %v", err, verr)
	}
	if len(chk.Extra) > 0 {
		return fmt.Errorf("%w; and the set holds %d members that are not in the run", err, len(chk.Extra))
	}
	if len(chk.Missing) == 0 {
		return nil
	}
	res.AddCalls++
	_, err = c.AddMembers(ctx, res.SetID, chk.Missing)
	return err
}
