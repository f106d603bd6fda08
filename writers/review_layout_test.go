package writers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/purgeset/purgeset/writers"
)

// a4Width is A4's width less the page's 15 mm margins, in CSS px: the print layout's
// line length.
const a4Width = (210 - 2*15) * 96 * 10 / 254

// checkLayout: no horizontal overflow of the document, and no ID, date, code, group
// name or file name broken inside a word (each word's text is on one line).
func checkLayout(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	type layout struct {
		Overflow float64
		Broken   []string
		Checked  int
		Wide     []string // elements past the right edge, for the message
	}
	l := mustEval[layout](t, ctx, `(() => {
		const sel = 'code, .nb, .runid, td.id, td.date, td.grp, th.grp, .rowlist li, tr[data-set-file] td';
		const broken = [];
		let checked = 0;
		for (const el of document.querySelectorAll(sel)) {
			if (el.closest('.junk')) continue; // 40+ characters without a space is not a name
			const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
			for (let n; (n = walk.nextNode());) {
				for (const m of n.data.matchAll(/\S+/g)) {
					const r = document.createRange();
					r.setStart(n, m.index);
					r.setEnd(n, m.index + m[0].length);
					const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
					if (tops.size > 0) checked++;
					if (tops.size > 1) broken.push(m[0]);
				}
			}
		}
		const d = document.documentElement;
		const wide = [];
		for (const el of document.body.querySelectorAll('*')) {
			if (wide.length >= 5 || el.getBoundingClientRect().right <= d.clientWidth + 1) continue;
			const box = el.parentElement && el.parentElement.closest('.scroll');
			if (box && getComputedStyle(box).overflowX === 'auto') continue; // scrolls in its own box
			wide.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 40));
		}
		return {Overflow: d.scrollWidth - d.clientWidth, Broken: broken.slice(0, 10), Checked: checked, Wide: wide};
	})()`)
	if l.Overflow > 0 {
		t.Errorf("%s: the page is %.0f px wider than the window: something does not wrap or scroll in its own box: %q", label, l.Overflow, l.Wide)
	}
	if len(l.Broken) > 0 {
		t.Errorf("%s: words broken across lines: %q", label, l.Broken)
	}
	if l.Checked < 20 {
		t.Errorf("%s: only %d words checked for breaks: are the selectors right?", label, l.Checked)
	}
}

// checkRunAndSets: the run ID and set files shown are the manifest's.
func checkRunAndSets(t *testing.T, ctx context.Context, m *writers.Manifest) {
	t.Helper()
	type shown struct {
		RunID, Full, SignOff string
		Sets                 map[string]string
		Hashes               map[string]string
	}
	s := mustEval[shown](t, ctx, `(() => {
		const sets = {}, hashes = {};
		for (const tr of document.querySelectorAll('tr[data-set-file]')) {
			const td = tr.querySelectorAll('td');
			sets[td[0].textContent] = td[1].textContent;
			hashes[td[0].textContent] = td[2].textContent;
		}
		const id = document.getElementById('run-id');
		return {RunID: id.textContent, Full: id.dataset.runId,
			SignOff: document.getElementById('signoff-run-id').textContent, Sets: sets, Hashes: hashes};
	})()`)
	if m.RunID == "" || s.RunID != m.RunID[:16] || s.SignOff != m.RunID[:16] || s.Full != m.RunID {
		t.Errorf("run ID shown %q (sign-off %q, full %q), manifest %q", s.RunID, s.SignOff, s.Full, m.RunID)
	}
	want := 0
	for _, o := range m.Outputs {
		if o.IDs == nil {
			continue
		}
		want++
		if got := strings.ReplaceAll(s.Sets[o.Name], ",", ""); got != fmt.Sprint(*o.IDs) {
			t.Errorf("%s: page shows %q IDs, manifest %d", o.Name, s.Sets[o.Name], *o.IDs)
		}
		if s.Hashes[o.Name] != o.SHA256[:12] {
			t.Errorf("%s: page shows hash %q, manifest %s", o.Name, s.Hashes[o.Name], o.SHA256)
		}
	}
	if len(s.Sets) != want {
		t.Errorf("page lists %d set files, manifest %d", len(s.Sets), want)
	}
}

// saveArtifact writes a screenshot, PDF or page under $PURGESET_ARTIFACTS (default
// testdata/artifacts), for people to look at.
func saveArtifact(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := os.Getenv("PURGESET_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pdfPages counts the page objects of a PDF as Chromium writes it.
func pdfPages(pdf []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}
