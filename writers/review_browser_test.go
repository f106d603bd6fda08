package writers_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/purgeset/purgeset/writers"
)

// findBrowser looks for Chromium: $CHROME_PATH, /usr/bin/chromium, then PATH.
func findBrowser() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserEvents collects what the page did; the listener runs in chromedp's read
// loop, so it only records.
type browserEvents struct {
	mu       sync.Mutex
	requests []string
	errors   []string
	dialogs  []string
}

func (e *browserEvents) listen(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		e.requests = append(e.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			e.errors = append(e.errors, fmt.Sprintf("console.error with %d arguments", len(ev.Args)))
		}
	case *runtime.EventExceptionThrown:
		e.errors = append(e.errors, "exception: "+ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded: // CSP violations and failed loads land here
		if ev.Entry.Level == cdplog.EntryLevelError {
			e.errors = append(e.errors, "log: "+ev.Entry.Text)
		}
	case *page.EventJavascriptDialogOpening:
		e.dialogs = append(e.dialogs, string(ev.Type)+": "+ev.Message)
	}
}

// browser is one headless Chromium for a test; events records what pages did.
type browser struct {
	ctx    context.Context
	events *browserEvents
	dir    string
}

// startBrowser starts Chromium, or skips (fails under CI or PURGESET_REQUIRE_BROWSER=1)
// when there is none.
func startBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	exe := findBrowser()
	if exe == "" {
		msg := "no Chromium found ($CHROME_PATH, /usr/bin/chromium, chromium, chromium-browser or google-chrome on PATH); run `make test`, which installs it"
		if os.Getenv("CI") != "" || os.Getenv("PURGESET_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING the review.html browser test: " + msg + " !!!")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true), // screenshots alike on every machine
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	events := &browserEvents{}
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(events.listen))
	t.Cleanup(cancelBrowser)

	// An alert would block every later command; answer it from another goroutine so
	// the test fails on the recorded dialog instead of timing out.
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	return &browser{ctx: bctx, events: events, dir: dir}
}

// open shows the page at path in a window width px wide.
func (b *browser) open(t *testing.T, path string, width int) string {
	t.Helper()
	u := (&url.URL{Scheme: "file", Path: path}).String()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return u
}

// resize changes the window width and, with print, lays the page out as on paper.
func (b *browser) resize(t *testing.T, width int, print bool) {
	t.Helper()
	media := ""
	if print {
		media = "print"
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatalf("resize to %d px: %v", width, err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media}); err != nil {
		t.Fatalf("emulate media %q: %v", media, err)
	}
}

