package main

import (
	"github.com/schollz/progressbar/v3"
)

// progress draws a bar on stderr while inputs are read, for people at a terminal
// only: never in batch jobs (no terminal), with --quiet or with JSON logs, where it
// would garble what a scheduler parses.
type progress struct {
	bar   *progressbar.ProgressBar
	input string
}

// newProgress returns the callback for pipeline.Config.Progress (nil when no bar is
// wanted) and a function that removes the bar before the summary is printed.
func (a *app) newProgress() (func(input string, rows, done, total int64), func()) {
	if !a.terminal() || a.quiet || a.logFormat != "console" {
		return nil, func() {}
	}
	p := &progress{}
	finish := func() {
		if p.bar != nil {
			p.bar.Finish()
		}
	}
	return func(input string, rows, done, total int64) {
		if p.bar == nil || p.input != input {
			if p.bar != nil {
				p.bar.Finish()
			}
			p.input = input
			max := total
			if max <= 0 {
				max = -1 // a spinner counting rows
			}
			p.bar = progressbar.NewOptions64(max,
				progressbar.OptionSetWriter(a.stderr),
				progressbar.OptionSetDescription("reading "+input),
				progressbar.OptionShowBytes(total > 0),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionClearOnFinish(),
			)
		}
		if total > 0 {
			p.bar.Set64(done)
		} else {
			p.bar.Set64(rows)
		}
	}, finish
}
