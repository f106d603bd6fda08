package alma

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The statuses of check-users, per user.
const (
	UserOK        = "ok"
	UserMissing   = "missing"       // Alma knows no user with this ID
	UserOtherID   = "other_primary" // Alma matched another identifier: primary_id differs
	UserDisagrees = "disagrees"     // group, record type, expiry or purge date differ
	UserWillSkip  = "job_will_skip" // loans, fees above the threshold, no purge date
	UserRequests  = "open_requests" // requests the job drops or that make it skip
)

// UserCheck is one user's result; Details name fields and counts, never other IDs.
type UserCheck struct {
	ID      string
	Status  string
	Details []string
}

// UsersCheck is check-users' result.
type UsersCheck struct {
	Checked int
	Users   []UserCheck // every user that is not ok, in run order
	Counts  map[string]int
}

// Mismatches counts the users missing or disagreeing (exit 5).
func (u *UsersCheck) Mismatches() int {
	return u.Counts[UserMissing] + u.Counts[UserOtherID] + u.Counts[UserDisagrees]
}

// CheckOptions steer check-users.
type CheckOptions struct {
	// JobGroup is the purge group after Update/Notify Users: a user in it agrees on
	// group, and its purge date is not compared with the run's (Update/Notify set it).
	JobGroup       string
	WaiveThreshold float64
}

// Sample picks n users at random with a fixed seed, kept in run order, so that the
// same run and seed check the same users.
func Sample(users []RunUser, n int, seed uint64) []RunUser {
	if n <= 0 || n >= len(users) {
		return users
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	idx := r.Perm(len(users))[:n]
	slices.Sort(idx)
	out := make([]RunUser, n)
	for i, j := range idx {
		out[i] = users[j]
	}
	return out
}

// CheckUsers reads every user (one call each) and compares it with the run.
func CheckUsers(ctx context.Context, c *Client, users []RunUser, opts CheckOptions, progress Progress) (*UsersCheck, error) {
	res := &UsersCheck{Counts: map[string]int{}}
	for i, want := range users {
		u, err := c.GetUser(ctx, want.ID)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && (apiErr.Has(CodeUserNotFound) || apiErr.Has(CodeUserNotFoundType)):
			res.add(UserCheck{ID: want.ID, Status: UserMissing, Details: []string{"Alma knows no user with this ID"}})
		case errors.Is(err, ErrNotAllowed):
			res.add(UserCheck{ID: want.ID, Status: UserMissing, Details: []string{"cannot be asked for: the ID holds a slash or is . or .."}})
		case err != nil:
			return res, fmt.Errorf("user %d of %d: %w", i+1, len(users), err)
		default:
			res.add(compareUser(want, u, opts))
		}
		res.Checked++
		if progress != nil {
			progress("checking users", i+1, len(users))
		}
	}
	return res, nil
}

func (r *UsersCheck) add(u UserCheck) {
	r.Counts[u.Status]++
	if u.Status != UserOK {
		r.Users = append(r.Users, u)
	}
}

func compareUser(want RunUser, u *User, opts CheckOptions) UserCheck {
	res := UserCheck{ID: want.ID, Status: UserOK}
	if u.PrimaryID != want.ID {
		// The API matches any unique identifier: this is someone whose barcode or
		// other ID equals the run's ID, or the same person under another primary ID.
		res.Status = UserOtherID
		res.Details = []string{"Alma's primary_id is not this ID: the ID matched another identifier"}
		return res
	}
	var differ []string
	if !matchCode(u.UserGroup, want.Group, false) && !(opts.JobGroup != "" && matchCode(u.UserGroup, opts.JobGroup, false)) {
		differ = append(differ, "user_group")
	}
	if want.RecordType != "" && !matchCode(u.RecordType, want.RecordType, true) {
		differ = append(differ, "record_type")
	}
	if want.Expiry != "" && almaDate(u.ExpiryDate) != want.Expiry {
		differ = append(differ, "expiry_date")
	}
	if opts.JobGroup == "" && want.Purge != "" && almaDate(u.PurgeDate) != want.Purge {
		differ = append(differ, "purge_date")
	}
	if len(differ) > 0 {
		res.Status = UserDisagrees
		res.Details = []string{"differs from the run: " + strings.Join(differ, ", ")}
		return res
	}
	var skip []string
	if u.Loans.N > 0 {
		skip = append(skip, fmt.Sprintf("%d loans", u.Loans.N))
	}
	if u.Fees.F > opts.WaiveThreshold {
		skip = append(skip, fmt.Sprintf("fees %.2f above the waive threshold %.2f", u.Fees.F, opts.WaiveThreshold))
	}
	if almaDate(u.PurgeDate) == "" {
		skip = append(skip, "no purge date")
	}
	switch {
	case len(skip) > 0:
		res.Status, res.Details = UserWillSkip, skip
	case u.Requests.N > 0:
		// DOMAIN.md §5: active requests do not stop the job, which drops them
		// unannounced; Resource Sharing requests on the hold shelf make it skip.
		res.Status = UserRequests
		res.Details = []string{fmt.Sprintf("%d requests: the job drops them silently, or skips the user for a Resource Sharing request on the hold shelf", u.Requests.N)}
	}
	return res
}

// matchCode compares a run's value with Alma's code or description (an export may show
// either), exactly or, for record types, ignoring case.
func matchCode(cd CodeDesc, v string, fold bool) bool {
	v = strings.TrimSpace(v)
	for _, s := range []string{cd.Value, cd.Desc} {
		s = strings.TrimSpace(s)
		if s != "" && (s == v || fold && strings.EqualFold(s, v)) {
			return true
		}
	}
	return false
}

// almaDate is the YYYY-MM-DD of Alma's "2024-06-30Z" or "2024-06-30"; "" otherwise.
func almaDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return ""
	}
	return s[:10]
}
