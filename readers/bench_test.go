package readers

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/fixtures/gen"
)

// Stage benchmarks for make bench (issue 7). They run only with -bench; at
// -benchtime 1x each finishes in well under a second after its setup.
//
//	go test ./readers -run XXX -bench 'CSVRead|HeaderScan' -benchmem

const csvBenchRows = 200_000

// BenchmarkCSVRead reads a generated 200,000-row export (fixtures/gen, made once per
// benchmark in a temporary directory) through Open and Table.Rows: sniffing, the
// header check, encoding/csv and, for utf16-tab, the UTF-16 decoder.
func BenchmarkCSVRead(b *testing.B) {
	for _, format := range []struct{ name, gen string }{{"utf8-csv", "csv"}, {"utf16-tab", "tsv16"}} {
		b.Run(format.name, func(b *testing.B) {
			path := genExport(b, format.gen, csvBenchRows)
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				t, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for row, err := range t.Rows() {
					if err != nil {
						b.Fatal(err)
					}
					if len(row.Cells) != len(gen.Header) {
						b.Fatalf("row %d has %d cells", row.Num, len(row.Cells))
					}
					n++
				}
				t.Close()
				if n != csvBenchRows {
					b.Fatalf("read %d rows, want %d", n, csvBenchRows)
				}
			}
			b.ReportMetric(float64(csvBenchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// genExport writes rows generated rows in format into the benchmark's temporary
// directory.
func genExport(b *testing.B, format string, rows int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "users."+format)
	if err := gen.WriteFile(path, gen.Options{Rows: rows, Seed: 1, Format: format}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkHeaderScan opens a CSV whose header stands below 19 report-title rows (the
// most Open accepts above it) and stops there: sniffing, the first read and the
// header search, which every input pays once.
func BenchmarkHeaderScan(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("\uFEFF")
	for i := range 19 {
		switch {
		case i%5 == 4:
			sb.WriteString(",,,,\r\n") // blank rows between the titles, as Analytics writes them
		case i%3 == 0:
			fmt.Fprintf(&sb, "\"Report: users to purge, part %d\",,,,\r\n", i)
		default:
			fmt.Fprintf(&sb, "Filter %d: User Group is one of Alumni; Graduates 2021,,,,\r\n", i)
		}
	}
	sb.WriteString("Primary Identifier,User Group,User Record Type,Expiry Date,Purge Date\r\n")
	w := bufio.NewWriter(&sb)
	for i := range 200 { // enough below the header for the sniffer's first 64 KiB to be real rows
		fmt.Fprintf(w, "s%07d,Alumni,Public,2021-0%d-1%d,\r\n", 1000000+i, 1+i%9, i%10)
	}
	w.Flush()
	path := filepath.Join(b.TempDir(), "titled.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		t, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if t.HeaderRow != 20 || t.Preamble != 19 {
			b.Fatalf("header at row %d after %d title rows, want 20 after 19", t.HeaderRow, t.Preamble)
		}
		t.Close()
	}
}
