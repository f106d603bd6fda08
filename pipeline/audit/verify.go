package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// Mismatch is one finding of Verify: the file it concerns and what is wrong. It never
// holds an ID: rows are named by their position.
type Mismatch struct {
	File    string `json:"file"`
	Problem string `json:"problem"`
}

func (m Mismatch) String() string {
	if m.File == "" {
		return m.Problem
	}
	return m.File + ": " + m.Problem
}

// Verification is the result of Verify.
type Verification struct {
	Dir        string     `json:"dir"`
	Files      int        `json:"files"` // outputs listed in the manifest
	Rows       int        `json:"rows"`  // rows of decisions.csv
	Mismatches []Mismatch `json:"mismatches"`
}

// OK reports whether nothing was found.
func (v *Verification) OK() bool { return len(v.Mismatches) == 0 }

func (v *Verification) add(file, format string, a ...any) {
	v.Mismatches = append(v.Mismatches, Mismatch{File: file, Problem: fmt.Sprintf(format, a...)})
}

// maxRowFindings bounds the findings about single rows of one check: a damaged file
// would otherwise give a line for every row.
const maxRowFindings = 5

// Verify re-checks a run directory against its manifest (SPEC §7): every listed
// file's sha256 and size, no unlisted purgeset file, the set files against the
// included rows of decisions.csv, decisions.csv against the manifest's counts
// (conservation per input and by reason), each decision against its reason, and the
// archive against decisions.csv. The error is for failures of the machine only;
// everything wrong with DIR is a Mismatch.
func Verify(ctx context.Context, dir string) (*Verification, error) {
	v := &Verification{Dir: dir, Mismatches: []Mismatch{}}
	m, err := writers.ReadManifest(filepath.Join(dir, writers.ManifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v.add("", "no manifest.json: not a complete purgeset run")
		return v, nil
	case errors.Is(err, fs.ErrPermission):
		return nil, err
	case err != nil:
		v.add(writers.ManifestName, "cannot be read: %v", errors.Unwrap(err))
		return v, nil
	case m.Schema != writers.ManifestSchema:
		v.add(writers.ManifestName, "schema is %q; this purgeset verifies %q", m.Schema, writers.ManifestSchema)
		return v, nil
	}
	listed, err := v.checkHashes(dir, m)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v.Files = len(m.Outputs)
	params := m.Parameters
	if params != nil {
		for _, f := range []struct {
			name, flag string
			off        bool
		}{{writers.ArchiveName, "no_archive", params.NoArchive}, {writers.ReviewName, "no_review", params.NoReview}} {
			if !f.off && !listed[f.name] {
				v.add(writers.ManifestName, "does not list %s, but parameters.%s is false", f.name, f.flag)
			}
		}
	}
	if !listed[writers.DecisionsName] {
		v.add(writers.ManifestName, "does not list %s: every run writes it", writers.DecisionsName)
		return v, nil
	}
	rows, err := writers.ReadDecisions(filepath.Join(dir, writers.DecisionsName))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) { // a missing file is reported already
			v.add(writers.DecisionsName, "cannot be read: %v", err)
		}
		return v, nil
	}
	v.Rows = len(rows)
	v.checkDecisions(m, rows)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.checkSets(dir, m, params, rows); err != nil {
		return nil, err
	}
	if listed[writers.ArchiveName] {
		v.checkArchive(dir, m, rows)
	}
	return v, ctx.Err()
}

