package writers

import (
	"fmt"
	"path/filepath"
	"testing"
)

// Stage benchmarks for make bench (issue 7), fed from a repeating in-memory feed of
// synthetic records. The archive and review writers have their own benchmarks
// (archive_test.go, review_bench_test.go). They run only with -bench; at -benchtime 1x
// each finishes in about a second or less.
//
//	go test ./writers -run XXX -bench 'DecisionsWriter|SetTXT|SetXLSX' -benchmem

// benchFeed is 1024 records in the shapes decisions.csv sees: included rows, and
// excluded ones with details that need quoting.
func benchFeed() []Record {
	groups := []string{"Undergraduate", "Graduates 2021", "Alumni", "Staff", "Community Borrower"}
	recs := make([]Record, 1024)
	for i := range recs {
		r := &recs[i]
		r.Source, r.UserGroup, r.RecordType = "bench/data/users-1m.csv", groups[i%len(groups)], "Public"
		if i%5 < 3 {
			r.ID = fmt.Sprintf("s%07d", 1_000_000+i)
		} else {
			r.ID = fmt.Sprintf("jdoe%d", i)
		}
		r.Expiry, r.ExpiryOK = fmt.Sprintf("20%02d-%02d-%02d", 15+i%16, 1+i%12, 1+i%28), true
		switch i % 4 {
		case 0, 1:
			r.Included, r.Reason = true, "expired"
		case 2:
			r.Reason, r.Detail = "not_expired", "expiry "+r.Expiry+" is on or after the cutoff 2024-07-01"
		case 3:
			r.Reason, r.Detail = "group_not_selected", `user group "`+r.UserGroup+`" is not selected`
		}
	}
	return recs
}

func benchStage(b *testing.B) *Stage {
	b.Helper()
	s, err := NewStage(filepath.Join(b.TempDir(), "out"))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDecisionsWriter writes 500,000 rows of decisions.csv per op (through the
// stage's hashing file, and its fsync on close).
func BenchmarkDecisionsWriter(b *testing.B) {
	const n = 500_000
	recs := benchFeed()
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		stage := benchStage(b)
		w, err := NewDecisionsWriter(stage)
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
		size = stage.Outputs()[0].Bytes
		stage.Abort()
	}
	b.SetBytes(size)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}

// BenchmarkSetTXT and BenchmarkSetXLSX write one set file of 100,000 IDs (the default
// --split) per op.
func BenchmarkSetTXT(b *testing.B)  { benchSet(b, "txt") }
func BenchmarkSetXLSX(b *testing.B) { benchSet(b, "xlsx") }

func benchSet(b *testing.B, format string) {
	const n = 100_000
	recs := benchFeed()
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		stage := benchStage(b)
		w := NewSetWriter(stage, SetOptions{Format: format, Header: "USERNAME", Split: n})
		for i := range n {
			if err := w.Add(recs[i%len(recs)].ID); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		outs := stage.Outputs()
		if len(outs) != 1 || outs[0].IDs == nil || *outs[0].IDs != n {
			b.Fatalf("outputs %+v, want one set file of %d IDs", outs, n)
		}
		size = outs[0].Bytes
		stage.Abort()
	}
	b.SetBytes(size)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/id")
}