// TestReviewInBrowser opens review.html in headless Chromium: no request leaves the
// page, nothing runs, the numbers in the DOM are the manifest's, it fits a 390 px
// phone and a 1280 px screen without breaking a word, and it prints on A4.
func TestReviewInBrowser(t *testing.T) {
	b := startBrowser(t, 90*time.Second)
	m, recs := reviewFixture()
	pagePath := filepath.Join(b.dir, writers.ReviewName)
	htmlBytes := writeReview(t, m, recs)
	if err := os.WriteFile(pagePath, htmlBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	pageURL := b.open(t, pagePath, 1100)
	bctx := b.ctx

	wantTitle := html.UnescapeString(string(regexp.MustCompile(`<title>(.*?)</title>`).FindSubmatch(htmlBytes)[1]))
	title := mustEval[string](t, bctx, `document.title`)
	if title != wantTitle {
		t.Errorf("document.title = %q, want %q", title, wantTitle)
	}

	type headline struct {
		Included, DataRows, Excluded int
		IncludedText, DataRowsText   string
	}
	h := mustEval[headline](t, bctx, `(() => {
		const n = id => Number(document.getElementById(id).dataset.count);
		const t = id => document.getElementById(id).textContent;
		return {Included: n("included"), DataRows: n("data-rows"), Excluded: n("excluded"),
			IncludedText: t("included"), DataRowsText: t("data-rows")};
	})()`)
	if h.Included != m.Counts.Included || h.DataRows != m.Counts.DataRows || h.Excluded != m.Counts.Excluded {
		t.Errorf("DOM headline %d included, %d data rows, %d excluded; manifest %d, %d, %d",
			h.Included, h.DataRows, h.Excluded, m.Counts.Included, m.Counts.DataRows, m.Counts.Excluded)
	}
	if h.IncludedText != fmt.Sprint(m.Counts.Included) || h.DataRowsText != fmt.Sprint(m.Counts.DataRows) {
		t.Errorf("headline text %q of %q, want %d of %d", h.IncludedText, h.DataRowsText, m.Counts.Included, m.Counts.DataRows)
	}
	checkRunAndSets(t, bctx, m)

	for code, n := range m.Counts.ExcludedByReason {
		type reasonDOM struct {
			Bar     string
			Section bool
			Width   float64
		}
		got := mustEval[reasonDOM](t, bctx, fmt.Sprintf(`(() => {
			const g = document.querySelector('svg [data-reason=%[1]q]');
			const r = g && g.querySelector('rect');
			return {Bar: g ? g.dataset.count : "", Section: !!document.getElementById('reason-' + %[1]q),
				Width: r ? r.getBoundingClientRect().width : 0};
		})()`, code))
		if got.Bar != fmt.Sprint(n) || got.Width <= 0 {
			t.Errorf("%s: bar data-count %q width %.1f, want %d and a visible bar", code, got.Bar, got.Width, n)
		}
		if !got.Section {
			t.Errorf("%s: no #reason-%s", code, code)
		}
	}

	type safety struct {
		Text, Group       bool
		Scripts, Injected int
	}
	s := mustEval[safety](t, bctx, fmt.Sprintf(`({
		Text: document.body.textContent.includes(%q),
		Group: document.body.textContent.includes(%q),
		Scripts: document.scripts.length,
		Injected: document.querySelectorAll('td b, th b, td script, td i').length,
	})`, xssID, xssGroup))
	if !s.Text || !s.Group {
		t.Errorf("untrusted text not shown literally: ID %v, group %v", s.Text, s.Group)
	}
	if s.Scripts != 0 || s.Injected != 0 {
		t.Errorf("page has %d scripts and %d injected elements, want none", s.Scripts, s.Injected)
	}

	for _, width := range []int{390, 1280} {
		b.resize(t, width, false)
		checkLayout(t, bctx, fmt.Sprintf("%d px", width))
	}
	b.resize(t, a4Width, true)
	checkLayout(t, bctx, fmt.Sprintf("print (%d px)", a4Width))
	type printed struct{ Rows, Listed, Warn int }
	p := mustEval[printed](t, bctx, `({
		Rows: [...document.querySelectorAll('#reason-duplicate tbody tr')].filter(r => r.offsetParent !== null).length,
		Listed: document.querySelectorAll('#reason-duplicate tbody tr').length,
		Warn: [...document.querySelectorAll('[data-code=no_purge_date] li')].filter(r => r.offsetParent !== null).length,
	})`)
	if p.Rows != 20 || p.Listed != 200 || p.Warn != 20 {
		t.Errorf("print shows %d of %d duplicate rows and %d warning rows, want 20 of 200 and 20", p.Rows, p.Listed, p.Warn)
	}
	b.resize(t, 1100, false)

	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || pdfPages(pdf) == 0 {
		t.Errorf("PrintToPDF gave %d bytes and %d pages, not a PDF", len(pdf), pdfPages(pdf))
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	saveArtifact(t, "review.png", png)
	saveArtifact(t, "review.pdf", pdf)
	saveArtifact(t, "review.html", htmlBytes)
	b.checkQuiet(t, pageURL)
}

// checkQuiet: the page made no request but itself, and nothing ran or failed.
func (b *browser) checkQuiet(t *testing.T, pageURL string) {
	t.Helper()
	e := b.events
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range e.requests {
		if u != pageURL {
			t.Errorf("page requested %s; review.html must make no request", u)
		}
	}
	if len(e.requests) == 0 {
		t.Error("saw no request at all, not even the page: is the network listener working?")
	}
	for _, msg := range e.errors {
		t.Errorf("browser reported %s", msg)
	}
	for _, d := range e.dialogs {
		t.Errorf("a dialog opened (%s): markup in the data ran as script", d)
	}
}

func mustEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return v
}
