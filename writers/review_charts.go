package writers

import (
	"math"
	"sort"
	"strconv"
)

// The page model: everything the template shows, computed here so that the template
// only lays it out. Chart geometry is in whole SVG user units, so the same input
// always prints the same numbers.

type reviewPage struct {
	Title     string
	Tool      Tool
	Counts    Counts
	Preamble  int
	Balanced  bool // included + excluded == data rows
	IncPct    string
	ExcPct    string
	Params    []keyValue
	Inputs    []inputView
	Chart     barChart
	Legend    []legendRow
	Groups    breakdown
	Years     breakdown
	Reasons   []reasonSection
	Warnings  []warningView
	Checklist []string
	Run       runFacts
	SetFiles  []setFileView
	PrintCap  int    // rows per list on paper; the screen shows them all
	SetBoth   bool   // --set-format both: each part as .xlsx and .txt
	OneSource string // the input, when there is one: row lists then leave out the file
}

type inputView struct {
	Input
	Kind    string // "text, UTF-8, comma-separated" or "XLSX, sheet Users"
	Columns []keyValue
}

type legendRow struct {
	Code, Meaning string
	Count         int
	Included      bool
}

type reasonSection struct {
	Code, Meaning string
	Count         int
	Rows          []reviewRow
	More          int // rows not listed on screen
	PrintMore     int // rows not listed on paper
}

// barChart is the horizontal bar chart of exclusions by reason.
type barChart struct {
	Width, Height int
	LabelX, BarX  int
	BarH          int
	Bars          []chartBar
}

type chartBar struct {
	Code        string
	Count       int
	Label       string // count and share of data rows
	BarY, TextY int
	W, CountX   int
}

const (
	chartWidth  = 720
	chartLabelX = 196 // right edge of the code labels
	chartBarX   = 206
	chartBarMax = 384 // leaves room for "1,234,567 (100.0 %)"
	chartRowH   = 30
	chartBarH   = 18
	stackWidth  = 160
)

// breakdown is a table of included and excluded rows by user group or expiry year,
// each row with a small stacked bar of its included share.
type breakdown struct {
	Head      string // the first column's heading
	Rows      []breakdownRow
	Total     breakdownRow
	PrintMore int // rows shown on screen only
}

type breakdownRow struct {
	Label          string
	Special        bool // "(blank)", "no valid date": not a value from the input
	Screen         bool // beyond reviewPrintBreakdown: not printed
	Included       int
	Excluded       int
	Total          int
	Pct            string // included share
	IncW, ExcW     int
	StackW, StackH int
}

func (w *ReviewWriter) page() reviewPage {
	m := w.m
	c := m.Counts
	p := reviewPage{
		Tool: m.Tool, Counts: c, Params: w.params, Checklist: m.Checklist, PrintCap: reviewPrintRows,
		Balanced: c.Included+c.Excluded == c.DataRows,
		IncPct:   percent(c.Included, c.DataRows), ExcPct: percent(c.Excluded, c.DataRows),
	}
	if len(p.Checklist) == 0 {
		p.Checklist = Checklist // a reviewer always sees what to do in Alma
	}
	p.Title = "purgeset review: " + formatCount(c.Included) + " " + plural(c.Included, "ID", "IDs") +
		" will be purged of " + formatCount(c.DataRows) + " data " + plural(c.DataRows, "row", "rows")
	for _, in := range m.Inputs {
		p.Preamble += in.PreambleRows
		p.Inputs = append(p.Inputs, inputView{Input: in, Kind: inputKind(in), Columns: columnRows(in.Columns)})
	}
	codes := w.reasonCodes()
	p.Chart = reasonChart(codes, w.reasons, c.DataRows)
	for _, r := range w.reasonList {
		if r.Included {
			continue
		}
		n := 0
		if rr := w.reasons[r.Code]; rr != nil {
			n = rr.count
		}
		p.Legend = append(p.Legend, legendRow{Code: r.Code, Meaning: r.Meaning, Count: n})
	}
	for _, code := range codes {
		if _, known := w.reasonMeaning(code); !known {
			p.Legend = append(p.Legend, legendRow{Code: code, Meaning: unknownMeaning, Count: w.reasons[code].count})
		}
	}
	for _, r := range w.reasonList {
		if r.Included {
			p.Legend = append(p.Legend, legendRow{Code: r.Code, Meaning: r.Meaning, Count: c.Included, Included: true})
		}
	}
	for _, code := range codes {
		rr := w.reasons[code]
		meaning, ok := w.reasonMeaning(code)
		if !ok {
			meaning = unknownMeaning
		}
		p.Reasons = append(p.Reasons, reasonSection{Code: code, Meaning: meaning, Count: rr.count, Rows: rr.rows,
			More: rr.count - len(rr.rows), PrintMore: rr.count - min(len(rr.rows), reviewPrintRows)})
	}
	p.Groups = w.groupBreakdown()
	p.Years = w.yearBreakdown()
	p.Run = w.runFacts()
	p.SetFiles = setFiles(m.Outputs)
	p.SetBoth = setBoth(p.SetFiles)
	if len(m.Inputs) == 1 {
		p.OneSource = m.Inputs[0].Path
	}
	p.Warnings = warningViews(m.Warnings)
	return p
}

const unknownMeaning = "A reason code this version of the review page does not describe; see the README."

