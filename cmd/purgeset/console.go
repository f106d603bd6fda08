package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/rs/zerolog"
)

// count says "1 ID", "2 IDs", "1,000 rows": a number and the noun that agrees with it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// humanDuration rounds d for people: 340ms, 1.2s, 1m5s.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// withDuration adds the time since start: "duration=1.2s" on the console; in JSON the
// documented number of milliseconds (docs/logging.md), which a scheduler can compare.
func (a *app) withDuration(ev *zerolog.Event) *zerolog.Event {
	d := time.Since(a.start)
	if a.logFormat == "json" {
		return ev.Dur("duration", d)
	}
	return ev.Str("duration", humanDuration(d))
}

// withReasons adds the excluded rows by reason: in JSON the documented object, on the
// console one plain field per reason (excluded.bad_date=4), not a JSON blob.
func (a *app) withReasons(ev *zerolog.Event, byReason map[string]int) *zerolog.Event {
	if a.logFormat == "json" {
		return ev.Interface("excluded_by_reason", byReason)
	}
	codes := make([]string, 0, len(byReason))
	for c := range byReason {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		ev = ev.Int("excluded."+c, byReason[c])
	}
	return ev
}
