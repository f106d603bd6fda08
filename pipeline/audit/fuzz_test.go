package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/writers"
)

// fuzzDir is one valid run directory (both set formats, review page, archive), its
// input, and sentinel files outside it, built once per process and copied per input.
var fuzzDir struct {
	once            sync.Once
	clean, input    string
	names           []string // the run directory's files, sorted
	outside         string   // a directory beside DIR holding the sentinels
	sentinelCSV     string   // decisions.csv-shaped, its ID the secret
	sentinelSetText string   // a txt set file whose ID is the secret
	err             error
}

func setupFuzzDir(f *testing.F) {
	fuzzDir.once.Do(func() {
		root, err := os.MkdirTemp("", "purgeset-fuzzrundir-")
		if err != nil {
			fuzzDir.err = err
			return
		}
		// Kept for the whole fuzzing process (workers share it through this once); it
		// holds only synthetic rows.
		in := filepath.Join(root, "in.csv")
		os.WriteFile(in, []byte(verifyCSV), 0o600)
		cfg := baseConfig(&testing.T{}, in)
		cfg.TempDir = root
		cfg.Output.Dir = filepath.Join(root, "clean")
		cfg.Output.Set = writers.SetOptions{Format: "both", Header: "USERNAME", Split: 2}
		cfg.Parameters = &writers.Parameters{Cutoff: "2024-07-01", Groups: cfg.Groups, RecordTypes: cfg.RecordTypes,
			MaxIncluded: -1, MaxIncludedPercent: -1, SetFormat: "both", SetHeader: "USERNAME", Split: 2, Inputs: []string{in}}
		if _, err := Run(context.Background(), cfg); err != nil {
			fuzzDir.err = err
			return
		}
		fuzzDir.clean, fuzzDir.input = cfg.Output.Dir, in
		entries, _ := os.ReadDir(cfg.Output.Dir)
		for _, e := range entries {
			fuzzDir.names = append(fuzzDir.names, e.Name())
		}
		sort.Strings(fuzzDir.names)
		fuzzDir.outside = filepath.Join(root, "outside")
		os.Mkdir(fuzzDir.outside, 0o700)
		fuzzDir.sentinelCSV = filepath.Join(fuzzDir.outside, "decisions.csv")
		os.WriteFile(fuzzDir.sentinelCSV, []byte(strings.Join(writers.DecisionsHeader, ",")+"\n"+
			in+",2,"+outsideSecret+",Alumni,2020-01-01,included,expired,\n"), 0o600)
		fuzzDir.sentinelSetText = filepath.Join(fuzzDir.outside, "set-001.txt")
		os.WriteFile(fuzzDir.sentinelSetText, []byte("USERNAME\n"+outsideSecret+"\n"), 0o600)
	})
	if fuzzDir.err != nil {
		f.Fatal(fuzzDir.err)
	}
}

// Mutations of one file of the run directory.
const (
	mutOverwrite    = iota // data written over the file at offset
	mutInsert              // data inserted at offset
	mutTruncate            // cut at offset
	mutReplace             // the file's content becomes data
	mutLinkOutside         // a symbolic link to the sentinel of the same kind outside DIR
	mutLinkDirUp           // a symbolic link through .. to the outside directory's file
	mutManifestName        // the manifest lists the file as ../outside/NAME
	mutCount
)

