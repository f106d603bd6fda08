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
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/rundir"
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
	RunID      string     `json:"run_id"`
	Mismatches []Mismatch `json:"mismatches"`
	// Rerun: verify --rerun ran the inputs again and compared Compared files with the
	// run's; RerunStage says where its private stage was.
	Rerun      bool   `json:"rerun,omitempty"`
	Compared   int    `json:"compared,omitempty"`
	RerunStage string `json:"-"`
}

// OK reports whether nothing was found.
func (v *Verification) OK() bool { return len(v.Mismatches) == 0 }

func (v *Verification) add(file, format string, a ...any) {
	v.Mismatches = append(v.Mismatches, Mismatch{File: file, Problem: fmt.Sprintf(format, a...)})
}

// addErr records a problem reading a file of the run directory.
func (v *Verification) addErr(file string, err error) {
	var p *rundir.Problem
	if errors.As(err, &p) {
		v.add(p.File, "%s", p.Msg)
		return
	}
	v.add(file, "cannot be read: %v", err)
}

// maxRowFindings bounds the findings about single rows of one check: a damaged file
// would otherwise give a line for every row.
const maxRowFindings = 5

// Verify re-checks a run directory against its manifest (SPEC §7): the manifest's
// shape and run ID, every listed file's sha256 and size, no unlisted purgeset file or
// stage, the outputs the parameters call for, and then in one streaming pass over
// decisions.csv: each decision against its reason, the counts per input, in total and
// by reason, the set files (in order, exactly the included IDs) and the archive. Memory
// is bounded by the sources and reasons seen, not by rows. The error is for failures of
// the machine and interruption only; everything wrong with DIR is a Mismatch.
func Verify(ctx context.Context, dir string) (*Verification, error) {
	v := &Verification{Dir: dir, Mismatches: []Mismatch{}}
	d, err := rundir.Open(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v.add("", "no manifest.json: not a complete purgeset run")
		return v, nil
	case err != nil:
		v.addErr(writers.ManifestName, err)
		return v, nil
	}
	m := d.Manifest
	if m.Schema != writers.ManifestSchema {
		v.add(writers.ManifestName, "schema is %q; this purgeset verifies %q", clip(m.Schema), writers.ManifestSchema)
		return v, nil
	}
	v.checkShape(m)
	listed, err := v.checkHashes(ctx, d)
	if err != nil {
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
			} else if f.off && listed[f.name] {
				v.add(writers.ManifestName, "lists %s, but parameters.%s is true", f.name, f.flag)
			}
		}
	}
	if !listed[writers.DecisionsName] {
		v.add(writers.ManifestName, "does not list %s: every run writes it", writers.DecisionsName)
		return v, nil
	}
	if err := v.checkRows(ctx, d, listed); err != nil {
		return nil, err
	}
	return v, ctx.Err()
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkShape checks what the manifest says of itself: the run ID recomputed from its
// outputs (SPEC §5), well-formed hashes, parameters present and coherent, counts that
// cannot be negative.
func (v *Verification) checkShape(m *writers.Manifest) {
	const mf = writers.ManifestName
	if id, err := writers.RunID(m.Outputs); err == nil && id != m.RunID {
		v.add(mf, "run_id is not the run ID of the files it lists (decisions.csv and the set files): the manifest was edited; do not upload, run again")
	}
	for i, in := range m.Inputs {
		if !hex64.MatchString(in.SHA256) {
			v.add(mf, "inputs[%d].sha256 is not a lower-case sha256 (64 hex digits)", i)
		}
		if in.Size < 0 || in.DataRows < 0 || in.Included < 0 || in.Excluded < 0 || in.BlankRows < 0 {
			v.add(mf, "inputs[%d] has a negative count", i)
		}
	}
	for _, o := range m.Outputs {
		if writers.IsOwnFile(o.Name) && !hex64.MatchString(o.SHA256) {
			v.add(mf, "gives %s a sha256 that is not 64 lower-case hex digits", o.Name)
		}
		if o.Bytes < 0 {
			v.add(mf, "gives %s a negative size", o.Name)
		}
	}
	if m.Parameters == nil {
		v.add(mf, "has no parameters: every run records them")
	} else if p := m.Parameters; p.Split < 1 || (p.SetFormat != "xlsx" && p.SetFormat != "txt" && p.SetFormat != "both") {
		v.add(mf, "parameters.split or parameters.set_format is not a value run accepts")
	}
	if m.Counts.DataRows < 0 || m.Counts.Included < 0 || m.Counts.Excluded < 0 || m.Counts.BlankRows < 0 {
		v.add(mf, "counts has a negative number")
	}
	if len(m.Checklist) == 0 {
		v.add(mf, "checklist is empty: every run records it")
	}
}

