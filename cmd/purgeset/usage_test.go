package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageTypos: a typo in a batch script must fail with exit 2, never print help and
// succeed.
func TestUsageTypos(t *testing.T) {
	for _, args := range [][]string{
		{"help", "nonexist"},
		{"completion", "tcsh"},
		{"runn", "--cutoff", "2024-07-01"},
		{"verify"},
		{"diff", "only-one"},
		{"--quiet", "--verbose", "version"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if code := exitCode(err); code != exitUsage {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), code, stderr.String())
		}
	}
}
