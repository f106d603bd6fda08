package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// The run options and helpers of pipeline's tests, for the runs these tests audit.
type (
	Config = pipeline.Config
	Output = pipeline.Output
)

var Run = pipeline.Run

const hdr = "Primary Identifier,User Group,User Record Type,Expiry Date,Purge Date\n"

// baseConfig is the rule set pipeline's reason tests share.
func baseConfig(t *testing.T, inputs ...string) Config {
	t.Helper()
	cut, _ := pipeline.ParseISODate("2024-07-01")
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

func writeFileNamed(c *Config, name, content string) string {
	p := filepath.Join(c.TempDir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		panic(err)
	}
	return p
}

// runRows runs the pipeline and returns decisions.csv read back.
func runRows(t *testing.T, cfg Config) []writers.DecisionRow {
	t.Helper()
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	rows, err := writers.ReadDecisions(filepath.Join(cfg.Output.Dir, writers.DecisionsName))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != sum.Counts.DataRows {
		t.Fatalf("decisions.csv has %d rows, summary %d data rows", len(rows), sum.Counts.DataRows)
	}
	return rows
}
