package writers

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"
)

// ReviewName is the page the librarian who signs off a purge reads.
const ReviewName = "review.html"

// reviewRowsPerReason bounds memory and page size for any input size: the page lists
// this many excluded rows per reason, decisions.csv has them all.
const reviewRowsPerReason = 200

// reviewMaxText clips a listed value or group name: a junk cell can hold 32,767
// characters, and the page's size must not depend on it.
const reviewMaxText = 200

// reviewMaxGroups bounds the group table when the group column holds junk (say, IDs
// in the wrong column); groups seen after the table is full are counted together.
const reviewMaxGroups = 500

//go:embed review.html.tmpl
var reviewTemplateText string

var reviewTemplate = template.Must(template.New(ReviewName).Funcs(template.FuncMap{
	"num":    formatCount[int],
	"num64":  formatCount[int64],
	"plural": plural,
	"spans":  codeSpans,
	"long":   long,
	"words":  nbWords,
	"path":   pathParts,
}).Parse(reviewTemplateText))

// ReasonText is one reason code and what it means to a librarian. The list, in rule
// order with the included code last, is pipeline's (pipeline.ReasonTexts); writers
// cannot import pipeline, which imports writers, so the caller hands it over.
type ReasonText struct {
	Code, Meaning string
	Included      bool
}

// reasonMeaning is the legend entry for a code, from the list the page was given.
func (w *ReviewWriter) reasonMeaning(code string) (string, bool) {
	for _, r := range w.reasonList {
		if r.Code == code {
			return r.Meaning, true
		}
	}
	return "", false
}

// ReviewWriter keeps aggregates and a few rows per reason, never the whole input.
// It is a RowSink; the page itself is written by Finish, once the set files exist,
// because it shows their counts and hashes and the run ID made from them.
type ReviewWriter struct {
	stage      *Stage
	reasonList []ReasonText
	m          *Manifest
	params     []keyValue
	reasons    map[string]*reasonRows
	groups     map[string]*tally
	other      tally // groups beyond reviewMaxGroups
	years      map[int]*tally
	noDate     tally
	included   int
	excluded   int
	closed     bool
	finished   bool
}

type reasonRows struct {
	count int
	rows  []reviewRow
}

// reviewRow is one listed excluded row; strings are copies (clip), so the page never
// holds a caller's reused buffer.
type reviewRow struct {
	Source, ID, UserGroup, Expiry, Detail string
	Row                                   int
}

type tally struct{ included, excluded int }

func (t *tally) add(included bool) {
	if included {
		t.included++
	} else {
		t.excluded++
	}
}

type keyValue struct{ Key, Value string }

// NewReviewWriter returns the sink that receives every decided row in input order;
// reasons is pipeline.ReasonTexts(). m holds the parameters, inputs, counts and
// warnings as the run decided them; Finish gets the final manifest (outputs, run ID,
// warning rows) and writes review.html.
func NewReviewWriter(stage *Stage, m *Manifest, reasons []ReasonText) (*ReviewWriter, error) {
	if stage == nil || m == nil || len(reasons) == 0 {
		return nil, errors.New("review page: no stage, manifest or reason list")
	}
	params, err := parameterRows(m.Parameters)
	if err != nil {
		return nil, err
	}
	return &ReviewWriter{
		stage: stage, reasonList: reasons, m: m, params: params,
		reasons: map[string]*reasonRows{}, groups: map[string]*tally{}, years: map[int]*tally{},
	}, nil
}

