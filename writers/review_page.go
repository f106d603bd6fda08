package writers

import (
	"strings"
	"time"
)

// reviewPrintRows caps every row list on paper (excluded rows per reason, warning
// rows, groups): the screen lists up to 200, but a 1M-row run must print in a few
// pages, and decisions.csv has every row anyway.
const reviewPrintRows = 20

// reviewPrintBreakdown caps the group and year tables on paper; an export has a few
// dozen groups, a junk group column thousands.
const reviewPrintBreakdown = 40

// reviewLongToken is the length past which a value is treated as junk rather than an
// ID, date or name: only junk may break inside a word, so that it cannot push a table
// off the paper.
const reviewLongToken = 40

// runFacts is what identifies the run where the reviewer signs.
type runFacts struct {
	ID, ShortID string
	Created     string // as the manifest has it (RFC 3339)
	CreatedText string // for people: 2024-07-01 09:30:00 UTC
	Operator    string
	Version     string
	Commit      string // first 12 hex digits
}

func (w *ReviewWriter) runFacts() runFacts {
	m := w.m
	f := runFacts{ID: m.RunID, ShortID: ShortRunID(m.RunID), Created: m.Created, CreatedText: m.Created, Version: m.Tool.Version}
	if t, err := time.Parse(time.RFC3339, m.Created); err == nil {
		f.CreatedText = t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	for _, kv := range w.params {
		if kv.Key == "operator" {
			f.Operator = kv.Value
		}
	}
	f.Commit = m.Tool.Commit
	if len(f.Commit) > 12 {
		f.Commit = f.Commit[:12]
	}
	return f
}

// setFileView is one set file as the reviewer compares it with Alma's member count.
type setFileView struct {
	Name, SHA256, Short string
	IDs                 int
}

func setFiles(outputs []Output) []setFileView {
	var v []setFileView
	for _, o := range outputs {
		if o.IDs == nil {
			continue
		}
		short := o.SHA256
		if len(short) > 12 {
			short = short[:12]
		}
		v = append(v, setFileView{Name: o.Name, SHA256: o.SHA256, Short: short, IDs: *o.IDs})
	}
	return v
}

// setBoth reports set files written in both formats (--set-format both).
func setBoth(files []setFileView) bool {
	var xlsx, txt bool
	for _, f := range files {
		xlsx = xlsx || strings.HasSuffix(f.Name, ".xlsx")
		txt = txt || strings.HasSuffix(f.Name, ".txt")
	}
	return xlsx && txt
}

// warningView is a warning with its rows grouped by input file, in input order.
type warningView struct {
	Warning
	Sources   []warningSource
	Listed    int // rows listed (at most WarningRowsKept)
	More      int // rows the manifest does not list
	PrintMore int // rows not listed on paper
}

type warningSource struct {
	Source string
	Rows   []warningRowView
}

type warningRowView struct {
	Row   int
	Paper bool // also listed on paper
}

func warningViews(ws []Warning) []warningView {
	views := make([]warningView, 0, len(ws))
	for _, wn := range ws {
		v := warningView{Warning: wn, Listed: len(wn.Rows)}
		rows := wn.Rows
		if len(rows) > WarningRowsKept {
			rows = rows[:WarningRowsKept] // a hand-made manifest cannot grow the page
		}
		for i, r := range rows {
			if len(v.Sources) == 0 || v.Sources[len(v.Sources)-1].Source != r.Source {
				v.Sources = append(v.Sources, warningSource{Source: clip(r.Source)})
			}
			s := &v.Sources[len(v.Sources)-1]
			s.Rows = append(s.Rows, warningRowView{Row: r.Row, Paper: i < reviewPrintRows})
		}
		v.Listed = len(rows)
		if len(rows) > 0 {
			v.More = max(0, wn.Count-len(rows))
			v.PrintMore = max(0, wn.Count-min(len(rows), reviewPrintRows))
		}
		views = append(views, v)
	}
	return views
}

// long reports a value too long to be an ID, date or name (see reviewLongToken).
func long(s string) bool { return len(s) > reviewLongToken }

// nbWord is a word of running text; NB marks one that must not break inside, such as
// a date (2024-07-01) or a code, which a browser would otherwise break at a hyphen.
type nbWord struct {
	Text string
	NB   bool
}

// nbWords splits prose at spaces and marks the words that hold a hyphen, slash, dot
// between digits or underscore: dates, codes, file names, numbers such as 1.23E+11.
func nbWords(s string) []nbWord {
	fields := strings.Fields(s)
	words := make([]nbWord, len(fields))
	for i, f := range fields {
		words[i] = nbWord{Text: f, NB: len(f) <= reviewLongToken && strings.ContainsAny(f, "-/_.+0123456789")}
	}
	return words
}

// pathParts cuts a path after each separator, where the page may break it.
func pathParts(p string) []string {
	var parts []string
	for p != "" {
		i := strings.IndexAny(p, `/\`)
		if i < 0 {
			break
		}
		parts = append(parts, p[:i+1])
		p = p[i+1:]
	}
	return append(parts, p)
}
