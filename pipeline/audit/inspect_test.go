package audit

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// TestInspectAgreesWithRun inspects the sample exports and runs them: where the two
// overlap (rows, header, columns, the ID rules and the rules that need every row),
// the numbers must be the same.
func TestInspectAgreesWithRun(t *testing.T) {
	for _, name := range []string{"users-sample.csv", "users-sample.xlsx"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "fixtures", name)
			cfg := baseConfig(t, path)
			cfg.Groups = []string{"Undergraduate", "Graduates 2021", "Alumni"}
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := writers.ReadDecisions(filepath.Join(cfg.Output.Dir, writers.DecisionsName))
			if err != nil {
				t.Fatal(err)
			}
			byReason := map[string]int{}
			for _, r := range rows {
				byReason[r.Reason]++
			}
			res, err := Inspect(context.Background(), []string{path}, InspectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Inputs) != 1 || res.AllInputs != nil {
				t.Fatalf("one input: %+v", res)
			}
			in, run := res.Inputs[0], sum.Inputs[0]
			if in.DataRows != run.DataRows || in.BlankRows != run.BlankRows || in.HeaderRow != run.HeaderRow ||
				in.PreambleRows != run.PreambleRows || in.Format != run.Format || in.Encoding != run.Encoding ||
				in.Delimiter != run.Delimiter || in.Sheet != run.Sheet {
				t.Errorf("inspect %+v\nrun     %+v", in, run)
			}
			roles := map[string]string{}
			for _, c := range in.Columns {
				if c.Role != "" {
					roles[c.Role] = c.Header
				}
			}
			if len(roles) != len(run.Columns) {
				t.Errorf("roles %v, run %v", roles, run.Columns)
			}
			for role, h := range run.Columns {
				if roles[role] != h {
					t.Errorf("role %s: inspect %q, run %q", role, roles[role], h)
				}
			}
			ids := in.IDs
			for code, n := range map[string]int{
				"blank_id": ids.Blank, "malformed_id": ids.Malformed, "numeric_id": ids.Numeric,
				"conflicting_duplicate": ids.ConflictingDuplicate, "duplicate": ids.Duplicate, "case_collision": ids.CaseCollision,
			} {
				if n != byReason[code] {
					t.Errorf("%s: inspect %d, run %d", code, n, byReason[code])
				}
			}
			// Guard against agreeing on zeros: the sample has every ID problem.
			if ids.Blank == 0 || ids.Malformed == 0 || ids.Duplicate == 0 || ids.ConflictingDuplicate == 0 || ids.CaseCollision == 0 {
				t.Errorf("the sample's ID problems were not seen: %+v", ids)
			}
			exp := in.Dates["expiry"]
			if total := exp.ISO + exp.YearFirstSlash + exp.DayFirstDot + exp.DayMonthSlash + exp.DateCells + exp.Numbers + exp.Blank + exp.Unreadable; total != in.DataRows {
				t.Errorf("expiry forms add up to %d, want %d data rows: %+v", total, in.DataRows, exp)
			}
			if strings.HasSuffix(name, ".xlsx") != (exp.DateCells > 0 && exp.ISO == 0) {
				t.Errorf("expiry forms %+v", exp)
			}
			// IDs are personal data: the inspection holds none.
			b, _ := json.Marshal(res)
			for _, r := range rows {
				if len(r.ID) >= 5 && strings.Contains(string(b), r.ID) {
					t.Fatalf("the inspection holds the ID of %s row %d", name, r.Row)
				}
			}
		})
	}
}

