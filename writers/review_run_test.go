package writers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/purgeset/purgeset/fixtures/gen"
	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/writers"
)

// reviewPrintMaxPages is the most A4 pages the review page of the 1M-row run may
// print on: the row lists are capped on paper (20 per reason and per warning), so the
// page count no longer grows with the input. It printed 142 pages before the caps.
const reviewPrintMaxPages = 12

// realRun runs the pipeline as `purgeset run` does and returns the run directory's
// manifest as written.
func realRun(t *testing.T, out string, cfg pipeline.Config) *writers.Manifest {
	t.Helper()
	cut, _ := pipeline.MakeDate(2024, time.July, 1)
	cfg.Cutoff, cfg.RecordTypes, cfg.MaxIncluded, cfg.MaxIncludedPct = cut, []string{"Public"}, -1, -1
	cfg.Parameters = &writers.Parameters{Cutoff: "2024-07-01", Groups: cfg.Groups, AllGroups: cfg.AllGroups,
		Inputs: cfg.Inputs, Operator: "Ana Souza", Out: "out"}
	cfg.Output = pipeline.Output{Dir: out, Set: writers.SetOptions{Format: "xlsx", Header: "USERNAME", Split: 100000},
		Created: time.Date(2024, time.July, 1, 9, 30, 0, 0, time.UTC), Tool: writers.Tool{Name: "purgeset", Version: "v1.0.0-test", Go: "go"}}
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	m, err := writers.ReadManifest(filepath.Join(out, writers.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReviewOfSampleRun: the page of the bundled sample, as a reviewer sees it on a
// phone, on a screen and on paper; the screenshots are saved for people to look at
// (docs/review-*.png were made this way).
func TestReviewOfSampleRun(t *testing.T) {
	b := startBrowser(t, 90*time.Second)
	out := filepath.Join(t.TempDir(), "out")
	m := realRun(t, out, pipeline.Config{
		Inputs: []string{"../fixtures/users-sample.csv"}, Groups: []string{"Undergraduate", "Graduates 2021", "Alumni"},
		Protect: []string{"../fixtures/protect-fines.csv"},
	})
	pageURL := b.open(t, filepath.Join(out, writers.ReviewName), 390)
	checkRunAndSets(t, b.ctx, m)
	for _, width := range []int{390, 1280} {
		b.resize(t, width, false)
		checkLayout(t, b.ctx, fmt.Sprintf("%d px", width))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		saveArtifact(t, fmt.Sprintf("review-%d.png", width), png)
	}
	b.resize(t, a4Width, true)
	checkLayout(t, b.ctx, "print")
	b.resize(t, 1280, false)
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	t.Logf("the sample's review page prints on %d A4 pages", pdfPages(pdf))
	saveArtifact(t, "review-print.pdf", pdf)
	b.checkQuiet(t, pageURL)
}

// TestReviewPrintsMillionRows: a 1M-row run's page prints in a few pages, and shows
// the run ID and set-file counts its manifest has.
func TestReviewPrintsMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs a 1M-row export (about 20 s)")
	}
	b := startBrowser(t, 3*time.Minute)
	dir := t.TempDir()
	in := filepath.Join(dir, "users-1m.csv")
	if err := gen.WriteFile(in, gen.Options{Rows: 1_000_000, Seed: 1, Format: "csv", Damage: true}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	m := realRun(t, out, pipeline.Config{Inputs: []string{in}, AllGroups: true, TempDir: dir})
	os.Remove(in)
	pageURL := b.open(t, filepath.Join(out, writers.ReviewName), 1280)
	checkRunAndSets(t, b.ctx, m)
	checkLayout(t, b.ctx, "1M rows, 1280 px")
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	pages := pdfPages(pdf)
	t.Logf("the 1M-row run's review page prints on %d A4 pages", pages)
	if pages == 0 || pages > reviewPrintMaxPages {
		t.Errorf("the 1M-row run's review page prints on %d A4 pages, want 1 to %d", pages, reviewPrintMaxPages)
	}
	saveArtifact(t, "review-1m-print.pdf", pdf)
	b.checkQuiet(t, pageURL)
}
