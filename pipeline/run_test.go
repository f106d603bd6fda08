package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// baseConfig is the rule set the reason tests share.
func baseConfig(t *testing.T, inputs ...string) Config {
	t.Helper()
	cut, _ := ParseISODate("2024-07-01")
	return Config{
		Inputs: inputs, Cutoff: cut, Groups: []string{"Undergraduate", "Alumni"},
		// The tests' small inputs hold one group or the other (selection_test.go tests
		// the guard that would stop them).
		AllowUnmatched: true,
		RecordTypes:    []string{"Public"}, MaxIncluded: -1, MaxIncludedPct: -1,
		TempDir: t.TempDir(),
		Output: Output{Dir: filepath.Join(t.TempDir(), "out"),
			Set: writers.SetOptions{Format: "txt", Header: "USERNAME", Split: 100000}},
	}
}

// writeFile puts content into a file in a fresh directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runRows runs the pipeline and returns decisions.csv read back, after checking that
// the set file holds exactly the included IDs in order.
func runRows(t *testing.T, cfg Config) []writers.DecisionRow {
	t.Helper()
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := sum.Check(); err != nil {
		t.Fatal(err)
	}
	rows, err := writers.ReadDecisions(filepath.Join(cfg.Output.Dir, writers.DecisionsName))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != sum.Counts.DataRows {
		t.Fatalf("decisions.csv has %d rows, summary %d data rows", len(rows), sum.Counts.DataRows)
	}
	var want []string
	for _, r := range rows {
		if r.Decision == "included" {
			want = append(want, r.ID)
		}
	}
	got := readSetIDs(t, cfg.Output.Dir)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("set files hold %q, included rows are %q", got, want)
	}
	return rows
}

func readSetIDs(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "set-*.txt"))
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if lines[0] != "USERNAME" {
			t.Fatalf("%s starts with %q", f, lines[0])
		}
		ids = append(ids, lines[1:]...)
	}
	return ids
}

// reasonsByID maps "row:id" to reason for compact assertions.
func reasons(rows []writers.DecisionRow) map[int]string {
	m := map[int]string{}
	for _, r := range rows {
		m[r.Row] = r.Reason
	}
	return m
}

const hdr = "Primary Identifier,User Group,User Record Type,Expiry Date,Purge Date\n"

// TestReasons has one case per reason code; TestEveryReasonHasATest checks none is
// missing.
var reasonCases = map[Reason]struct {
	csv  string // rows after the header; the row under test is row 2
	opts func(*Config)
}{
	BlankID:              {csv: " ,Alumni,Public,2020-01-01,\n"},
	MalformedID:          {csv: "1.23E+11,Alumni,Public,2020-01-01,\n"},
	ConflictingDuplicate: {csv: "a1,Alumni,Public,2020-01-01,\na1,Alumni,Public,2025-01-01,\n"},
	Duplicate:            {csv: "a1,Alumni,Public,2020-01-01,\n a1 , Alumni ,public,2020-01-01,\n"},
	CaseCollision:        {csv: "JDoe,Alumni,Public,2020-01-01,\njdoe,Alumni,Public,2020-01-01,\n"},
	Protected: {csv: "p1,Alumni,Public,2020-01-01,\n", opts: func(c *Config) {
		c.Protect = []string{writeFileNamed(c, "protect.txt", "x9\n p1 \n")}
	}},
	RecordType:       {csv: "s1,Alumni,Staff,2020-01-01,\n"},
	GroupNotSelected: {csv: "g1,alumni,Public,2020-01-01,\n"},
	MissingExpiry:    {csv: "m1,Alumni,Public, ,\n"},
	BadDate:          {csv: "b1,Alumni,Public,2021-02-30,\n"},
	NotExpired:       {csv: "n1,Alumni,Public,2024-07-01,\n"},
	Expired:          {csv: "e1,Alumni,Public,2024-06-30,2024-07-30\n"},
}

// writeFileNamed writes next to the config's temp dir (tests only).
func writeFileNamed(c *Config, name, content string) string {
	p := filepath.Join(c.TempDir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		panic(err)
	}
	return p
}

func TestReasons(t *testing.T) {
	for reason, c := range reasonCases {
		t.Run(reason.String(), func(t *testing.T) {
			cfg := baseConfig(t, writeFile(t, "in.csv", hdr+c.csv))
			if c.opts != nil {
				c.opts(&cfg)
			}
			rows := runRows(t, cfg)
			got := reasons(rows)[2]
			if reason == Duplicate {
				got = reasons(rows)[3]
			}
			if got != reason.String() {
				t.Errorf("row reason = %q, want %q (rows %+v)", got, reason, rows)
			}
		})
	}
}

func TestEveryReasonHasATest(t *testing.T) {
	for _, r := range AllReasons() {
		// numeric_id needs an XLSX number cell: TestNumericID.
		if _, ok := reasonCases[r]; !ok && r != NumericID {
			t.Errorf("reason %s has no case in reasonCases", r)
		}
	}
}

