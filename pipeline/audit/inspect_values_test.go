package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestIDShape(t *testing.T) {
	for id, want := range map[string]string{
		"s1234567": `"s" + 7 digits|s[0-9]{7}`, "00123456": "8 digits|[0-9]{8}", "ST12345": `"ST" + 5 digits|ST[0-9]{5}`,
		"jdoe42": "letters, then digits|[A-Za-z]+[0-9]+", "tkeller": "letters only|[A-Za-z]+",
		"a1b2": "letters and digits mixed|[A-Za-z0-9]+", "s12": "letters, then digits|[A-Za-z]+[0-9]+",
		"s123 4567": "with spaces or other signs|", "ann@example.org": "e-mail address|",
	} {
		shape, pattern := idShape(id)
		if got := shape + "|" + pattern; got != want {
			t.Errorf("idShape(%q) = %q, want %q", id, got, want)
		}
		if strings.Contains(shape, id) && len(id) > 2 {
			t.Errorf("idShape(%q) shows the ID", id)
		}
	}
}

// TestInspectGroupsTypesShapes: the bundled sample's groups and record types with
// their rows, most first (fixtures/README.md), and its ID shapes.
func TestInspectGroupsTypesShapes(t *testing.T) {
	res, err := Inspect(context.Background(), []string{"../../fixtures/users-sample.csv"}, InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := res.Inputs[0]
	str := func(vs []ValueCount) string {
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintf(&b, "%s=%d;", v.Value, v.Rows)
		}
		return b.String()
	}
	if got, want := str(in.Groups), "Undergraduate=121;Alumni=92;Graduates 2021=46;Community Borrower=9;Graduate=7;Staff=7;Distance Learner=6;Emeritus=5;Visiting Scholar=5;=2;Faculty=1;undergraduate=1;"; got != want {
		t.Errorf("groups %s\nwant   %s", got, want)
	}
	if got, want := str(in.RecordTypes), "Public=295;Contact=3;=2;Staff=1;public=1;"; got != want {
		t.Errorf("record types %s, want %s", got, want)
	}
	total := 0
	for _, s := range in.IDShapes {
		total += s.Rows
	}
	if total != in.DataRows-in.IDs.Blank || in.IDShapes[0].Shape != `"s" + 7 digits` {
		t.Errorf("ID shapes %+v: %d rows, want %d (data rows less blank IDs), most \"s\" + 7 digits", in.IDShapes, total, in.DataRows-in.IDs.Blank)
	}
	if p := SuggestedPattern(in.IDShapes); p != "^(s[0-9]{7}|[0-9]{8}|[A-Za-z]+[0-9]+|[A-Za-z]+)$" {
		t.Errorf("suggested pattern %q", p)
	}
}
