package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// ErrUnverified marks a run directory that diff or reconcile refused because it does
// not pass verify (exit 5).
var ErrUnverified = errors.New("the run directory does not pass verify")

// UnverifiedError is ErrUnverified with the findings.
type UnverifiedError struct {
	Dir        string
	Mismatches []Mismatch
}

func (e *UnverifiedError) Error() string {
	first := ""
	if len(e.Mismatches) > 0 {
		first = "; the first: " + e.Mismatches[0].String()
	}
	return fmt.Sprintf("%s does not pass verify (%d mismatches%s), so its decisions cannot be trusted: run purgeset verify %s for the list, and run again",
		e.Dir, len(e.Mismatches), first, e.Dir)
}

func (e *UnverifiedError) Unwrap() error { return ErrUnverified }

// openVerified verifies DIR and opens it for reading. A directory with neither a
// manifest nor decisions.csv is not a run directory at all (an input problem, exit 3);
// one that does not verify is *UnverifiedError (exit 5).
func openVerified(ctx context.Context, dir string) (*rundir.Dir, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, &readers.ParseError{File: dir, Msg: "not a directory", Hint: "name the --out directory of a purgeset run"}
	}
	_, errM := os.Lstat(filepath.Join(dir, writers.ManifestName))
	_, errD := os.Lstat(filepath.Join(dir, writers.DecisionsName))
	if errors.Is(errM, fs.ErrNotExist) && errors.Is(errD, fs.ErrNotExist) {
		return nil, &readers.ParseError{File: dir, Msg: "no decisions.csv: not a purgeset run directory",
			Hint: "name the --out directory of a purgeset run"}
	}
	v, err := Verify(ctx, dir)
	if err != nil {
		return nil, err
	}
	if !v.OK() {
		return nil, &UnverifiedError{Dir: dir, Mismatches: v.Mismatches}
	}
	// Verify's buffers (the archive's column pages above all) are garbage now: hand
	// their pages back before the caller fills a map of a million IDs, or the peak is
	// nearer the sum of both than the larger (reconcile with a 1M-row run and export:
	// 260 -> 252 MB peak RSS by this alone).
	debug.FreeOSMemory()
	return rundir.Open(dir)
}