func (w *ReviewWriter) Write(r *Record) error {
	if w.closed {
		return errors.New("review page: row written after close")
	}
	if r.Included {
		w.included++
	} else {
		w.excluded++
		rr := w.reasons[r.Reason]
		if rr == nil {
			rr = &reasonRows{}
			w.reasons[strings.Clone(r.Reason)] = rr
		}
		rr.count++
		if len(rr.rows) < reviewRowsPerReason {
			rr.rows = append(rr.rows, reviewRow{
				Source: clip(r.Source), Row: r.Row, ID: clip(r.ID),
				UserGroup: clip(r.UserGroup), Expiry: clip(r.Expiry), Detail: clip(r.Detail),
			})
		}
	}
	group := r.UserGroup
	if len(group) > reviewMaxText {
		group = clip(group) // two groups alike in their first 200 characters share a row
	}
	g := w.groups[group]
	switch {
	case g != nil:
	case len(w.groups) < reviewMaxGroups:
		g = &tally{}
		w.groups[strings.Clone(group)] = g
	default:
		g = &w.other
	}
	g.add(r.Included)
	if !r.ExpiryOK {
		w.noDate.add(r.Included)
		return nil
	}
	year := time.Unix(int64(r.ExpiryDays)*86400, 0).UTC().Year()
	y := w.years[year]
	if y == nil {
		y = &tally{}
		w.years[year] = y
	}
	y.add(r.Included)
	return nil
}

// Close checks that the rows seen agree with the manifest's counts (the headline comes
// from the manifest, the tables from the rows: a reviewer must never see two stories).
func (w *ReviewWriter) Close() error {
	if w.closed {
		return errors.New("review page: closed twice")
	}
	w.closed = true
	return w.check()
}

// Finish renders the page from the final manifest m: the same counts as at the start,
// plus the outputs written so far (the set files), the run ID and the warnings' rows.
// m.Created is shown, so two runs of the same inputs differ in that line unless
// SOURCE_DATE_EPOCH fixes it (README, "Choices").
func (w *ReviewWriter) Finish(m *Manifest) error {
	if !w.closed || w.finished {
		return errors.New("review page: Finish needs exactly one Close before it")
	}
	w.finished = true
	if m == nil {
		return errors.New("review page: no manifest")
	}
	w.m = m
	if err := w.check(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reviewTemplate.Execute(&buf, w.page()); err != nil {
		return fmt.Errorf("render %s: %w", ReviewName, err)
	}
	f, err := w.stage.Create(ReviewName)
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(f, 256<<10)
	if _, err := buf.WriteTo(b); err != nil {
		f.f.Close()
		return err
	}
	if err := b.Flush(); err != nil {
		f.f.Close()
		return err
	}
	return f.Close()
}

func (w *ReviewWriter) check() error {
	c := w.m.Counts
	if w.included != c.Included || w.excluded != c.Excluded {
		return fmt.Errorf("review page: internal check failed: %d included and %d excluded rows received, manifest says %d and %d",
			w.included, w.excluded, c.Included, c.Excluded)
	}
	for _, code := range sortedKeys(w.reasons) {
		if rr := w.reasons[code]; c.ExcludedByReason[code] != rr.count {
			return fmt.Errorf("review page: internal check failed: %d %s rows received, manifest says %d", rr.count, code, c.ExcludedByReason[code])
		}
	}
	for _, code := range sortedKeys(c.ExcludedByReason) {
		if n := c.ExcludedByReason[code]; n != 0 && w.reasons[code] == nil {
			return fmt.Errorf("review page: internal check failed: no %s rows received, manifest says %d", code, n)
		}
	}
	return nil
}

// parameterRows shows the run options generically, whatever struct the CLI records:
// through JSON, sorted by key, empty values left out.
func parameterRows(p any) ([]keyValue, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("review page: encode parameters: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // 100000 stays 100000, not 1e+05
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("review page: decode parameters: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		obj = map[string]any{"parameters": v}
	}
	var rows []keyValue
	for _, k := range sortedKeys(obj) {
		s := parameterText(obj[k])
		if strings.HasPrefix(k, "max_") && s == "-1" {
			s = "off (no safety limit)" // the CLI records a disabled limit as -1
		}
		if s != "" {
			rows = append(rows, keyValue{k, s})
		}
	}
	return rows, nil
}

func parameterText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case []any:
		var parts []string
		for _, e := range v {
			if s := parameterText(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(v) {
			if s := parameterText(v[k]); s != "" {
				parts = append(parts, k+" = "+s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
