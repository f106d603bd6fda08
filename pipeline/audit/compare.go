package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/writers"
)

// compareOutputs compares the run's outputs (manifest.json included) with the re-run's
// in dir out: the same names, and each file the same. Plain verify, which Rerun passes
// first, hashed each of the run's files against the manifest, and the re-run hashed its
// own while writing them, so equal sha256s are equal files: only a file whose hash
// differs is read, both copies in step, to name its first difference. Reading every
// file twice more cost more CPU than plain verify itself on a 1M-row run.
func (v *Verification) compareOutputs(ctx context.Context, d *rundir.Dir, out string, rerun []writers.Output) error {
	names := func(os []writers.Output) []string {
		var n []string
		for _, o := range os {
			if o.Name != writers.ManifestName { // compared last, by itself
				n = append(n, o.Name)
			}
		}
		return n
	}
	runNames, rerunNames := names(d.Manifest.Outputs), names(rerun)
	for _, n := range rerunNames {
		if !contains(runNames, n) {
			v.add(n, "the re-run writes it, the run did not list it")
		}
	}
	for _, n := range append(runNames, writers.ManifestName) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n != writers.ManifestName && !contains(rerunNames, n) {
			v.add(n, "the run lists it, the re-run does not write it")
			continue
		}
		if n != writers.ManifestName && sameHash(d.Manifest.Outputs, rerun, n) {
			v.Compared++
			continue
		}
		var f *os.File
		var err error
		if n == writers.ManifestName {
			f, err = d.OpenManifest()
		} else {
			f, err = d.OpenListed(n)
		}
		if err != nil {
			v.addErr(n, err)
			continue
		}
		g, err := os.Open(filepath.Join(out, n))
		if err != nil {
			f.Close()
			return fmt.Errorf("read the re-run's %s: %w", n, err)
		}
		diff, err := firstDifference(ctx, f, g, isText(n))
		f.Close()
		g.Close()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			v.add(n, "cannot be read: %v", err)
			continue
		}
		v.Compared++
		if diff != "" {
			v.add(n, "differs from a re-run of the inputs with the manifest's parameters (%s): the run directory was edited, or the run was not made from these inputs", diff)
		}
	}
	return nil
}

// sameHash reports whether both lists give output name the same, well-formed sha256.
func sameHash(run, rerun []writers.Output, name string) bool {
	find := func(os []writers.Output) string {
		for _, o := range os {
			if o.Name == name {
				return o.SHA256
			}
		}
		return ""
	}
	a := find(run)
	return hex64.MatchString(a) && a == find(rerun)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isText: the files whose first difference is told by line.
func isText(name string) bool {
	return name == writers.DecisionsName || name == writers.ManifestName || name == writers.ReviewName ||
		strings.HasSuffix(name, ".txt")
}

// firstDifference reads a (the run's) and b (the re-run's) in step and says where they
// first differ: "first at line N" for text, "first at byte N" otherwise, or "" when
// they are equal. It never quotes content, which may be an ID.
func firstDifference(ctx context.Context, a, b io.Reader, text bool) (string, error) {
	const chunk = 256 << 10
	ba, bb := make([]byte, chunk), make([]byte, chunk)
	var off int64
	line := 1
	where := func(k int, buf []byte) string {
		if text {
			return fmt.Sprintf("first at line %d", line+bytes.Count(buf[:k], []byte{'\n'}))
		}
		return fmt.Sprintf("first at byte %d", off+int64(k))
	}
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		na, errA := io.ReadFull(a, ba)
		nb, errB := io.ReadFull(b, bb)
		if errA != nil && errA != io.EOF && errA != io.ErrUnexpectedEOF {
			return "", errA
		}
		if errB != nil && errB != io.EOF && errB != io.ErrUnexpectedEOF {
			return "", fmt.Errorf("the re-run's file: %w", errB)
		}
		n := min(na, nb)
		if !bytes.Equal(ba[:n], bb[:n]) {
			for k := 0; k < n; k++ {
				if ba[k] != bb[k] {
					return where(k, ba), nil
				}
			}
		}
		switch {
		case na < nb:
			return where(n, ba) + ", where the run's file ends", nil
		case nb < na:
			return where(n, ba) + ", where the re-run's file ends", nil
		case na < chunk: // both ended together
			return "", nil
		}
		line += bytes.Count(ba[:n], []byte{'\n'})
		off += int64(n)
	}
}