// checkHashes compares every listed output with the file, and looks for purgeset files
// the manifest does not list. It returns the names listed.
func (v *Verification) checkHashes(dir string, m *writers.Manifest) (map[string]bool, error) {
	listed := map[string]bool{}
	for _, o := range m.Outputs {
		switch {
		case o.Name == writers.ManifestName || !writers.IsOwnFile(o.Name):
			// Never open it: a name such as ../x is not ours to read.
			v.add(writers.ManifestName, "lists %q among the outputs, which is not a file purgeset writes", o.Name)
			continue
		case listed[o.Name]:
			v.add(writers.ManifestName, "lists %s twice among the outputs", o.Name)
			continue
		}
		listed[o.Name] = true
		sum, size, err := fileSHA256(filepath.Join(dir, o.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			v.add(o.Name, "listed in the manifest but missing")
		case err != nil:
			return nil, err
		case sum != o.SHA256:
			v.add(o.Name, "sha256 differs from the manifest")
		case size != o.Bytes:
			v.add(writers.ManifestName, "gives %s %d bytes, the file has %d", o.Name, o.Bytes, size)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		switch {
		case writers.IsOwnFile(n) && n != writers.ManifestName && !listed[n]:
			v.add(n, "not listed in the manifest: a file this run did not write; remove it (never upload it)")
		case strings.HasPrefix(n, writers.StagePrefix):
			v.add(n, "a staging directory left by an interrupted run (it may hold personal data and complete-looking set files): run again with --force, which removes it, or delete it")
		}
	}
	return listed, nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkDecisions checks every row's decision against its reason, and the counts of
// decisions.csv against the manifest: rows, conservation per input and in total, and
// the exclusions by reason.
func (v *Verification) checkDecisions(m *writers.Manifest, rows []writers.DecisionRow) {
	for _, o := range m.Outputs {
		if o.Name == writers.DecisionsName && (o.Rows == nil || *o.Rows != len(rows)) {
			v.add(writers.DecisionsName, "has %d rows, but manifest.json says %s", len(rows), count(o.Rows))
		}
	}
	type tally struct{ inc, exc int }
	bySource := map[string]*tally{}
	var sources []string
	byReason := map[string]int{}
	total := tally{}
	bad := 0
	for i, r := range rows {
		t := bySource[r.Source]
		if t == nil {
			t = &tally{}
			bySource[r.Source] = t
			sources = append(sources, r.Source)
		}
		if problem := decisionProblem(r); problem != "" {
			if bad++; bad <= maxRowFindings {
				v.add(writers.DecisionsName, "line %d (%s row %d): %s", i+2, r.Source, r.Row, problem)
			}
		}
		if r.Decision == "included" {
			t.inc++
			total.inc++
		} else {
			t.exc++
			total.exc++
			byReason[r.Reason]++
		}
	}
	if bad > maxRowFindings {
		v.add(writers.DecisionsName, "%d more lines whose decision and reason do not agree", bad-maxRowFindings)
	}

	const mf = writers.ManifestName
	inputRows := 0
	inManifest := map[string]bool{}
	for _, in := range m.Inputs {
		inManifest[in.Path] = true
		inputRows += in.DataRows
		t := bySource[in.Path]
		if t == nil {
			t = &tally{}
		}
		v.compare(mf, in.DataRows, in.Included+in.Excluded, "input %s: data_rows is %d, but its included + excluded is %d", in.Path)
		v.compare(mf, in.DataRows, t.inc+t.exc, "input %s: data_rows is %d, but decisions.csv has %d rows from it", in.Path)
		v.compare(mf, in.Included, t.inc, "input %s: included is %d, but decisions.csv includes %d of its rows", in.Path)
		v.compare(mf, in.Excluded, t.exc, "input %s: excluded is %d, but decisions.csv excludes %d of its rows", in.Path)
	}
	for _, s := range sources {
		if !inManifest[s] {
			v.add(writers.DecisionsName, "%d rows come from %s, which manifest.json does not list as an input", bySource[s].inc+bySource[s].exc, s)
		}
	}
	c := m.Counts
	v.compare(mf, c.DataRows, len(rows), "counts.data_rows is %d, but decisions.csv has %d rows")
	v.compare(mf, c.DataRows, inputRows, "counts.data_rows is %d, but the inputs' data_rows add up to %d")
	v.compare(mf, c.DataRows, c.Included+c.Excluded, "counts.data_rows is %d, but counts.included + counts.excluded is %d")
	v.compare(mf, c.Included, total.inc, "counts.included is %d, but decisions.csv includes %d rows")
	v.compare(mf, c.Excluded, total.exc, "counts.excluded is %d, but decisions.csv excludes %d rows")
	for _, code := range reasonKeys(byReason, c.ExcludedByReason) {
		v.compare(mf, c.ExcludedByReason[code], byReason[code], "counts.excluded_by_reason.%s is %d, but decisions.csv excludes %d rows with it", code)
	}
}

// compare adds a finding when a number the manifest gives differs from the one the
// files hold; format takes the arguments a, then the two numbers.
func (v *Verification) compare(file string, manifest, files int, format string, a ...any) {
	if manifest != files {
		v.add(file, format, append(a, manifest, files)...)
	}
}

// decisionProblem says how a row's decision and reason disagree, or "".
func decisionProblem(r writers.DecisionRow) string {
	reason, known := pipeline.ParseReason(r.Reason)
	switch {
	case r.Decision != "included" && r.Decision != "excluded":
		return fmt.Sprintf("decision %q, want included or excluded", r.Decision)
	case !known:
		return fmt.Sprintf("reason %q is not a reason code", r.Reason)
	case (r.Decision == "included") != reason.Included():
		return fmt.Sprintf("decision %s with reason %s (a row is included exactly when its reason is expired)", r.Decision, r.Reason)
	}
	return ""
}

// reasonKeys is the union of the codes, in rule order, unknown codes last.
func reasonKeys(a, b map[string]int) []string {
	var keys []string
	seen := map[string]bool{}
	for _, r := range pipeline.AllReasons() {
		keys = append(keys, r.String())
		seen[r.String()] = true
	}
	var extra []string
	for _, m := range []map[string]int{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

func count(n *int) string {
	if n == nil {
		return "nothing"
	}
	return strconv.Itoa(*n)
}

// checkArchive compares archive.parquet's (source, row, id, decision, reason) with
// decisions.csv, row by row.
func (v *Verification) checkArchive(dir string, m *writers.Manifest, rows []writers.DecisionRow) {
	const name = writers.ArchiveName
	recs, _, err := writers.ReadArchive(filepath.Join(dir, name))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			v.add(name, "cannot be read: %v", errors.Unwrap(err))
		}
		return
	}
	for _, o := range m.Outputs {
		if o.Name == name && (o.Rows == nil || *o.Rows != len(recs)) {
			v.add(name, "has %d rows, but manifest.json says %s", len(recs), count(o.Rows))
		}
	}
	for i := 0; i < len(recs) && i < len(rows); i++ {
		a, d := &recs[i], &rows[i]
		var fields []string
		if a.Source != d.Source {
			fields = append(fields, "source")
		}
		if a.Row != d.Row {
			fields = append(fields, "row")
		}
		if a.ID != d.ID {
			fields = append(fields, "id")
		}
		if a.Decision() != d.Decision {
			fields = append(fields, "decision")
		}
		if a.Reason != d.Reason {
			fields = append(fields, "reason")
		}
		if len(fields) > 0 {
			v.add(name, "record %d (%s row %d) differs from decisions.csv line %d in %s; later records not compared",
				i+1, a.Source, a.Row, i+2, strings.Join(fields, ", "))
			return
		}
	}
	if len(recs) != len(rows) {
		v.add(name, "has %d records, decisions.csv %d rows", len(recs), len(rows))
	}
}