// FuzzRunDir mutates one file of a valid run directory (bytes over, bytes in, cut,
// replaced, a symbolic link out of DIR, a manifest entry pointing out of DIR) and runs
// verify, diff and reconcile on it. The property: each ends as exit 0 or 5 would
// (verify: never an error; diff and reconcile: nil, or a refusal as unverified or
// damaged), never a panic, and the sentinel outside DIR never reaches a finding, a
// result or an error: nothing outside DIR was read.
func FuzzRunDir(f *testing.F) {
	setupFuzzDir(f)
	// Every file with two kinds of mutation, and every kind on decisions.csv: the seeds
	// run in every `go test`, so they stay few; fuzzing finds the rest.
	for i, name := range fuzzDir.names {
		for _, m := range []int{i % mutCount, (i + 3) % mutCount} {
			f.Add(uint8(i), uint8(m), uint32(37*i+11*m), []byte(`"x0,\n`))
		}
		if name == writers.DecisionsName {
			for m := range mutCount {
				f.Add(uint8(i), uint8(m), uint32(101*m), []byte("e1\n"))
			}
		}
	}
	f.Add(uint8(0), uint8(mutReplace), uint32(0), []byte{})
	f.Add(uint8(3), uint8(mutOverwrite), uint32(20), []byte(`{"name":"../outside/decisions.csv"}`))
	f.Fuzz(func(t *testing.T, file, mut uint8, off uint32, data []byte) {
		if len(data) > 4096 {
			return
		}
		dir := copyDir(t, fuzzDir.clean)
		name := fuzzDir.names[int(file)%len(fuzzDir.names)]
		mutate(t, dir, name, int(mut)%mutCount, int(off), data)

		var seen []string
		v, err := Verify(context.Background(), dir)
		if err != nil {
			t.Fatalf("%s: verify failed as the machine would (exit 1): %v", name, err)
		}
		for _, m := range v.Mismatches {
			seen = append(seen, m.String())
		}
		d, err := Diff(context.Background(), fuzzDir.clean, dir)
		seen = append(seen, checkAuditErr(t, "diff", err, v.OK())...)
		if d != nil {
			b, _ := json.Marshal(d)
			seen = append(seen, string(b))
		}
		r, err := Reconcile(context.Background(), dir, []string{fuzzDir.input}, ReconcileOptions{})
		seen = append(seen, checkAuditErr(t, "reconcile", err, v.OK())...)
		if r != nil {
			seen = append(seen, fmt.Sprintf("%+v", *r))
		}
		for _, s := range seen {
			if strings.Contains(s, outsideSecret) {
				t.Fatalf("%s: output carries the content of a file outside DIR: %s", name, s)
			}
		}
	})
}

// checkAuditErr accepts the errors that are exit 5 (unverified, damaged) and returns
// the texts to search for the sentinel. A directory that verified must not be refused
// as unverified.
func checkAuditErr(t *testing.T, cmd string, err error, verified bool) []string {
	t.Helper()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnverified) && !verified, errors.Is(err, rundir.ErrDamaged):
		return []string{err.Error()}
	}
	t.Fatalf("%s: an error that is neither exit 0 nor 5: %v", cmd, err)
	return nil
}

func mutate(t *testing.T, dir, name string, mut, off int, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	if len(b) > 0 {
		at = off % (len(b) + 1)
	}
	sentinel := fuzzDir.sentinelCSV
	if strings.HasPrefix(name, "set-") {
		sentinel = fuzzDir.sentinelSetText
	}
	switch mut {
	case mutOverwrite:
		c := append([]byte{}, b...)
		copy(c[min(at, len(c)):], data)
		b = c
	case mutInsert:
		b = append(append(append([]byte{}, b[:at]...), data...), b[at:]...)
	case mutTruncate:
		b = b[:at]
	case mutReplace:
		b = data
	case mutLinkOutside, mutLinkDirUp:
		os.Remove(p)
		target := sentinel
		if mut == mutLinkDirUp {
			rel, err := filepath.Rel(dir, sentinel)
			if err != nil {
				t.Fatal(err)
			}
			target = rel
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return
	case mutManifestName:
		mp := filepath.Join(dir, writers.ManifestName)
		m, err := os.ReadFile(mp)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, filepath.Join(fuzzDir.outside, filepath.Base(sentinel)))
		m = []byte(strings.Replace(string(m), `"name": "`+name+`"`, `"name": "`+rel+`"`, 1))
		if err := os.WriteFile(mp, m, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
