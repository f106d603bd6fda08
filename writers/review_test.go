package writers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

const (
	xssID    = `<script>alert(1)</script>`
	xssGroup = `O'Brien & "Co" <b>`
)

// days is a calendar date as Record.ExpiryDays holds it.
func days(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// reviewFixture is a small run: several reasons, one with more rows than the page
// lists, an ID and a group that try to inject markup.
func reviewFixture() (*writers.Manifest, []writers.Record) {
	var recs []writers.Record
	row := map[string]int{"alumni.csv": 3, "staff.xlsx": 5}
	add := func(src string, r writers.Record) {
		r.Source, r.Row = src, row[src]
		row[src]++
		if r.Reason == "" {
			r.Reason = "expired"
		}
		r.Included = r.Reason == "expired"
		if r.ExpiryOK {
			r.Expiry = time.Unix(int64(r.ExpiryDays)*86400, 0).UTC().Format("2006-01-02")
		}
		recs = append(recs, r)
	}
	for i := range 40 {
		group := []string{"Alumni", "Undergraduate", xssGroup}[i%3]
		add("alumni.csv", writers.Record{ID: fmt.Sprintf("A%05d", i), UserGroup: group, RecordType: "Public",
			ExpiryDays: days(2019+i%4, time.June, 30), ExpiryOK: true})
	}
	add("alumni.csv", writers.Record{ID: "", UserGroup: "Alumni", Reason: "blank_id", ExpiryDays: days(2020, 1, 1), ExpiryOK: true})
	add("alumni.csv", writers.Record{ID: "1.23E+11", UserGroup: "Alumni", Reason: "malformed_id", ExpiryDays: days(2020, 1, 1), ExpiryOK: true})
	for i := range 250 {
		add("alumni.csv", writers.Record{ID: fmt.Sprintf("A%05d", i%40), UserGroup: "Alumni", Reason: "duplicate",
			Detail: fmt.Sprintf("duplicate of row %d", 3+i%40), ExpiryDays: days(2021, 3, 1), ExpiryOK: true})
	}
	add("staff.xlsx", writers.Record{ID: xssID, UserGroup: xssGroup, Reason: "not_expired", ExpiryDays: days(2030, 12, 31), ExpiryOK: true})
	add("staff.xlsx", writers.Record{ID: "S1", UserGroup: "", Reason: "not_expired", ExpiryDays: days(2031, 1, 1), ExpiryOK: true})
	add("staff.xlsx", writers.Record{ID: "S2", UserGroup: "Staff", Reason: "record_type", RecordType: "Staff", ExpiryDays: days(2020, 5, 5), ExpiryOK: true})
	add("staff.xlsx", writers.Record{ID: "S3", UserGroup: "Staff", Reason: "bad_date", Expiry: "31/02/2024"})
	add("staff.xlsx", writers.Record{ID: "S4", UserGroup: "Alumni", Reason: "protected", Detail: "fines.csv", ExpiryDays: days(2018, 1, 1), ExpiryOK: true})

	m := &writers.Manifest{
		Schema:  writers.ManifestSchema,
		Tool:    writers.Tool{Name: "purgeset", Version: "v0.9.0-test", Go: "go1.26"},
		Created: "2026-01-02T03:04:05Z",
		Parameters: &writers.Parameters{
			Cutoff: "2025-01-01", Groups: []string{"Alumni", "Undergraduate", xssGroup}, RecordTypes: []string{"Public"},
			Split: 100000, Columns: map[string]string{"expiry": "Expiry Date"}, Inputs: []string{"alumni.csv", "staff.xlsx"},
		},
		Inputs: []writers.Input{
			{Path: "alumni.csv", Size: 12345, SHA256: strings.Repeat("ab", 32), Format: "text", Encoding: "utf-8-bom", Delimiter: "\t",
				HeaderRow: 2, Columns: map[string]string{"id": "Primary Identifier", "expiry": "Expiry Date", "group": "User Group"}, PreambleRows: 1, BlankRows: 2},
			{Path: "staff.xlsx", Size: 6789, SHA256: strings.Repeat("cd", 32), Format: "xlsx", Sheet: "Users <1>",
				HeaderRow: 4, Columns: map[string]string{"id": "USERNAME", "expiry": "Expiry Date"}, PreambleRows: 3},
		},
		Counts: writers.Counts{BlankRows: 2, ExcludedByReason: map[string]int{}},
		Warnings: []writers.Warning{
			{Code: "bad_purge_date", Message: "2 purge dates could not be read <i>", Count: 2,
				Rows: []writers.WarningRow{{Source: "alumni.csv", Row: 7}, {Source: "staff.xlsx", Row: 9}}},
			{Code: "out_in_git", Message: "the output directory is inside a git work tree", Count: 1},
		},
		Checklist: writers.Checklist,
		RunID:     "0123456789abcdef" + strings.Repeat("fe", 24),
	}
	// The fixture's set files: what the page lists is what the manifest says, however
	// many IDs each holds.
	for i, n := range []int{25, 15} {
		ids := n
		m.Outputs = append(m.Outputs, writers.Output{Name: fmt.Sprintf("set-%03d.xlsx", i+1), SHA256: fmt.Sprintf("%02x", i+1) + strings.Repeat("9a", 31), IDs: &ids})
	}
	// Many rows for one warning: the page lists the first 200 and counts the rest.
	many := writers.Warning{Code: "no_purge_date", Message: "included rows without a purge date", Count: 230}
	for i := range writers.WarningRowsKept {
		many.Rows = append(many.Rows, writers.WarningRow{Source: "alumni.csv", Row: 1000 + i})
	}
	m.Warnings = append(m.Warnings, many)
	for _, r := range recs {
		in := &m.Inputs[0]
		if r.Source == "staff.xlsx" {
			in = &m.Inputs[1]
		}
		in.DataRows++
		m.Counts.DataRows++
		if r.Included {
			in.Included++
			m.Counts.Included++
		} else {
			in.Excluded++
			m.Counts.Excluded++
			m.Counts.ExcludedByReason[r.Reason]++
		}
	}
	return m, recs
}

// writeReview runs the writer into a fresh stage and returns the committed page.
func writeReview(t testing.TB, m *writers.Manifest, recs []writers.Record) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	stage, err := writers.NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Abort()
	w, err := writers.NewReviewWriter(stage, m, pipeline.ReasonTexts())
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(m); err != nil {
		t.Fatal(err)
	}
	if err := stage.Commit(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, writers.ReviewName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600: it holds personal data", writers.ReviewName, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReviewEscapesUntrustedText(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("page holds a <script tag; IDs must render as text and the page needs no script")
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",    // the ID
		"O&#39;Brien &amp; &#34;Co&#34; &lt;b&gt;", // the group, in tables and parameters
		"Users &lt;1&gt;",                          // the sheet name
		"could not be read &lt;i&gt;",              // a warning message
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks escaped text %q", want)
		}
	}
	for _, raw := range []string{`"Co" <b>`, "<i>", "<1>"} {
		if strings.Contains(page, raw) {
			t.Errorf("page holds unescaped %q", raw)
		}
	}
}

