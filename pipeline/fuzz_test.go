package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// The pipeline's fuzz targets: the date parser, and whole runs over arbitrary CSV
// bodies, whose every outcome must either be a refusal that leaves nothing behind or a
// run that accounts for every row. Seeds are the bad-input catalogue of the CLI tests
// and the bundled fixtures.
//
//	go test ./pipeline -run XXX -fuzz '^FuzzParseTextDate$' -fuzztime 10m
//	go test ./pipeline -run XXX -fuzz '^FuzzRunConservation$' -fuzztime 10m

// fuzzSeedFiles are the contents of the bad-input catalogue and the fixture CSVs.
func fuzzSeedFiles(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, pattern := range []string{"../cmd/purgeset/testdata/bad/*.csv", "../fixtures/*.csv"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) < 10 {
		f.Fatalf("only %d seed files found: run from the pipeline directory", len(out))
	}
	return out
}

var fuzzOrders = []DateOrder{OrderNone, OrderMDY, OrderDMY}

// FuzzParseTextDate: parseTextDate never panics; a date it reads prints as YYYY-MM-DD,
// which reads back as the same date; and it agrees with isSlashDate, which decides
// whether a run stops for want of --date-order (SPEC §4): a value the parser calls an
// ambiguous slash date stops the run, a slash date is never read without an order, and
// a value that is not one reads the same whatever the order.
func FuzzParseTextDate(f *testing.F) {
	for _, s := range []string{"2021-05-31", "2021/05/31", "2024-06-30T23:59:59.123Z", "2024-06-30 25:00",
		"03/04/2021", "3/4/2021 10:00", "31/05/2023T10:00:00Z", "13/45/2020", "03/04/21", "003/04/2021",
		"1/1/1", "0/0/0", "12345/1/1", "2020/1/1", "21-05-31", "44712", "9999-12-31", "0001-01-01",
		"1/2/2020 xx", "1/2/-3", "01/02/2020,5", "١/٢/٢٠٢٠", "1/2/2020\u00a0", "2021-02-29",
		"31.05.2023", "1.2.2024", "31.5.2023 10:00", "29.02.2023", "31.05.23", "2023.05.31", "1..2024", "30/06/2024", "06/30/2024"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	// Every short field of the catalogue: its date columns hold the damage seen in the wild.
	for _, b := range fuzzSeedFiles(f) {
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for i := 0; i < 40; i++ {
			rec, err := r.Read()
			if err != nil {
				break
			}
			for _, field := range rec {
				if len(field) <= 32 {
					f.Add(strings.TrimSpace(field), uint8(i%3))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string, o uint8) {
		order := fuzzOrders[int(o)%len(fuzzOrders)]
		d, p := parseTextDate(s, order)
		slash := isSlashDate(s)
		if p == dateOK {
			out := d.String()
			if back, ok := ParseISODate(out); !ok || back != d {
				t.Fatalf("parseTextDate(%q, %q) = %s, which ParseISODate reads as %d, %v", s, order, out, back, ok)
			}
			if back, bp := parseTextDate(out, OrderNone); bp != dateOK || back != d {
				t.Fatalf("parseTextDate(%q, %q) = %s, which reads back as %d (%q)", s, order, out, back, bp)
			}
			y, m, day := d.Civil()
			if again, ok := MakeDate(y, m, day); !ok || again != d {
				t.Fatalf("%s: Civil and MakeDate disagree", out)
			}
		} else if d != 0 {
			t.Fatalf("parseTextDate(%q, %q) gives date %d with problem %q", s, order, d, p)
		}
		_, none := parseTextDate(s, OrderNone)
		if none == slashNoOrder && !slash {
			t.Fatalf("parseTextDate(%q) calls it an ambiguous slash date, isSlashDate does not: the run would go on and mark it bad_date instead of stopping", s)
		}
		if slash && none == dateOK {
			t.Fatalf("isSlashDate(%q), yet it reads without --date-order", s)
		}
		if slash && none != slashNoOrder {
			_, tm, hasTime := splitTime(s)
			if !hasTime || validTime(tm) {
				t.Fatalf("isSlashDate(%q), but without --date-order the parser says %q, not %q", s, none, slashNoOrder)
			}
		}
		if !slash {
			for _, other := range fuzzOrders {
				if od, op := parseTextDate(s, other); op != none || (op == dateOK && od != d) {
					t.Fatalf("%q is not a slash date, yet it reads as %s (%q) under %q and (%q) without an order", s, od, op, other, none)
				}
			}
		}
		if slash && order != OrderNone && p == dateOK {
			datePart, _, _ := splitTime(s)
			parts, _, _ := splitDate(datePart)
			first, _ := digits(parts[0])
			second, _ := digits(parts[1])
			_, m, day := d.Civil()
			if order == OrderDMY {
				first, second = second, first
			}
			if int(m) != first || day != second {
				t.Fatalf("%q under %q read as %s", s, order, d)
			}
		}
		isSlashDate(strings.TrimSpace(s))
		if d, ok := ParseISODate(s); ok && d.String() != s {
			t.Fatalf("ParseISODate(%q) = %s", s, d) // --cutoff must mean exactly what was typed
		}
	})
}

// fuzzHeader is the fixed header above FuzzRunConservation's arbitrary body.
const fuzzHeader = "Primary Identifier,User Group,User Record Type,Expiry Date,Purge Date\n"

// FuzzRunConservation runs the whole pipeline, writing, over an arbitrary body below a
// fixed header. Either the run is refused as an input error and nothing is left behind,
// or decisions.csv holds one line per data row, included plus excluded is the number of
// data rows, and the set files hold exactly the included IDs, byte for byte as trimmed
// from the input, in input order, each once and no two equal but for case.
func FuzzRunConservation(f *testing.F) {
	for _, b := range fuzzSeedFiles(f) {
		f.Add(b, uint8(0), false)
		// Without its own header line: its rows go straight below the fixed one.
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			f.Add(b[i+1:], uint8(1), true)
		}
		if body := fuzzReorder(b); body != nil {
			f.Add(body, uint8(2), false)
			f.Add(body, uint8(0), true)
		}
	}
	f.Add([]byte("a1,Alumni,Public,2020-01-01,\na1,Alumni,Public,2020-01-01,\nA1,Alumni,Public,2020-01-01,\n"), uint8(0), false)
	f.Add([]byte(" a2 ,Alumni,public,2020/01/01,2021-01-01\n\"a\n3\",Alumni,Public,2020-01-01,\n,,,,\n"), uint8(2), false)
	f.Add([]byte("x1,Alumni,Public,03/04/2020,\nx2,Alumni,Public,13/04/2020,\n"), uint8(2), false)
	f.Add([]byte("e1,Alumni,Public,2020-01-01,2020-02-01\ne2,Undergraduate,PUBLIC,2019/12/31,\ne3,Alumni,Public,2024-06-30T10:00,\n"), uint8(0), false)
	f.Add([]byte("1.23E+11,Alumni,Public,2020-01-01,\nN/A,Alumni,Public,2020-01-01,\nz\u200b1,Alumni,Public,2020-01-01,\n"), uint8(0), true)
	f.Fuzz(func(t *testing.T, body []byte, o uint8, allGroups bool) {
		if len(body) > 32<<10 {
			t.Skip("large inputs only slow the fuzzer down")
		}
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(in, append([]byte(fuzzHeader), body...), 0o600); err != nil {
			t.Fatal(err)
		}
		spillDir := filepath.Join(dir, "tmp")
		if err := os.Mkdir(spillDir, 0o700); err != nil {
			t.Fatal(err)
		}
		cut, _ := ParseISODate("2024-07-01")
		groups := []string{"Alumni", "Undergraduate"}
		if allGroups {
			groups = nil
		}
		cfg := Config{
			// Unmatched groups are let through: the fuzzer's rows rarely hold both.
			Inputs: []string{in}, Cutoff: cut, Groups: groups, AllGroups: allGroups, AllowUnmatched: true,
			RecordTypes: []string{"Public"}, MaxIncluded: -1, MaxIncludedPct: -1,
			DateOrder: fuzzOrders[int(o)%len(fuzzOrders)], TempDir: spillDir,
			Output: Output{Dir: filepath.Join(dir, "out"), NoArchive: true,
				Set: writers.SetOptions{Format: "txt", Header: "USERNAME", Split: 50}},
		}
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				panic("hang: one run took longer than a minute")
			}
		}()
		sum, err := Run(context.Background(), cfg)
		if left, _ := os.ReadDir(spillDir); len(left) > 0 {
			t.Fatalf("temporary files left behind: %v", left)
		}
		if err != nil {
			if !errors.Is(err, readers.ErrInput) {
				t.Fatalf("runtime failure (exit 1) on an input problem, or an internal check failed: %v", err)
			}
			if _, serr := os.Stat(cfg.Output.Dir); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("refused run (%v) left the output directory behind", err)
			}
			return
		}
		checkConservation(t, cfg, sum, in)
	})
}