func TestConflictingDuplicateExcludesAllRows(t *testing.T) {
	cfg := baseConfig(t, writeFile(t, "in.csv", hdr+
		"a1,Alumni,Public,2020-01-01,\n"+
		"a1,Alumni,Public,2020-01-01,\n"+
		"a1,Undergraduate,Public,2020-01-01,\n"+
		"b2,Alumni,Public,2020-01-01,\n"))
	got := reasons(runRows(t, cfg))
	for _, row := range []int{2, 3, 4} {
		if got[row] != "conflicting_duplicate" {
			t.Errorf("row %d: %s, want conflicting_duplicate", row, got[row])
		}
	}
	if got[5] != "expired" {
		t.Errorf("row 5: %s, want expired", got[5])
	}
}

func TestDuplicateAcrossInputsNamesTheFile(t *testing.T) {
	a := writeFile(t, "a.csv", hdr+"a1,Alumni,Public,2020-01-01,\n")
	b := writeFile(t, "b.csv", "Primary ID,Expiry Date,User Group,User Record Type\na1,2020-01-01,Alumni,PUBLIC\n")
	rows := runRows(t, baseConfig(t, a, b))
	if rows[1].Reason != "duplicate" || rows[1].Detail != "duplicate of "+a+" row 2" {
		t.Fatalf("second input row: %+v", rows[1])
	}
	if rows[0].Reason != "expired" {
		t.Fatalf("first input row: %+v", rows[0])
	}
}

func TestCaseCollisionHoldsBackAllRows(t *testing.T) {
	cfg := baseConfig(t, writeFile(t, "in.csv", hdr+
		"JDoe,Alumni,Public,2020-01-01,\n"+
		"x1,Alumni,Public,2020-01-01,\n"+
		"jdoe,Alumni,Public,2020-01-01,\n"+
		"jdoe,Alumni,Public,2020-01-01,\n"))
	got := reasons(runRows(t, cfg))
	want := map[int]string{2: "case_collision", 3: "expired", 4: "case_collision", 5: "duplicate"}
	for row, w := range want {
		if got[row] != w {
			t.Errorf("row %d: %s, want %s", row, got[row], w)
		}
	}
}

func TestSlashDatesStopWithoutDateOrder(t *testing.T) {
	in := writeFile(t, "in.csv", hdr+"a1,Alumni,Public,2020-01-01,\na2,Alumni,Public,03/04/2020,\n")
	cfg := baseConfig(t, in)
	_, err := Run(context.Background(), cfg)
	var pe *readers.ParseError
	if !errors.As(err, &pe) || pe.Row != 3 || pe.Column != "Expiry Date" || !strings.Contains(pe.Error(), "--date-order") ||
		!strings.Contains(pe.Error(), "03/04/2020") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(cfg.Output.Dir); !os.IsNotExist(err) {
		t.Fatalf("output directory exists after a refused run")
	}
	cfg.DateOrder = OrderDMY
	rows := runRows(t, cfg)
	if rows[1].Expiry != "2020-04-03" || rows[1].Reason != "expired" {
		t.Fatalf("with dmy: %+v", rows[1])
	}
}

func TestSafetyStop(t *testing.T) {
	in := writeFile(t, "in.csv", hdr+"a1,Alumni,Public,2020-01-01,\na2,Alumni,Public,2020-01-01,\na3,Alumni,Public,2030-01-01,\n")
	for _, c := range []struct {
		max  int
		pct  float64
		stop bool
	}{
		{max: 2, pct: -1, stop: false}, {max: 1, pct: -1, stop: true},
		{max: -1, pct: 66.67, stop: false}, {max: -1, pct: 66.66, stop: true}, {max: 0, pct: -1, stop: true},
	} {
		cfg := baseConfig(t, in)
		cfg.MaxIncluded, cfg.MaxIncludedPct = c.max, c.pct
		_, err := Run(context.Background(), cfg)
		var se *SafetyError
		if got := errors.As(err, &se); got != c.stop {
			t.Errorf("max %d pct %g: safety stop %v (err %v), want %v", c.max, c.pct, got, err, c.stop)
		}
		_, statErr := os.Stat(cfg.Output.Dir)
		if c.stop && !os.IsNotExist(statErr) {
			t.Errorf("max %d pct %g: output directory written despite the stop", c.max, c.pct)
		}
		if c.stop && (se.Included != 2 || !strings.Contains(se.Error(), "2 of 3")) {
			t.Errorf("message lacks the counts: %v", se)
		}
	}
}

func TestNoDataRowsIsRejected(t *testing.T) {
	in := writeFile(t, "in.csv", hdr+"\n , , ,,\n")
	_, err := Run(context.Background(), baseConfig(t, in))
	if !errors.Is(err, readers.ErrInput) || !strings.Contains(err.Error(), "no data rows") {
		t.Fatalf("err = %v", err)
	}
}

func TestRowNumbersCountTitleBlankAndMultilineRows(t *testing.T) {
	in := writeFile(t, "in.csv", "Expired users report\r\n\r\n"+hdr+
		"a1,Alumni,Public,2020-01-01,\r\n\r\n\"a\n2\",Alumni,Public,2020-01-01,\r\na3,Alumni,Public,2020-01-01,\r\n")
	rows := runRows(t, baseConfig(t, in))
	if len(rows) != 3 || rows[0].Row != 4 || rows[1].Row != 6 || rows[2].Row != 7 {
		t.Fatalf("rows: %+v", rows)
	}
	if rows[1].Reason != "malformed_id" {
		t.Fatalf("an ID with a newline inside: %+v", rows[1])
	}
}
