package pipeline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/purgeset/purgeset/readers"
)

// Stage benchmarks for make bench (issue 7), on synthetic rows made in memory. They run
// only with -bench; at -benchtime 1x each finishes in well under a second.
//
//	go test ./pipeline -run XXX -bench . -benchmem

// benchDates is a mix of expiry values as exports hold them: mostly ISO dates, some
// with a time, slash dates (read under a date order), blanks are handled before
// parseTextDate, and a few that are no date at all.
var benchDates = []string{
	"2021-05-31", "2019-12-01", "2024-06-30", "2030-01-15", "2016-02-29", "2022-11-11",
	"2023-08-01 00:00:00", "2020-03-04T12:30:00Z", "2021/05/31", "31/05/2021", "5/3/2021",
	"2021-02-30", "21-05-31", "May 31, 2021", "2023-07-01", "2018-10-10",
}

// BenchmarkParseTextDate reads one date per op: "parse" is parseTextDate alone,
// "dateCell" the whole path a text expiry cell takes in a run (trim, parse, the run's
// cache of formatted dates), and "dateCell-nocache" that path formatting every date.
func BenchmarkParseTextDate(b *testing.B) {
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		i, ok := 0, 0
		for b.Loop() {
			if _, p := parseTextDate(benchDates[i%len(benchDates)], OrderDMY); p == dateOK {
				ok++
			}
			i++
		}
		if ok == 0 {
			b.Fatal("no date parsed")
		}
	})
	cells := make([]readers.Cell, len(benchDates))
	for j, d := range benchDates {
		cells[j] = readers.Cell{Text: " " + d + " ", Kind: readers.KindText}
	}
	for _, c := range []struct {
		name  string
		cache *dateCache
	}{{"dateCell", new(dateCache)}, {"dateCell-nocache", nil}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dateCell(cells[i%len(cells)], false, OrderDMY, c.cache)
				i++
			}
		})
	}
}

// benchIDs makes n IDs the way an export has them: about 60% student numbers and 40%
// usernames, and about 4% of rows repeating an earlier ID (40% exact copies, 20% in
// other letter case, 20% exact with other decision fields, i.e. a conflict, 20% exact
// after trimming). fps are the rows' decision-field fingerprints.
func benchIDs(n int) (ids []string, fps []uint64) {
	rng := rand.New(rand.NewPCG(1, 7))
	ids, fps = make([]string, 0, n), make([]uint64, 0, n)
	for i := range n {
		if i > 1000 && rng.IntN(100) < 4 {
			j := i - 1 - rng.IntN(1000)
			id, fp := ids[j], fps[j]
			switch k := rng.IntN(10); {
			case k < 2:
				id = strings.ToUpper(id[:1]) + id[1:]
			case k < 4:
				fp = rng.Uint64()
			}
			ids, fps = append(ids, id), append(fps, fp)
			continue
		}
		if rng.IntN(10) < 6 {
			ids = append(ids, fmt.Sprintf("s%07d", 1_000_000+i))
		} else {
			ids = append(ids, fmt.Sprintf("%s%d", []string{"jdoe", "msmith", "akhan", "lnguyen", "pgarcia"}[i%5], i))
		}
		fps = append(fps, rng.Uint64())
	}
	return ids, fps
}

// BenchmarkIndexAdd indexes a million IDs (one op is the whole million, sized as Run
// sizes it for a 64 MB input) and reports the cost per row, in wall and in CPU time.
func BenchmarkIndexAdd(b *testing.B) {
	const n = 1_000_000
	ids, fps := benchIDs(n)
	b.ReportAllocs()
	var groups, entries int
	var cpu time.Duration
	for b.Loop() {
		c0 := processCPU()
		x, err := newIndex([]string{"bench.csv"}, n)
		if err != nil {
			b.Fatal(err)
		}
		var k idKey
		for i, id := range ids {
			x.key(&k, id)
			k.fp = fps[i]
			if _, err := x.add(id, &k, rowRef{src: 0, row: int32(i + 2)}, Reason(i%int(numReasons)), i%50 == 0); err != nil {
				b.Fatal(err)
			}
		}
		groups, entries = x.groups, len(x.entries.items)
		x.free()
		cpu += processCPU() - c0
	}
	if entries <= groups || groups >= n {
		b.Fatalf("%d groups, %d entries: the IDs should repeat and collide", groups, entries)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/row")
	}
}

// BenchmarkDecide applies the row-local rules (rules.local) to one row per op, over a
// repeating mix of groups, record types and dates that reaches every local reason.
func BenchmarkDecide(b *testing.B) {
	cutoff, _ := ParseISODate("2024-07-01")
	r := newRules(Config{Cutoff: cutoff, Groups: []string{"Undergraduate", "Graduates 2021", "Alumni", "Community Borrower"},
		RecordTypes: []string{"Public"}}, map[string]string{"s0000042": "fines.csv"})
	groups := []string{"Undergraduate", "Graduates 2021", "Alumni", "Community Borrower", "Staff", "Faculty", ""}
	rtypes := []string{"Public", "Public", "Public", "Staff", ""}
	rows := make([]fields, 1024)
	for i := range rows {
		f := &rows[i]
		f.id = fmt.Sprintf("s%07d", i)
		f.group, f.recordType, f.hasRType = groups[i%len(groups)], rtypes[i%len(rtypes)], true
		f.expiryText, f.expiry, f.expiryBad = dateCell(readers.Cell{Text: benchDates[i%len(benchDates)]}, false, OrderDMY, nil)
		if i%97 == 0 {
			f.expiryText = ""
		}
		f.expiryOK = f.expiryText != "" && f.expiryBad == dateOK
	}
	var seen [numReasons]int
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		reason, _ := r.local(&rows[i%len(rows)])
		seen[reason]++
		i++
	}
	if b.N >= len(rows) {
		for _, want := range []Reason{Protected, RecordType, GroupNotSelected, MissingExpiry, BadDate, NotExpired, Expired} {
			if seen[want] == 0 {
				b.Fatalf("no row decided %s", want)
			}
		}
	}
}
