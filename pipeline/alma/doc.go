// Package alma is purgeset's client for the Alma REST API: a short allowlist of
// read-mostly requests (create an itemized user set, add members, read sets, members
// and users), a rate limit, a daily-budget floor, and the upload, verify-set and
// check-users steps built on it. It never deletes or updates a user and never runs a
// job: the allowlist is enforced where every request is sent.
package alma
