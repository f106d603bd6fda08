package audit

import (
	"fmt"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/writers"
)

// paramCheck holds the parameters that each decision can be checked against: an edited
// cutoff or group list in the manifest then disagrees with the rows it claims to have
// decided. (verify --rerun checks everything else by running again.)
type paramCheck struct {
	v         *Verification
	ok        bool
	cutoff    pipeline.Date
	groups    map[string]bool
	allGroups bool
	types     map[string]bool // lower case
	bad       int
}

func newParamCheck(v *Verification, p *writers.Parameters) *paramCheck {
	c := &paramCheck{v: v}
	if p == nil {
		return c
	}
	cut, ok := pipeline.ParseISODate(p.Cutoff)
	if !ok {
		v.add(writers.ManifestName, "parameters.cutoff is not a YYYY-MM-DD date")
		return c
	}
	c.ok, c.cutoff, c.allGroups, c.groups = true, cut, p.AllGroups, map[string]bool{}
	for _, g := range p.Groups {
		c.groups[g] = true
	}
	c.types = map[string]bool{}
	for _, rt := range p.RecordTypes {
		c.types[strings.ToLower(strings.TrimSpace(rt))] = true
	}
	return c
}

// row checks that a decision agrees with the cutoff and groups: an included or
// not_expired row's expiry against the cutoff, an included or group_not_selected row's
// group against the groups.
func (c *paramCheck) row(r *rundir.Decision) {
	if !c.ok {
		return
	}
	problem := ""
	switch r.Reason {
	case "expired", "not_expired":
		d, ok := pipeline.ParseISODate(r.Expiry)
		switch {
		case !ok:
			problem = fmt.Sprintf("reason %s, but expiry_date is not a date", r.Reason)
		case r.Reason == "expired" && d >= c.cutoff:
			problem = "included, but its expiry date is not before parameters.cutoff"
		case r.Reason == "not_expired" && d < c.cutoff:
			problem = "not_expired, but its expiry date is before parameters.cutoff"
		}
		if problem == "" && r.Reason == "expired" && !c.allGroups && !c.groups[r.UserGroup] {
			problem = "included, but its user group is not among parameters.groups"
		}
	case "group_not_selected":
		if c.allGroups || c.groups[r.UserGroup] {
			problem = "group_not_selected, but its user group is among parameters.groups (or all_groups is set)"
		}
	}
	if problem != "" {
		if c.bad++; c.bad <= maxRowFindings {
			c.v.add(writers.DecisionsName, "line %d: %s: the manifest's parameters are not the ones this run was made with", r.Line, problem)
		}
	}
}

// limits checks the safety limits recorded against the counts: a run that wrote its
// files passed them.
func (c *paramCheck) limits(p *writers.Parameters, counts writers.Counts) {
	if c.bad > maxRowFindings {
		c.v.add(writers.DecisionsName, "%d more lines that disagree with the manifest's parameters", c.bad-maxRowFindings)
	}
	if p == nil {
		return
	}
	if p.MaxIncluded >= 0 && counts.Included > p.MaxIncluded {
		c.v.add(writers.ManifestName, "counts.included is %d, more than parameters.max_included %d: this run would have stopped", counts.Included, p.MaxIncluded)
	}
	if p.MaxIncludedPercent >= 0 && float64(counts.Included)*100 > p.MaxIncludedPercent*float64(counts.DataRows) {
		c.v.add(writers.ManifestName, "counts.included is more than parameters.max_included_percent of the data rows: this run would have stopped")
	}
}

// record checks an archive record's record type against parameters.record_types: an
// included row has an eligible one, a record_type row has not.
func (c *paramCheck) record(r *writers.Record, line int) {
	if !c.ok {
		return
	}
	eligible := c.types[strings.ToLower(r.RecordType)]
	problem := ""
	switch {
	case r.Included && !eligible:
		problem = "included, but its record type (archive.parquet) is not among parameters.record_types"
	case r.Reason == "record_type" && eligible && r.RecordType != "":
		problem = "record_type, but its record type (archive.parquet) is among parameters.record_types"
	}
	if problem != "" {
		if c.bad++; c.bad <= maxRowFindings {
			c.v.add(writers.DecisionsName, "line %d: %s: the manifest's parameters are not the ones this run was made with", line, problem)
		}
	}
}