// checkHashes compares every listed output with the file, and looks for purgeset files
// and stages the manifest does not account for. It returns the names listed.
func (v *Verification) checkHashes(ctx context.Context, d *rundir.Dir) (map[string]bool, error) {
	listed := map[string]bool{}
	for _, o := range d.Manifest.Outputs {
		switch {
		case o.Name == writers.ManifestName || !writers.IsOwnFile(o.Name):
			// Never open it: a name such as ../x is not ours to read.
			v.add(writers.ManifestName, "lists %q among the outputs, which is not a file purgeset writes", clip(o.Name))
			continue
		case listed[o.Name]:
			v.add(writers.ManifestName, "lists %s twice among the outputs", o.Name)
			continue
		}
		listed[o.Name] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := d.OpenListed(o.Name)
		if errors.Is(err, fs.ErrNotExist) {
			v.add(o.Name, "listed in the manifest but missing")
			continue
		} else if err != nil {
			v.addErr(o.Name, err)
			continue
		}
		sum, size, err := readSHA256(ctx, f)
		f.Close()
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			v.add(o.Name, "cannot be read: %v", err)
		case sum != o.SHA256:
			v.add(o.Name, "sha256 differs from the manifest")
		case size != o.Bytes:
			v.add(writers.ManifestName, "gives %s %d bytes, the file has %d", o.Name, o.Bytes, size)
		}
	}
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		switch {
		case writers.IsOwnFile(n) && n != writers.ManifestName && !listed[n]:
			v.add(n, "not listed in the manifest: a file this run did not write; remove it (never upload it)")
		case strings.HasPrefix(n, RerunPrefix):
			v.add(n, "a private directory left by an interrupted verify --rerun (it holds personal data): delete it")
		case strings.HasPrefix(n, writers.StagePrefix):
			v.add(n, "a staging directory left by an interrupted run (it may hold personal data and complete-looking set files): run again with --force, which removes it, or delete it")
		}
	}
	return listed, nil
}

// readSHA256 hashes a file, checking for interruption every few megabytes.
func readSHA256(ctx context.Context, r io.Reader) (string, int64, error) {
	h := sha256.New()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", n, err
		}
		k, err := r.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), n, nil
		}
		if err != nil {
			return "", n, err
		}
	}
}

// fileSHA256 hashes a regular file (reconcile's exports).
func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum, _, err := readSHA256(ctx, f)
	return sum, err
}

// compare adds a finding when a number the manifest gives differs from the one the
// files hold; format takes the arguments a, then the two numbers.
func (v *Verification) compare(file string, manifest, files int, format string, a ...any) {
	if manifest != files {
		v.add(file, format, append(a, manifest, files)...)
	}
}

// decisionProblem says how a row's decision and reason disagree, or "".
func decisionProblem(r *writers.DecisionRow) string {
	reason, known := pipeline.ParseReason(r.Reason)
	switch {
	case r.Decision != "included" && r.Decision != "excluded":
		return fmt.Sprintf("decision %q, want included or excluded", clip(r.Decision))
	case !known:
		return fmt.Sprintf("reason %q is not a reason code", clip(r.Reason))
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

// clip shortens a value from a damaged file before it goes into a message: a finding
// must never carry a whole line.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
