package writers_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// BenchmarkReviewWriter feeds a million synthetic rows; the page must stay small.
//
//	go test ./writers -run XXX -bench ReviewWriter -benchmem
func BenchmarkReviewWriter(b *testing.B) {
	const n = 1_000_000
	reasons := []string{"expired", "expired", "expired", "expired", "expired", "not_expired", "duplicate", "group_not_selected", "bad_date", "malformed_id"}
	groups := []string{"Alumni", "Undergraduate", "Postgraduate", "Staff", "Visitor", "Library card", "Walk-in", "Exchange"}
	recs := make([]writers.Record, 0, 1024)
	m := &writers.Manifest{Parameters: &writers.Parameters{Cutoff: "2025-01-01", Groups: groups}, Checklist: writers.Checklist,
		Inputs: []writers.Input{{Path: "export.csv", Format: "text", Encoding: "utf-8", Delimiter: ",", HeaderRow: 1, DataRows: n}},
		Counts: writers.Counts{DataRows: n, ExcludedByReason: map[string]int{}}}
	for i := range 1024 { // a repeating feed: cheap to make, realistic to aggregate
		r := writers.Record{Source: "export.csv", ID: fmt.Sprintf("U%08d", i), UserGroup: groups[i%len(groups)],
			Reason: reasons[i%len(reasons)], ExpiryDays: days(2000+i%25, time.Month(1+i%12), 1), ExpiryOK: true}
		r.Included = r.Reason == "expired"
		if r.Reason == "bad_date" {
			r.ExpiryOK, r.Expiry = false, "31/02/2024"
		} else {
			r.Expiry = time.Unix(int64(r.ExpiryDays)*86400, 0).UTC().Format("2006-01-02")
		}
		recs = append(recs, r)
	}
	for i := range n {
		r := &recs[i%len(recs)]
		if r.Included {
			m.Counts.Included++
		} else {
			m.Counts.Excluded++
			m.Counts.ExcludedByReason[r.Reason]++
		}
	}
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		stage, err := writers.NewStage(filepath.Join(b.TempDir(), "out"))
		if err != nil {
			b.Fatal(err)
		}
		w, err := writers.NewReviewWriter(stage, m, pipeline.ReasonTexts())
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			r := &recs[i%len(recs)]
			r.Row = i + 2
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if err := w.Finish(m); err != nil {
			b.Fatal(err)
		}
		for _, o := range stage.Outputs() {
			size = o.Bytes
		}
		stage.Abort()
	}
	b.ReportMetric(float64(size), "page-bytes")
}
