package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// outsideSecret is the content of a file outside the run directory that damaged run
// directories point to: it must never reach a finding.
const outsideSecret = "OUTSIDE-SECRET-7d1f"

// damageVerify runs Verify, Diff and Reconcile on a damaged directory: none may panic
// or fail as the machine would; verify must find something (each damage changes what
// the manifest describes), diff and reconcile must refuse it as unverified, and no
// finding may carry the outside file's content.
func damageVerify(t *testing.T, dir, what string, clean string) {
	t.Helper()
	v, err := Verify(context.Background(), dir)
	if err != nil {
		t.Fatalf("%s: Verify failed as the machine would: %v", what, err)
	}
	if v.OK() {
		if key := manifestKeyChanged(t, clean, dir); uncheckedKeys[key] {
			return // verify --rerun's to catch
		}
		t.Fatalf("%s: verify passed a damaged directory", what)
	}
	for _, m := range v.Mismatches {
		if strings.Contains(m.String(), outsideSecret) {
			t.Fatalf("%s: a finding quotes a file outside DIR: %s", what, m)
		}
	}
	if strings.HasPrefix(what, "flip") {
		return // diff verifies first: the replacements below check that it refuses
	}
	if _, err := Diff(context.Background(), clean, dir); err == nil {
		t.Fatalf("%s: diff compared a damaged directory", what)
	}
}

// uncheckedKeys are the manifest keys verify cannot check against the files (what the
// run says of itself); verify --rerun compares them with a fresh run.
var uncheckedKeys = map[string]bool{"(none)": true, "created": true, "tool": true, "warnings": true, "checklist": true}

// manifestKeyChanged is the top-level manifest key whose value differs between two run
// directories, or "" when the manifest is not valid JSON or no single key differs.
func manifestKeyChanged(t *testing.T, a, b string) string {
	var ma, mb map[string]json.RawMessage
	ba, _ := os.ReadFile(filepath.Join(a, writers.ManifestName))
	bb, _ := os.ReadFile(filepath.Join(b, writers.ManifestName))
	if json.Unmarshal(ba, &ma) != nil || json.Unmarshal(bb, &mb) != nil || len(ma) != len(mb) {
		return ""
	}
	changed := "(none)" // only white space changed
	for k, v := range ma {
		if string(mb[k]) != string(v) {
			if changed != "(none)" {
				return ""
			}
			changed = k
		}
	}
	return changed
}

// TestDamagedRunDirectories damages every file of a run directory in many ways: byte
// flips at many offsets, truncations, an empty file, a directory, symbolic links in and
// out of DIR, a FIFO, /dev/zero, a 2 GB sparse file.
func TestDamagedRunDirectories(t *testing.T) {
	clean := makeRunDir(t, verifyCSV, nil)
	outside := filepath.Join(t.TempDir(), "outside.csv")
	os.WriteFile(outside, []byte(strings.Join(writers.DecisionsHeader, ",")+"\n"+outsideSecret+",2,x,,,included,expired,\n"), 0o600)
	entries, err := os.ReadDir(clean)
	if err != nil {
		t.Fatal(err)
	}
	offsets := 16
	if testing.Short() {
		offsets = 4
	}
	for _, e := range entries {
		name := e.Name()
		b, err := os.ReadFile(filepath.Join(clean, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			for i := range offsets {
				off := i * len(b) / offsets
				d := copyDir(t, clean)
				c := append([]byte{}, b...)
				c[off] ^= 0x5a
				os.WriteFile(filepath.Join(d, name), c, 0o600)
				damageVerify(t, d, "flip at "+itoa(off), clean)
			}
			for _, n := range []int{0, 1, len(b) / 2, len(b) - 1} {
				d := copyDir(t, clean)
				os.WriteFile(filepath.Join(d, name), b[:n], 0o600)
				damageVerify(t, d, "truncated to "+itoa(n), clean)
			}
			replace := map[string]func(p string) error{
				"directory":         func(p string) error { return os.Mkdir(p, 0o700) },
				"symlink outside":   func(p string) error { return os.Symlink(outside, p) },
				"symlink /dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
				"symlink loop":      func(p string) error { return os.Symlink(p, p) },
				"fifo":              func(p string) error { return mkfifo(p) },
				"sparse 2 GB": func(p string) error {
					if err := os.WriteFile(p, b, 0o600); err != nil {
						return err
					}
					return os.Truncate(p, 2<<30)
				},
			}
			if name != writers.DecisionsName {
				replace["symlink inside"] = func(p string) error { return os.Symlink(writers.DecisionsName, p) }
			}
			for what, fn := range replace {
				d := copyDir(t, clean)
				p := filepath.Join(d, name)
				os.Remove(p)
				if err := fn(p); err != nil {
					t.Logf("%s: %v (skipped)", what, err)
					continue
				}
				damageVerify(t, d, what, clean)
			}
		})
	}
}

// TestEditedManifestKeys edits or removes every key of the manifest, and adds one it
// does not know: each is a finding.
func TestEditedManifestKeys(t *testing.T) {
	clean := makeRunDir(t, verifyCSV, nil)
	b, err := os.ReadFile(filepath.Join(clean, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(m map[string]any){
		"unknown key": func(m map[string]any) { m["approved"] = true },
	}
	for k := range top {
		edits["remove "+k] = func(m map[string]any) { delete(m, k) }
	}
	params := top["parameters"].(map[string]any)
	for _, edit := range []struct {
		key string
		val any
	}{{"cutoff", "2030-01-01"}, {"cutoff", "2019-01-01"}, {"max_included", 1}, {"max_included_percent", 10},
		{"groups", []string{"Alumni"}}, {"split", 1}, {"set_format", "txt"}, {"no_archive", true}, {"no_review", true}, {"extra", 1}} {
		edits["parameters."+edit.key] = func(m map[string]any) {
			p := map[string]any{}
			for k, v := range params {
				p[k] = v
			}
			p[edit.key] = edit.val
			m["parameters"] = p
		}
	}
	edits["run_id"] = func(m map[string]any) { m["run_id"] = strings.Repeat("0", 64) }
	edits["inputs sha256"] = func(m map[string]any) {
		in := m["inputs"].([]any)[0].(map[string]any)
		in["sha256"] = "not-a-hash"
	}
	edits["counts"] = func(m map[string]any) { m["counts"].(map[string]any)["blank_rows"] = -1 }
	for what, edit := range edits {
		t.Run(what, func(t *testing.T) {
			var m map[string]any
			json.Unmarshal(b, &m)
			edit(m)
			out, _ := json.MarshalIndent(m, "", "  ")
			d := copyDir(t, clean)
			os.WriteFile(filepath.Join(d, writers.ManifestName), out, 0o600)
			if lines := verifyLines(t, d); len(lines) == 0 {
				if what == "remove created" || what == "remove tool" || what == "remove warnings" {
					t.Skip("created, tool and warnings are checked by verify --rerun only")
				}
				t.Errorf("verify passed a manifest with %s edited", what)
			}
		})
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNumber(n)) }

func jsonNumber(n int) string { b, _ := json.Marshal(n); return string(b) }