func TestInspectDateForms(t *testing.T) {
	in := writeFile(t, "in.csv", hdr+
		"a1,Alumni,Public,2021-05-31,2021/05/31\n"+
		"a2,Alumni,Public,2021-05-31T10:00:00Z,2021-06-01 08:00\n"+
		"a3,Alumni,Public,03/04/2021,\n"+
		"a4,Alumni,Public,2021-02-30,soon\n"+
		"a5,Alumni,Public,31.05.2023,21-05-31\n"+
		"a6,Alumni,Public, ,\n"+
		"\n")
	res, err := Inspect(context.Background(), []string{in}, InspectOptions{DateOrder: pipeline.OrderDMY})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Inputs[0]
	want := map[string]DateForms{
		"expiry":     {ISO: 2, DayFirstDot: 1, DayMonthSlash: 1, Blank: 1, Unreadable: 1},
		"purge_date": {ISO: 1, YearFirstSlash: 1, Blank: 2, Unreadable: 2},
	}
	for role, w := range want {
		if got.Dates[role] != w {
			t.Errorf("%s: %+v, want %+v", role, got.Dates[role], w)
		}
	}
	if got.DataRows != 6 || got.BlankRows != 1 || len(got.Stops) != 0 {
		t.Errorf("rows %d, blank %d, stops %v", got.DataRows, got.BlankRows, got.Stops)
	}
}

// TestInspectRefusesAsRunDoes: for inputs run refuses, inspect exits with run's own
// message; for those that cannot be read at all, it has nothing else to show.
func TestInspectRefusesAsRunDoes(t *testing.T) {
	cases := map[string]string{
		"slash dates":      hdr + "a1,Alumni,Public,2020-01-01,\na2,Alumni,Public,03/04/2020,\n",
		"no expiry column": "Primary ID,User Group\na1,Alumni\n",
		"two expiry":       "Primary ID,User Group,Expiry Date,User Expiry Date\na1,Alumni,2020-01-01,2020-01-01\n",
		"no data rows":     hdr + "\n,,,,\n",
		"ragged row":       hdr + "a1,Alumni,Public,2020-01-01,,extra\n",
		"no header":        "Name,User Group\nx,Alumni\n",
		"utf-16 sans BOM":  "P\x00r\x00i\x00m\x00a\x00r\x00y\x00 \x00I\x00D\x00\n\x00a\x001\x00\n\x00",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "in.csv", content)
			_, runErr := Run(context.Background(), baseConfig(t, path))
			res, err := Inspect(context.Background(), []string{path}, InspectOptions{})
			if runErr == nil || err == nil {
				t.Fatalf("run: %v; inspect: %v", runErr, err)
			}
			if err.Error() != runErr.Error() {
				t.Fatalf("inspect: %v\nrun:     %v", err, runErr)
			}
			if len(res.Inputs) == 1 && (len(res.Inputs[0].Stops) == 0 || res.Inputs[0].Stops[0] != runErr.Error()) {
				t.Fatalf("stops %v", res.Inputs[0].Stops)
			}
		})
	}
}

func TestInspectSeveralInputs(t *testing.T) {
	a := writeFile(t, "a.csv", hdr+"x1,Alumni,Public,2020-01-01,\nx2,Alumni,Public,2020-01-01,\n")
	b := writeFile(t, "b.csv", "Primary ID,Expiry Date,User Group\nX1,2020-01-01,Alumni\nx2,2020-01-01,Alumni\nx3,2020-01-01,Alumni\nx3,2021-01-01,Alumni\n")
	res, err := Inspect(context.Background(), []string{a, b}, InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Inputs[0].IDs; p != (IDProblems{}) {
		t.Errorf("a.csv alone has no ID problem: %+v", p)
	}
	if p := res.Inputs[1].IDs; p != (IDProblems{ConflictingDuplicate: 2}) {
		t.Errorf("b.csv alone: %+v", p)
	}
	// Across both: x1/X1 collide, x2 repeats with a record type in one input only
	// (the fields differ: a conflict), x3 conflicts.
	want := IDProblems{ConflictingDuplicate: 4, CaseCollision: 2}
	if res.AllInputs == nil || *res.AllInputs != want {
		t.Errorf("all inputs: %+v, want %+v", res.AllInputs, want)
	}
	cfg := baseConfig(t, a, b)
	cfg.RecordTypes = []string{"Public"}
	rows := runRows(t, cfg)
	byReason := map[string]int{}
	for _, r := range rows {
		byReason[r.Reason]++
	}
	if byReason["conflicting_duplicate"] != want.ConflictingDuplicate || byReason["case_collision"] != want.CaseCollision {
		t.Errorf("run decided %v", byReason)
	}
	if notes := strings.Join(res.Inputs[1].Notes, "\n"); !strings.Contains(notes, "no record type column") {
		t.Errorf("notes %q", notes)
	}
}
