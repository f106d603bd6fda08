package alma

import (
	"context"
	"net/url"
	"strconv"
)

// MaxBatch is the most members one add_members call may carry.
const MaxBatch = 1000

// PageSize is the members read per page. Alma's maximum is not documented; clients
// use 100, and the reader advances by what each page holds, not by what it asked for.
const PageSize = 100

// Test checks the key and learns the day's remaining budget (X-Exl-Api-Remaining).
func (c *Client) Test(ctx context.Context) error {
	return c.do(ctx, RouteTest, nil, nil, nil, nil)
}

// CreateSet creates a public itemized set of users.
func (c *Client) CreateSet(ctx context.Context, name, description string) (*Set, error) {
	in := newSet{Name: name, Description: description,
		Type: CodeDesc{Value: "ITEMIZED"}, Content: CodeDesc{Value: "USER"},
		// Alma makes API sets private unless told; staff may then not find it.
		Private: CodeDesc{Value: "false"}}
	var out Set
	if err := c.do(ctx, RouteCreateSet, nil, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddMembers adds at most MaxBatch primary IDs, refusing IDs Alma does not know
// (fail_on_invalid_id=true) rather than skipping them silently.
func (c *Client) AddMembers(ctx context.Context, setID string, ids []string) (*Set, error) {
	var in addMembers
	in.Members.Member = make([]memberRef, len(ids))
	for i, id := range ids {
		in.Members.Member[i] = memberRef{ID: id}
	}
	q := url.Values{"fail_on_invalid_id": {"true"}}
	var out Set
	if err := c.do(ctx, RouteAddMembers, []string{setID}, q, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSet reads a set.
func (c *Client) GetSet(ctx context.Context, setID string) (*Set, error) {
	var out Set
	if err := c.do(ctx, RouteGetSet, []string{setID}, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MembersPage reads one page of a set's members and the total Alma reports.
func (c *Client) MembersPage(ctx context.Context, setID string, offset int) ([]Member, int64, bool, error) {
	q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)}}
	var out membersPage
	if err := c.do(ctx, RouteMembers, []string{setID}, q, nil, &out); err != nil {
		return nil, 0, false, err
	}
	return out.Member, out.Total.N, out.Total.Set, nil
}

// GetUser reads a user with loans, requests and fees. Alma matches any unique
// identifier by default, so the caller must compare primary_id with the ID asked for.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	q := url.Values{"expand": {"loans,requests,fees"}, "view": {"full"}}
	var out User
	if err := c.do(ctx, RouteGetUser, []string{id}, q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