func TestReviewHeadlineCounts(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	for id, want := range map[string]int{"included": m.Counts.Included, "data-rows": m.Counts.DataRows, "excluded": m.Counts.Excluded} {
		got := regexp.MustCompile(`id="` + id + `" data-count="(\d+)"`).FindStringSubmatch(page)
		if got == nil {
			t.Errorf("no #%s with data-count", id)
			continue
		}
		if n, _ := strconv.Atoi(got[1]); n != want {
			t.Errorf("#%s data-count %d, want %d", id, n, want)
		}
	}
	headline := fmt.Sprintf(`%d</span> IDs will be purged of <span id="data-rows" data-count="%d">%d</span> data rows`,
		m.Counts.Included, m.Counts.DataRows, m.Counts.DataRows)
	if !strings.Contains(page, headline) {
		t.Errorf("headline %q missing", headline)
	}
}

// TestReviewReasons: every reason present has a bar and a section, bars follow the
// rule order, and a reason over the limit lists 200 rows and says how many more.
func TestReviewReasons(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	last := -1
	for _, r := range pipeline.ReasonTexts() {
		code := r.Code
		n := m.Counts.ExcludedByReason[code]
		bar := fmt.Sprintf(`<g data-reason="%s" data-count="%d">`, code, n)
		section := fmt.Sprintf(`<section class="reason" id="reason-%s"`, code)
		if n == 0 {
			if strings.Contains(page, `data-reason="`+code+`"`) {
				t.Errorf("%s: bar or section shown for a reason with no rows", code)
			}
			continue
		}
		at := strings.Index(page, bar)
		if at < 0 {
			t.Errorf("%s: no bar %s", code, bar)
		} else if at < last {
			t.Errorf("%s: bar out of rule order", code)
		} else {
			last = at
		}
		if !strings.Contains(page, section) {
			t.Errorf("%s: no section %s", code, section)
		}
	}

	dup := sectionOf(t, page, "duplicate")
	body := dup[strings.Index(dup, "<tbody>"):]
	if rows := strings.Count(body, "<tr"); rows != 200 {
		t.Errorf("duplicate section lists %d rows, want 200", rows)
	}
	// On paper only the first 20 rows: the others are marked screen-only.
	if screenOnly := strings.Count(body, `<tr class="x">`); screenOnly != 180 {
		t.Errorf("duplicate section marks %d rows screen-only, want 180 (200 listed, 20 printed)", screenOnly)
	}
	if strings.Index(body, `<tr class="x">`) < strings.Index(body, ">A00019<") {
		t.Error("a row among the first 20 is screen-only")
	}
	if !strings.Contains(dup, `data-more="50">… and 50 more: see decisions.csv</p>`) {
		t.Error(`duplicate section lacks "… and 50 more: see decisions.csv"`)
	}
	if !strings.Contains(dup, `data-print-more="230">… and 230 more on paper: see decisions.csv</p>`) {
		t.Error(`duplicate section lacks the printed "… and 230 more on paper"`)
	}
	if strings.Contains(sectionOf(t, page, "not_expired"), "more: see decisions.csv") {
		t.Error("a short reason says there are more rows")
	}
}

