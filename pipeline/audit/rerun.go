package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// RerunPrefix starts the name of verify --rerun's private stage inside DIR. verify
// reports one left behind (a killed verify --rerun): it holds personal data.
const RerunPrefix = ".purgeset-rerun-"

// RerunOptions are what verify --rerun needs besides DIR.
type RerunOptions struct {
	// Tool is this purgeset; a manifest written by another version is named in the
	// findings, since a newer version may decide or format differently.
	Tool writers.Tool
	// TempDir is where the private stage goes when DIR cannot take it (read-only);
	// "" for os.TempDir().
	TempDir string
}

// Rerun is verify --rerun (SPEC §7): Verify, then read the inputs the manifest names
// again (paths as recorded, relative to the current directory; each must have the
// recorded sha256), run again with the manifest's parameters, clock and tool into a
// private stage, and compare every output, manifest.json included, byte for byte.
// Any difference is a Mismatch naming the file and, for text files, the first
// differing line. An input that is missing or not a regular file is a *readers.ParseError
// (exit 3): nothing can be proved without it.
//
// The stage is a 0700 directory inside DIR, removed before returning: the re-run's
// outputs are as personal as the run's, and DIR is where the operator chose to keep
// that data (its file system, its backups, its permissions), while os.TempDir may be
// shared or on another disk. Only when DIR is not writable does it go to TempDir.
func Rerun(ctx context.Context, dir string, opts RerunOptions) (*Verification, error) {
	v, err := Verify(ctx, dir)
	if err != nil || !v.OK() {
		if v != nil {
			v.add("", "re-run not attempted: the run directory must pass plain verify first")
		}
		return v, err
	}
	d, err := rundir.Open(dir)
	if err != nil {
		return nil, err
	}
	m := d.Manifest
	created, err := time.Parse(time.RFC3339, m.Created)
	if err != nil {
		v.add(writers.ManifestName, "created is not an RFC 3339 time: the run cannot be repeated with its clock")
		return v, nil
	}
	if ok, err := v.checkInputs(ctx, m); err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return v, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, p := range m.Parameters.Protect {
		if err := needRegular(p, "protect list"); err != nil {
			return nil, err
		}
	}
	stage, where, err := rerunStage(dir, opts.TempDir)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	v.RerunStage = where
	out := filepath.Join(stage, "out")
	cfg, err := rerunConfig(m, created, out, stage)
	if err != nil {
		v.add(writers.ManifestName, "parameters cannot be run again: %v", err)
		return v, nil
	}
	sum, err := pipeline.Run(ctx, cfg)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		// The inputs are the run's (same sha256), so a run that stops now was not made
		// with these parameters. The message names file, row and column, never an ID.
		v.add(writers.ManifestName, "re-running the inputs with the manifest's parameters stops (%v): the manifest's parameters are not the ones this run was made with", err)
		return v, nil
	}
	if err := v.compareOutputs(ctx, d, out, sum.Outputs); err != nil {
		return nil, err
	}
	v.Rerun = true
	if !v.OK() && opts.Tool.Version != "" && (opts.Tool.Version != m.Tool.Version || opts.Tool.Commit != m.Tool.Commit) {
		v.add("", "the run was made by purgeset %s, this is %s: a difference may come from the version; verify --rerun with the version that made the run",
			clip(versionText(m.Tool)), versionText(opts.Tool))
	}
	return v, nil
}

func versionText(t writers.Tool) string {
	if t.Commit != "" {
		return t.Version + " (" + t.Commit + ")"
	}
	return t.Version
}

// checkInputs compares each input the manifest lists with the file now at its path, and
// with parameters.inputs. It reports whether the re-run can go on; the error is an input
// that cannot be read at all.
func (v *Verification) checkInputs(ctx context.Context, m *writers.Manifest) (bool, error) {
	paths := make([]string, len(m.Inputs))
	for i, in := range m.Inputs {
		paths[i] = in.Path
	}
	if !slices.Equal(paths, m.Parameters.Inputs) {
		v.add(writers.ManifestName, "inputs and parameters.inputs name different files: the manifest was edited")
		return false, nil
	}
	for _, in := range m.Inputs {
		if err := needRegular(in.Path, "input"); err != nil {
			return false, err
		}
		sum, err := fileSHA256(ctx, in.Path)
		switch {
		case ctx.Err() != nil:
			return false, ctx.Err()
		case err != nil:
			v.add(in.Path, "input cannot be read: %v", err)
		case sum != in.SHA256:
			v.add(in.Path, "input's sha256 differs from the manifest: it changed since the run (or is another file of that name), so the run cannot be repeated from it; use the export the run read")
		}
	}
	return v.OK(), nil
}

// needRegular is exit 3 for a file the re-run must read and cannot: missing, or not a
// regular file. Paths are as the manifest records them, relative to the current
// directory, as the run resolved them.
func needRegular(path, what string) error {
	f, err := readers.OpenRegular(path)
	if err == nil {
		f.Close()
		return nil
	}
	msg := fmt.Sprintf("the manifest names this %s, and it cannot be read here: %v", what, err)
	if errors.Is(err, fs.ErrNotExist) {
		msg = fmt.Sprintf("the manifest names this %s, and there is no such file here", what)
	}
	return &readers.ParseError{File: path, Msg: msg,
		Hint: "verify --rerun reads the files by the paths the manifest records, relative to the current directory: run it from the directory the run was made in, with the exports the run read"}
}

// rerunStage makes the private stage: in DIR when it can, else in tempDir.
func rerunStage(dir, tempDir string) (path, where string, err error) {
	if path, err = os.MkdirTemp(dir, RerunPrefix); err == nil {
		return path, "the run directory", nil
	}
	if path, err = os.MkdirTemp(tempDir, RerunPrefix); err != nil {
		return "", "", fmt.Errorf("create a private directory for the re-run: %w", err)
	}
	if tempDir == "" {
		tempDir = os.TempDir()
	}
	return path, tempDir + " (the run directory is not writable)", nil
}

// rerunConfig is the run's Config rebuilt from the manifest: its typed parameters, its
// clock and tool, and the warnings the command line added (recomputed, not copied, so
// that an edited message differs).
func rerunConfig(m *writers.Manifest, created time.Time, out, spill string) (pipeline.Config, error) {
	p := m.Parameters
	cfg, err := pipeline.FromParameters(p, created)
	if err != nil {
		return cfg, err
	}
	cfg.DryRun = false
	cfg.TempDir = spill
	// The manifest does not say whether --record-type was given or left at its default;
	// it matters only for warning unmatched_record_type, which only a given one raises.
	cfg.RecordTypesGiven = !slices.Equal(p.RecordTypes, pipeline.DefaultRecordTypes) || hasWarning(m, "unmatched_record_type")
	cfg.Output = pipeline.Output{
		Dir:       out,
		Set:       writers.SetOptions{Format: p.SetFormat, Header: p.SetHeader, Split: p.Split},
		NoReview:  p.NoReview,
		NoArchive: p.NoArchive,
		Created:   created,
		Tool:      m.Tool,
	}
	if len(p.ConfigOverridden) > 0 {
		cfg.Output.Warnings = append(cfg.Output.Warnings, pipeline.ConfigOverriddenWarning(p.Config, p.ConfigOverridden))
	}
	if hasWarning(m, pipeline.WarnOutInGit) {
		cfg.Output.Warnings = append(cfg.Output.Warnings, pipeline.OutInGitWarning())
	}
	return cfg, nil
}

func hasWarning(m *writers.Manifest, code string) bool {
	for _, w := range m.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