// reasonCodes lists the reasons present: rule order first, then any code the page
// does not know, sorted, so that a new code is shown rather than lost.
func (w *ReviewWriter) reasonCodes() []string {
	var codes, unknown []string
	for _, r := range w.reasonList {
		if w.reasons[r.Code] != nil {
			codes = append(codes, r.Code)
		}
	}
	for code := range w.reasons {
		if _, known := w.reasonMeaning(code); !known {
			unknown = append(unknown, code)
		}
	}
	sort.Strings(unknown)
	return append(codes, unknown...)
}

func reasonChart(codes []string, reasons map[string]*reasonRows, dataRows int) barChart {
	ch := barChart{Width: chartWidth, Height: len(codes) * chartRowH, LabelX: chartLabelX, BarX: chartBarX, BarH: chartBarH}
	most := 0
	for _, code := range codes {
		most = max(most, reasons[code].count)
	}
	for i, code := range codes {
		n := reasons[code].count
		wd := max(2, scale(n, most, chartBarMax))
		y := i*chartRowH + (chartRowH-chartBarH)/2
		ch.Bars = append(ch.Bars, chartBar{
			Code: code, Count: n, Label: formatCount(n) + " (" + percent(n, dataRows) + ")",
			BarY: y, TextY: y + chartBarH - 5, W: wd, CountX: chartBarX + wd + 8,
		})
	}
	return ch
}

// scale maps part of whole onto 0..width, rounding half up.
func scale(part, whole, width int) int {
	if whole <= 0 {
		return 0
	}
	return int(math.Round(float64(part) * float64(width) / float64(whole)))
}

func (w *ReviewWriter) groupBreakdown() breakdown {
	names := sortedKeys(w.groups)
	b := breakdown{Head: "User group"}
	blank := w.groups[""]
	for _, name := range names {
		if name != "" {
			b.add(name, false, *w.groups[name])
		}
	}
	if blank != nil {
		b.add("(blank)", true, *blank)
	}
	if w.other.included+w.other.excluded > 0 {
		b.add("(other groups, after the first "+strconv.Itoa(reviewMaxGroups)+")", true, w.other)
	}
	b.finish()
	return b
}

func (w *ReviewWriter) yearBreakdown() breakdown {
	years := make([]int, 0, len(w.years))
	for y := range w.years {
		years = append(years, y)
	}
	sort.Ints(years)
	b := breakdown{Head: "Expiry year"}
	for _, y := range years {
		b.add(strconv.Itoa(y), false, *w.years[y])
	}
	if w.noDate.included+w.noDate.excluded > 0 {
		b.add("no valid date", true, w.noDate)
	}
	b.finish()
	return b
}

func (b *breakdown) add(label string, special bool, t tally) {
	b.Rows = append(b.Rows, stackRow(label, special, t))
	b.Total.Included += t.included
	b.Total.Excluded += t.excluded
}

func (b *breakdown) finish() {
	for i := reviewPrintBreakdown; i < len(b.Rows); i++ {
		b.Rows[i].Screen = true
		b.PrintMore++
	}
	b.Total = stackRow("All rows", false, tally{b.Total.Included, b.Total.Excluded})
}

func stackRow(label string, special bool, t tally) breakdownRow {
	total := t.included + t.excluded
	inc := scale(t.included, total, stackWidth)
	if t.included > 0 && inc == 0 {
		inc = 1 // a purge of one user in a big group must still show
	}
	if t.excluded > 0 && inc == stackWidth {
		inc = stackWidth - 1
	}
	return breakdownRow{
		Label: label, Special: special, Included: t.included, Excluded: t.excluded, Total: total,
		Pct: percent(t.included, total), IncW: inc, ExcW: stackWidth - inc, StackW: stackWidth, StackH: 12,
	}
}

func inputKind(in Input) string {
	if in.Format == "xlsx" {
		if in.Sheet != "" {
			return "XLSX, sheet “" + in.Sheet + "”"
		}
		return "XLSX"
	}
	kind := in.Format
	if kind == "" {
		kind = "text"
	}
	encodings := map[string]string{"utf-8": "UTF-8", "utf-8-bom": "UTF-8 with BOM", "utf-16le": "UTF-16 LE", "utf-16be": "UTF-16 BE"}
	if e, ok := encodings[in.Encoding]; ok {
		kind += ", " + e
	} else if in.Encoding != "" {
		kind += ", " + in.Encoding
	}
	delimiters := map[string]string{",": "comma", "\t": "tab", ";": "semicolon"}
	if d, ok := delimiters[in.Delimiter]; ok {
		kind += ", " + d + "-separated"
	} else if in.Delimiter != "" {
		kind += ", delimiter " + strconv.Quote(in.Delimiter)
	}
	return kind
}

// columnRows lists which header each role was read from, in --column's role order.
func columnRows(cols map[string]string) []keyValue {
	order := map[string]int{"id": 0, "expiry": 1, "group": 2, "record_type": 3, "purge_date": 4}
	roles := sortedKeys(cols)
	sort.SliceStable(roles, func(i, j int) bool {
		oi, iok := order[roles[i]]
		oj, jok := order[roles[j]]
		if !iok {
			oi = len(order)
		}
		if !jok {
			oj = len(order)
		}
		return oi < oj
	})
	rows := make([]keyValue, 0, len(roles))
	for _, r := range roles {
		rows = append(rows, keyValue{r, cols[r]})
	}
	return rows
}