// fuzzReorder rewrites the rows below a seed file's header in the fixed header's column
// order, so that its rows reach every rule; nil when the file has no usable header.
func fuzzReorder(b []byte) []byte {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	recs, _ := r.ReadAll()
	names := [][]string{{"primary identifier", "primary id", "username"}, {"user group", "user group code"},
		{"user record type", "record type"}, {"expiry date", "user expiry date", "expiration date"}, {"purge date", "user purge date"}}
	for i, rec := range recs {
		if len(rec) == 0 || !readers.IsIDHeader(rec[0]) {
			continue
		}
		cols := make([]int, len(names))
		for j, alias := range names {
			cols[j] = -1
			for k, h := range rec {
				for _, a := range alias {
					if strings.EqualFold(strings.TrimSpace(h), a) && cols[j] < 0 {
						cols[j] = k
					}
				}
			}
		}
		var out bytes.Buffer
		w := csv.NewWriter(&out)
		for _, row := range recs[i+1:] {
			fields := make([]string, len(names))
			for j, c := range cols {
				if c >= 0 && c < len(row) {
					fields[j] = row[c]
				}
			}
			w.Write(fields)
		}
		w.Flush()
		return out.Bytes()
	}
	return nil
}

func checkConservation(t *testing.T, cfg Config, sum *Summary, in string) {
	t.Helper()
	c := sum.Counts
	if err := sum.Check(); err != nil {
		t.Fatal(err)
	}
	if c.Included+c.Excluded != c.DataRows || len(sum.Inputs) != 1 ||
		sum.Inputs[0].Included+sum.Inputs[0].Excluded != sum.Inputs[0].DataRows || sum.Inputs[0].DataRows != c.DataRows {
		t.Fatalf("counts do not add up: %+v, input %+v", c, sum.Inputs)
	}
	out := cfg.Output.Dir
	rows, err := writers.ReadDecisions(filepath.Join(out, writers.DecisionsName))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != c.DataRows {
		t.Fatalf("decisions.csv has %d rows, the summary %d data rows", len(rows), c.DataRows)
	}
	// The ID of every row as the reader gives it, to compare byte for byte.
	tbl, err := readers.Open(in, readers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	inputID := map[int]string{}
	for row, err := range tbl.Rows() {
		if err != nil {
			t.Fatalf("the input reads with an error after a successful run: %v", err)
		}
		if len(row.Cells) > 0 {
			inputID[row.Num] = strings.TrimSpace(row.Cells[0].Text)
		}
	}
	var included []string
	seen := map[string]int{}
	folded := map[string]string{}
	for _, r := range rows {
		if r.Source != in {
			t.Fatalf("decisions.csv row %d names source %q", r.Row, r.Source)
		}
		switch r.Decision {
		case "included":
			id, ok := inputID[r.Row]
			if !ok || id != r.ID {
				t.Fatalf("row %d included as %q, the input holds %q", r.Row, r.ID, id)
			}
			if id == "" || strings.ContainsAny(id, "\r\n") {
				t.Fatalf("row %d: ID %q included", r.Row, id)
			}
			if prev, ok := seen[id]; ok {
				t.Fatalf("ID %q included twice: rows %d and %d", id, prev, r.Row)
			}
			seen[id] = r.Row
			k := strings.ToLower(strings.ToUpper(id))
			if other, ok := folded[k]; ok && strings.EqualFold(other, id) {
				t.Fatalf("IDs %q and %q, equal but for case, both included", other, id)
			}
			folded[k] = id
			included = append(included, id)
		case "excluded":
		default:
			t.Fatalf("row %d: decision %q", r.Row, r.Decision)
		}
	}
	if len(included) != c.Included {
		t.Fatalf("decisions.csv includes %d rows, the summary %d", len(included), c.Included)
	}
	got := fuzzSetIDs(t, out)
	if strings.Join(got, "\n") != strings.Join(included, "\n") || len(got) != len(included) {
		t.Fatalf("set files hold %q, the included rows are %q", got, included)
	}
	if _, err := os.Stat(filepath.Join(out, writers.ManifestName)); err != nil {
		t.Fatal(err)
	}
}

// fuzzSetIDs reads set-NNN.txt in part order (not name order: set-1000 follows set-999).
func fuzzSetIDs(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "set-*.txt"))
	part := func(p string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "set-"), ".txt"))
		return n
	}
	sort.Slice(files, func(i, j int) bool { return part(files[i]) < part(files[j]) })
	var ids []string
	for i, p := range files {
		if part(p) != i+1 {
			t.Fatalf("set files %v are not numbered 1, 2, …", files)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Fatalf("%s does not end with a line end", p)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if lines[0] != "USERNAME" || len(lines) < 2 || len(lines) > 51 {
			t.Fatalf("%s: header %q and %d IDs", p, lines[0], len(lines)-1)
		}
		ids = append(ids, lines[1:]...)
	}
	return ids
}
