package pipeline

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/purgeset/purgeset/writers"
)

// ErrOption marks every error in the options themselves (exit 2), whether found before
// reading or only once the inputs show that an option cannot be what was meant.
var ErrOption = errors.New("option rejected")

// OptionError is an option that cannot be right (SPEC §8): a future cutoff, a group no
// row holds, an invalid --id-pattern. Msg says what is wrong and what to do.
type OptionError struct {
	File string // the input that showed it, when one did
	Row  int    // its header row, when that is where it showed
	Msg  string
}

func (e *OptionError) Error() string {
	switch {
	case e.File != "" && e.Row > 0:
		return fmt.Sprintf("%s row %d: %s", e.File, e.Row, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

func (e *OptionError) Unwrap() error { return ErrOption }

func optionErrorf(format string, a ...any) error {
	return &OptionError{Msg: fmt.Sprintf(format, a...)}
}

// Validate checks every option that can be checked without reading a row, so that a
// mistake stops the run before anything is read, let alone decided. The CLI calls it
// first; Run calls it again, so that no caller can skip it.
func (c *Config) Validate() error {
	switch {
	case len(c.Groups) == 0 && !c.AllGroups:
		return optionErrorf("name the eligible user groups with --group NAME (repeatable), or pass --all-groups")
	case len(c.Groups) > 0 && c.AllGroups:
		return optionErrorf("--group and --all-groups exclude each other: pass one")
	}
	for _, g := range c.Groups {
		if strings.TrimSpace(g) == "" {
			return optionErrorf("--group \"\" is empty: name a user group")
		}
	}
	if len(c.RecordTypes) == 0 {
		return optionErrorf("at least one --record-type is needed (default Public)")
	}
	for _, t := range c.RecordTypes {
		if strings.TrimSpace(t) == "" {
			return optionErrorf("--record-type \"\" is empty: name a record type such as Public")
		}
	}
	switch c.DateOrder {
	case OrderNone, OrderMDY, OrderDMY:
	default:
		return optionErrorf("--date-order %q: want mdy or dmy", string(c.DateOrder))
	}
	if c.MaxIncluded < -1 {
		return optionErrorf("--max-included %d: want a count of 0 or more", c.MaxIncluded)
	}
	if p := c.MaxIncludedPct; math.IsNaN(p) || (p < 0 && p != -1) || p > 100 {
		return optionErrorf("--max-included-percent %g: want a percentage from 0 to 100", p)
	}
	if len(c.Inputs) == 0 {
		return optionErrorf("name at least one input file (an Analytics export)")
	}
	if err := c.compileIDPattern(); err != nil {
		return err
	}
	if c.futureCutoff() && !c.AllowFutureCutoff {
		return optionErrorf("--cutoff %s is after today (%s, UTC): such a cutoff includes users whose accounts have not expired yet; "+
			"use today's date or an earlier one, or pass --allow-future-cutoff if the purge is meant to run ahead", c.Cutoff, c.Today)
	}
	return nil
}

// compileIDPattern compiles --id-pattern to match the whole trimmed ID.
func (c *Config) compileIDPattern() error {
	c.idPattern = nil
	if c.IDPattern == "" {
		return nil
	}
	_, err := regexp.Compile(c.IDPattern) // for a message about the pattern as given
	re, err2 := regexp.Compile(`^(?:` + c.IDPattern + `)$`)
	if err == nil {
		err = err2
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		return optionErrorf("--id-pattern %q is not a valid pattern (%s): write a Go (RE2) regular expression, e.g. ^(s[0-9]{7}|[0-9]{8})$", c.IDPattern, msg)
	}
	c.idPattern = re
	return nil
}

// futureCutoff reports a cutoff after the run's date. A zero Today is a caller
// without a clock (library tests); the CLI always sets it.
func (c *Config) futureCutoff() bool { return c.Today != 0 && c.Cutoff > c.Today }

// optionWarnings are the warnings the options alone cause: a guard let through by its
// flag must still show in the manifest and on the review page.
func (c *Config) optionWarnings() []writers.Warning {
	var w []writers.Warning
	if c.futureCutoff() {
		w = append(w, writers.Warning{Code: "future_cutoff", Count: 1,
			Message: fmt.Sprintf("--cutoff %s is after the day of the run (%s), let through by --allow-future-cutoff: users whose accounts had not expired yet may be included", c.Cutoff, c.Today)})
	}
	return w
}
