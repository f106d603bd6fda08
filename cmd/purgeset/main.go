// Command purgeset turns Alma Analytics user exports into itemized-set files for the
// Purge User Records job, with a manifest that accounts for every row.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/alma"
	"github.com/purgeset/purgeset/pipeline/audit"
	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// Exit codes (SPEC §6).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInput       = 3
	exitSafety      = 4
	exitMismatch    = 5
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// usageError is a mistake in the command line or config file (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// mismatchError is verify's or reconcile's finding (exit 5); its lines were printed.
type mismatchError struct{ msg string }

func (e mismatchError) Error() string { return e.msg }

// reported marks an error whose message was already shown, so run does not log it
// twice.
type reported struct{ err error }

func (e reported) Error() string { return e.err.Error() }
func (e reported) Unwrap() error { return e.err }

// cobraUsage recognises cobra's own command-line errors, which it does not type:
// an unknown command or a wrong number of arguments is a usage error (exit 2).
func cobraUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"unknown command ", "accepts ", "requires at least ", "requires at most ", "accepts between ", "invalid argument "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// exitCode is the one place where an error becomes an exit code.
func exitCode(err error) int {
	var usage usageError
	var safety *pipeline.SafetyError
	var mismatch mismatchError
	var stop almaStop
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &usage), errors.Is(err, writers.ErrOutDir), errors.Is(err, pipeline.ErrOption):
		return exitUsage
	case errors.Is(err, readers.ErrInput):
		return exitInput
	case errors.As(err, &safety), errors.As(err, &stop):
		return exitSafety
	case errors.As(err, &mismatch), errors.Is(err, audit.ErrUnverified), errors.Is(err, rundir.ErrDamaged):
		return exitMismatch
	}
	return exitFailure
}

// run executes one command line; it never exits the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app := newApp(stdout, stderr)
	app.presetLog(args)
	root := app.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && cobraUsage(err) {
		err = usageError{err}
	}
	if errors.Is(err, context.Canceled) && errors.As(err, new(*alma.UploadError)) {
		err = fmt.Errorf("interrupted: %w", err) // it says what was done in Alma
	} else if errors.Is(err, context.Canceled) {
		err = fmt.Errorf("interrupted: stopped before anything was written; temporary files were removed (%w)", err)
	}
	if err != nil && !errors.As(err, new(reported)) {
		app.logError(err)
	}
	return err
}
