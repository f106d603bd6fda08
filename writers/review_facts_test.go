package writers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// TestReviewRunFacts: what identifies the run is on the page where the reviewer signs.
func TestReviewRunFacts(t *testing.T) {
	m, recs := reviewFixture()
	m.Parameters = &writers.Parameters{Cutoff: "2025-01-01", Operator: "Ana Souza <ILL desk>"}
	m.Tool.Commit = "1234567890abcdef1234567890abcdef12345678"
	page := string(writeReview(t, m, recs))
	short := m.RunID[:16]
	if n := strings.Count(page, ">"+short+"<"); n != 2 {
		t.Errorf("run ID %s shown %d times, want 2 (the head and the sign-off)", short, n)
	}
	if strings.Contains(page, ">"+m.RunID[:17]) {
		t.Error("more than 16 digits of the run ID shown as text")
	}
	sign := page[strings.Index(page, `class="signoff"`):]
	for _, want := range []string{short, "2026-01-02 03:04:05 UTC", "Ana Souza &lt;ILL desk&gt;"} {
		if !strings.Contains(sign, want) {
			t.Errorf("sign-off lacks %q", want)
		}
	}
	for _, want := range []string{
		`<time class="nb" id="created" datetime="2026-01-02T03:04:05Z">2026-01-02 03:04:05 UTC</time>`,
		`<dd id="operator">Ana Souza &lt;ILL desk&gt;</dd>`,
		"purgeset v0.9.0-test", "(commit 1234567890ab)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestReviewSetFiles: each set file with its ID count and the first 12 hex digits of
// its sha256, as the manifest lists them.
func TestReviewSetFiles(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	for _, o := range m.Outputs {
		want := fmt.Sprintf(`<tr data-set-file="%s" data-ids="%d" data-sha256="%s"><td class="mono nb">%s</td><td class="n">%d</td><td class="mono nb">%s</td></tr>`,
			o.Name, *o.IDs, o.SHA256, o.Name, *o.IDs, o.SHA256[:12])
		if !strings.Contains(page, want) {
			t.Errorf("set file row missing:\n%s", want)
		}
	}
	m.Outputs, m.Counts = nil, writers.Counts{DataRows: 1, Excluded: 1, ExcludedByReason: map[string]int{"not_expired": 1}}
	m.Warnings = nil
	page = string(writeReview(t, m, []writers.Record{{Source: "a.csv", Row: 2, ID: "x", Reason: "not_expired"}}))
	if !strings.Contains(page, "No set file: nothing is included.") {
		t.Error("a run without set files does not say so")
	}
}

// TestReviewWarningRows: each warning lists its rows by file (200 at most, 20 on
// paper) and counts those not listed; a warning about the run lists none.
func TestReviewWarningRows(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	section := func(code string) string {
		i := strings.Index(page, `data-code="`+code+`"`)
		if i < 0 {
			t.Fatalf("no warning section %s", code)
		}
		return page[i : i+strings.Index(page[i:], "</section>")]
	}
	bad := section("bad_purge_date")
	for _, want := range []string{`alumni.csv<wbr></span>, row</dt>`, `<li>7</li>`, `staff.xlsx<wbr></span>, row</dt>`, `<li>9</li>`} {
		if !strings.Contains(bad, want) {
			t.Errorf("bad_purge_date lacks %q", want)
		}
	}
	if strings.Contains(bad, "more") {
		t.Error("a warning whose rows are all listed says there are more")
	}
	many := section("no_purge_date")
	if n := strings.Count(many, "<li"); n != 200 {
		t.Errorf("no_purge_date lists %d rows, want 200", n)
	}
	if n := strings.Count(many, `<li class="x">`); n != 180 {
		t.Errorf("no_purge_date: %d rows screen-only, want 180", n)
	}
	if !strings.Contains(many, `data-more="30">… and 30 more, not listed`) || !strings.Contains(many, `data-print-more="210"`) {
		t.Error("no_purge_date does not count the rows it leaves out")
	}
	if git := section("out_in_git"); strings.Contains(git, "<dl") || strings.Contains(git, "more") {
		t.Error("a warning about the run lists rows")
	}
}

// TestReviewClipsLongValues: a junk cell must not make the page (or memory) grow.
func TestReviewClipsLongValues(t *testing.T) {
	long := strings.Repeat("é", 5000)
	m := &writers.Manifest{Counts: writers.Counts{DataRows: 2, Excluded: 2, ExcludedByReason: map[string]int{"malformed_id": 2}}}
	recs := []writers.Record{
		{Source: "a.csv", Row: 2, ID: long, UserGroup: long, Reason: "malformed_id"},
		{Source: "a.csv", Row: 3, ID: "x", UserGroup: long + "other", Reason: "malformed_id"},
	}
	page := string(writeReview(t, m, recs))
	if strings.Contains(page, strings.Repeat("é", 201)) {
		t.Error("a 5,000-character value is listed in full")
	}
	if !strings.Contains(page, strings.Repeat("é", 200)+"…") {
		t.Error("a clipped value is not marked with …")
	}
	if len(page) > 40_000 {
		t.Errorf("page is %d bytes for two rows", len(page))
	}
}
