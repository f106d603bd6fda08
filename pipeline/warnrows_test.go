package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// TestWarningRowsAndRunID runs the bundled sample: each row-level warning lists the
// rows fixtures/README.md names, and the run ID is the one SPEC §5 defines, computed
// here from the files on disk.
func TestWarningRowsAndRunID(t *testing.T) {
	cfg := baseConfig(t, "../fixtures/users-sample.csv")
	cfg.Groups = []string{"Undergraduate", "Graduates 2021", "Alumni"}
	cfg.Protect = []string{"../fixtures/protect-fines.csv"}
	cfg.Output.Set.Split = 100 // two set files, both in the run ID
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := writers.ReadManifest(filepath.Join(cfg.Output.Dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, w := range m.Warnings {
		var s []string
		for _, r := range w.Rows {
			if r.Source != "../fixtures/users-sample.csv" {
				t.Errorf("%s: row from %q", w.Code, r.Source)
			}
			s = append(s, fmt.Sprint(r.Row))
		}
		if len(w.Rows) != w.Count {
			t.Errorf("%s: %d rows listed, count %d", w.Code, len(w.Rows), w.Count)
		}
		rows[w.Code] = strings.Join(s, " ")
	}
	want := map[string]string{"bad_purge_date": "42", "no_purge_date": "72 100 134 271 280", "short_numeric_id": "149"}
	for code, r := range want {
		if rows[code] != r {
			t.Errorf("%s rows %q, want %q", code, rows[code], r)
		}
	}

	var text strings.Builder
	for _, name := range []string{"decisions.csv", "set-001.txt", "set-002.txt"} {
		b, err := os.ReadFile(filepath.Join(cfg.Output.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		fmt.Fprintf(&text, "%s %s\n", name, hex.EncodeToString(h[:]))
	}
	h := sha256.Sum256([]byte(text.String()))
	if id := hex.EncodeToString(h[:]); m.RunID != id || sum.RunID != id {
		t.Errorf("run ID: manifest %q, summary %q, from the files %q", m.RunID, sum.RunID, id)
	}
}

// TestWarningRowsKeepTheFirst200: a warning over many rows lists the first 200, in
// input order, and still counts them all.
func TestWarningRowsKeepTheFirst200(t *testing.T) {
	var b strings.Builder
	b.WriteString("Primary Identifier,User Group,User Record Type,Expiry Date,Purge Date\n")
	for i := range 250 {
		fmt.Fprintf(&b, "u%04d,Alumni,Public,2020-01-01,\n", i)
	}
	cfg := baseConfig(t, writeFile(t, "many.csv", b.String()))
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	m, err := writers.ReadManifest(filepath.Join(cfg.Output.Dir, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Warnings {
		if w.Code != "no_purge_date" {
			continue
		}
		if w.Count != 250 || len(w.Rows) != writers.WarningRowsKept || w.Rows[0].Row != 2 || w.Rows[199].Row != 201 {
			t.Errorf("no_purge_date: count %d, %d rows listed from row %d to %d; want 250, 200, 2 to 201",
				w.Count, len(w.Rows), w.Rows[0].Row, w.Rows[len(w.Rows)-1].Row)
		}
		return
	}
	t.Error("no no_purge_date warning")
}
