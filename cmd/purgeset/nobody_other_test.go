//go:build !unix

package main

import "testing"

// asNobody: only unix has a root that ignores permission bits and a nobody to drop to.
func asNobody(t *testing.T) bool { return false }
