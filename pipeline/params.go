package pipeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// FromParameters is the one translation of the manifest's typed parameters into a run's
// Config: `run` builds its Config through it, and `verify --rerun` builds the re-run's
// from the manifest the same way, so that an option added to one reaches the other.
// created is the run's time: it fixes Today (the future-cutoff guard) as the run saw it.
// The caller fills Output; nothing is validated here (Run validates).
func FromParameters(p *writers.Parameters, created time.Time) (Config, error) {
	cut, ok := ParseISODate(p.Cutoff)
	if !ok {
		return Config{}, optionErrorf("cutoff %q is not a YYYY-MM-DD date", p.Cutoff)
	}
	cols := map[readers.Role]string{}
	for role, h := range p.Columns {
		if !slices.Contains(readers.Roles, readers.Role(role)) {
			return Config{}, optionErrorf("column role %q: want one of id, expiry, group, record_type, purge_date", role)
		}
		cols[readers.Role(role)] = h
	}
	today, _ := MakeDate(created.UTC().Date())
	return Config{
		Inputs: p.Inputs, Cutoff: cut, Groups: p.Groups, AllGroups: p.AllGroups,
		RecordTypes: p.RecordTypes, Protect: p.Protect, DateOrder: DateOrder(p.DateOrder),
		AcceptNumericIDs: p.AcceptNumericIDs, IDPattern: p.IDPattern,
		MaxIncluded: p.MaxIncluded, MaxIncludedPct: p.MaxIncludedPercent,
		Sheet: p.Sheet, Columns: cols, ArchiveColumns: p.ArchiveColumns, DryRun: p.DryRun,
		AllowUnmatched: p.AllowUnmatched, AllowFutureCutoff: p.AllowFutureCutoff, Today: today,
		Parameters: p,
	}, nil
}

// DefaultRecordTypes are the eligible record types when none is named (SPEC §1).
var DefaultRecordTypes = []string{"Public"}

// Warning codes the caller of Run finds (the command line, not the rows), built here so
// that `run` and `verify --rerun` write the same text.
const (
	WarnConfigOverridden = "config_overridden"
	WarnOutInGit         = "out_in_git"
)

// ConfigOverriddenWarning is the manifest's warning that flags replaced what the config
// file set for the options named.
func ConfigOverriddenWarning(config string, options []string) writers.Warning {
	msg := fmt.Sprintf("the command line replaced what the config file %s set for %s", config, strings.Join(options, ", "))
	return writers.Warning{Code: WarnConfigOverridden, Message: msg, Count: len(options)}
}

// OutInGitWarning is the manifest's warning that --out is inside a git work tree.
func OutInGitWarning() writers.Warning {
	return writers.Warning{Code: WarnOutInGit, Count: 1,
		Message: "the output directory is inside a git work tree: the outputs hold personal data; keep them out of version control (add the directory to .gitignore)"}
}
