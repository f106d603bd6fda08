package main

import "github.com/purgeset/purgeset/writers"

// parameters is what the manifest records of the options; verify reads the same type
// back. TestParametersRecordEveryOption keeps the two lists in step.
func (o *runOptions) parameters() *writers.Parameters {
	return &writers.Parameters{
		Cutoff: o.Cutoff, Groups: o.Groups, AllGroups: o.AllGroups, RecordTypes: o.RecordTypes,
		Protect: o.Protect, DateOrder: o.DateOrder, AcceptNumericIDs: o.AcceptNumericIDs, IDPattern: o.IDPattern,
		MaxIncluded: o.MaxIncluded, MaxIncludedPercent: o.MaxIncludedPercent, Split: o.Split,
		SetFormat: o.SetFormat, SetHeader: o.SetHeader, Sheet: o.Sheet, Columns: o.Columns,
		ArchiveColumns: o.ArchiveColumns, NoReview: o.NoReview, NoArchive: o.NoArchive,
		Out: o.Out, Force: o.Force, DryRun: o.DryRun, AllowUnmatched: o.AllowUnmatched,
		AllowFutureCutoff: o.AllowFutureCutoff, Operator: o.Operator, Inputs: o.Inputs,
		Config: o.Config, ConfigSHA256: o.ConfigSHA256, ConfigOverridden: o.Overridden,
	}
}