// sectionOf cuts one reason's section out of the page.
func sectionOf(t *testing.T, page, code string) string {
	t.Helper()
	i := strings.Index(page, `id="reason-`+code+`"`)
	if i < 0 {
		t.Fatalf("no section for %s", code)
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// TestReviewDeterministic: the same run gives the same page; a run made at another
// time differs only in the lines that show when it was made (README, "Choices").
func TestReviewDeterministic(t *testing.T) {
	m, recs := reviewFixture()
	a := writeReview(t, m, recs)
	m1, recs1 := reviewFixture()
	if b := writeReview(t, m1, recs1); string(a) != string(b) {
		t.Error("two writes of the same run differ")
	}
	m2, recs2 := reviewFixture()
	m2.Created = "2027-12-31T23:59:59Z"
	b := writeReview(t, m2, recs2)
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(al) != len(bl) {
		t.Fatalf("pages made at different times have %d and %d lines", len(al), len(bl))
	}
	differ := 0
	for i := range al {
		if al[i] == bl[i] {
			continue
		}
		differ++
		if !strings.Contains(al[i], "2026-01-02 03:04:05 UTC") || !strings.Contains(bl[i], "2027-12-31 23:59:59 UTC") {
			t.Errorf("line %d differs in more than the created time:\n%s\n%s", i+1, al[i], bl[i])
		}
	}
	if differ == 0 {
		t.Error("the page does not show when the run was made")
	}
}

// TestReviewNoNetwork: the page must open on an offline PC and leak nothing.
func TestReviewNoNetwork(t *testing.T) {
	m, recs := reviewFixture()
	page := strings.ToLower(string(writeReview(t, m, recs)))
	for _, bad := range []string{"http://", "https://", "src=", "url(", "@import", "<link rel=\"stylesheet", "<iframe", "<object", "<embed", "<img", "//cdn"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(href[1], "#") && href[1] != "data:," {
			t.Errorf("link to %q leaves the page", href[1])
		}
	}
	if !strings.Contains(page, `content="default-src 'none'`) {
		t.Error("no Content-Security-Policy forbidding requests")
	}
	if !strings.Contains(page, "@page { size: a4; margin: 15mm; }") || !strings.Contains(page, "@media print") {
		t.Error("no A4 print rules")
	}
}

func TestReviewParametersAndTables(t *testing.T) {
	m, recs := reviewFixture()
	page := string(writeReview(t, m, recs))
	for _, want := range []string{
		`<th scope="row" class="mono">groups</th><td>Alumni, Undergraduate, O&#39;Brien`,
		`<th scope="row" class="mono">split</th><td>100000</td>`,
		`<th scope="row" class="mono">all_groups</th><td>no</td>`,
		`<th scope="row" class="mono">columns</th><td>expiry = Expiry Date</td>`,
		"text, UTF-8 with BOM, tab-separated",
		"sha256 " + strings.Repeat("ab", 32),
		"no valid date",
		`<th scope="row" class="grp">2019</th>`,
		`<span class="special">(blank)</span>`,
		"<code>purgeset reconcile</code>",
		"Signature",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, empty := range []string{">protect<", ">date_order<"} {
		if strings.Contains(page, empty) {
			t.Errorf("empty parameter %s shown", empty)
		}
	}
	order := []string{`id="parameters"`, `id="inputs"`, `id="counts"`, `id="exclusions"`, `id="by-group"`, `id="by-year"`, `id="excluded-rows"`, `id="warnings"`, `id="checklist"`}
	last := -1
	for _, s := range order {
		i := strings.Index(page, s)
		if i < last {
			t.Errorf("section %s out of order", s)
		}
		last = i
	}
}

func TestReviewRefusesCountsThatDisagree(t *testing.T) {
	m, recs := reviewFixture()
	stage, err := writers.NewStage(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Abort()
	w, err := writers.NewReviewWriter(stage, m, pipeline.ReasonTexts())
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs[1:] { // one row short
		if err := w.Write(&recs[1+i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "internal check failed") {
		t.Errorf("Close = %v, want an internal check failure", err)
	}
}

func TestReviewNothingIncludedOrExcluded(t *testing.T) {
	m := &writers.Manifest{Counts: writers.Counts{DataRows: 1, Excluded: 1, ExcludedByReason: map[string]int{"not_expired": 1}}}
	page := string(writeReview(t, m, []writers.Record{{Source: "a.csv", Row: 2, ID: "x", Reason: "not_expired"}}))
	if !strings.Contains(page, "0</span> IDs will be purged of") || !strings.Contains(page, "this run wrote no set file") {
		t.Error("a run with nothing included does not say so")
	}
	m = &writers.Manifest{Counts: writers.Counts{DataRows: 1, Included: 1}}
	page = string(writeReview(t, m, []writers.Record{{Source: "a.csv", Row: 2, ID: "x", Reason: "expired", Included: true}}))
	if !strings.Contains(page, "1</span> ID will be purged of") || !strings.Contains(page, "No row was excluded.") {
		t.Error("a run with nothing excluded does not say so")
	}
}
