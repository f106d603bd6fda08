package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/purgeset/purgeset/writers"
)

// Output says where and how a run writes.
type Output struct {
	Dir       string
	Set       writers.SetOptions
	NoReview  bool
	NoArchive bool
	Created   time.Time
	Tool      writers.Tool
	Warnings  []writers.Warning // found by the caller, e.g. an --out inside a git work tree
}

// Run is the whole job in one place: protect lists, then the first pass (read, check
// headers, normalise, ID rules, index, spill), the second (decide, count, check the
// totals and the safety limits), and only then the third, which writes every output
// into a stage and commits it, manifest last.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	protect, err := loadProtect(cfg.Protect)
	if err != nil {
		return nil, err
	}
	rules := newRules(cfg, protect.byID)
	first, err := readAll(ctx, cfg, rules)
	if err != nil {
		return nil, err
	}
	defer first.spill.Close()
	defer first.index.free()
	selected, err := first.checkSelections(cfg)
	if err != nil {
		return nil, err
	}
	sum := first.count()
	sum.Warnings = append(append(sum.Warnings, cfg.optionWarnings()...), selected...)
	sum.Warnings = append(sum.Warnings, protect.unmatched(first.index)...)
	if err := sum.Check(); err != nil {
		return sum, err
	}
	if err := checkLimits(cfg, sum); err != nil {
		return sum, err
	}
	if cfg.DryRun || ctx.Err() != nil {
		return sum, ctx.Err()
	}
	if err := first.write(ctx, cfg, sum); err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, fmt.Errorf("writing the outputs failed, so nothing was written to %s (check free space and permissions, then run again): %w", cfg.Output.Dir, err)
	}
	return sum, nil
}

// decide is a row's final reason: the ID rules, then the rules that need the whole
// run, then the row's own rules.
func (p *firstPass) decide(rec *spilled) (Reason, string) {
	if rec.entry < 0 {
		return rec.local, rec.detail
	}
	if r, d, ok := p.index.classify(rec.entry, rec.ref); ok {
		return r, d
	}
	return rec.local, rec.detail
}

// count is the second pass, over the index rather than the rows: an ID's rows are
// all conflicting duplicates, or its first row is decided and the rest are duplicates.
// The third pass decides row by row and must arrive at the same counts.
func (p *firstPass) count() *Summary {
	sum := newSummary(p.inputs)
	for _, byReason := range p.idRule {
		for r, n := range byReason {
			sum.ByReason[r] += n
		}
	}
	digits := newDigitLengths(p.longestDigits, p.patterned)
	x := p.index
	for i := range x.entries.items {
		e := &x.entries.items[i]
		if e.conflict {
			sum.ByReason[ConflictingDuplicate] += int(e.rows)
			continue
		}
		sum.ByReason[Duplicate] += int(e.rows) - 1
		r := e.firstLocal
		if e.collision {
			r = CaseCollision
		}
		sum.ByReason[r]++
		if r.Included() {
			sum.Inputs[e.first.src].Included++
			digits.add(x.str(e.id))
			if e.noPurge {
				sum.noPurge++
			}
		}
	}
	sum.finish(p.badPurge, digits)
	return sum
}

// write is the third pass: decide again (cheap, and the same answer) and send each
// row to every output in the stage; commit only when all of it worked.
func (p *firstPass) write(ctx context.Context, cfg Config, sum *Summary) (err error) {
	out := cfg.Output
	stage, err := writers.NewStage(out.Dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			stage.Abort()
		}
	}()
	decisions, err := writers.NewDecisionsWriter(stage)
	if err != nil {
		return err
	}
	sinks := []writers.RowSink{decisions}
	var review *writers.ReviewWriter
	if !out.NoReview {
		review, err = writers.NewReviewWriter(stage, p.manifest(cfg, sum), ReasonTexts())
		if err != nil {
			return err
		}
		sinks = append(sinks, review)
	}
	if !out.NoArchive {
		archive, err := writers.NewArchiveWriter(stage, cfg.ArchiveColumns)
		if err != nil {
			return err
		}
		sinks = append(sinks, archive)
	}
	set := writers.NewSetWriter(stage, out.Set)
	defer func() {
		if err != nil {
			set.Abort()
		}
	}()
	tally := newTally(len(p.inputs))
	warn := newWarnRows(sum)
	fan := newFanout(ctx, sinks)
	b, err := fan.get()
	if err != nil {
		fan.close()
		return err
	}
	n := 0
	err = p.spill.rows(func(s *spilled) error {
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		reason, detail := p.decide(s)
		tally.add(s.ref.src, reason)
		b.recs = b.recs[:len(b.recs)+1]
		rec := &b.recs[len(b.recs)-1]
		p.record(rec, s, reason, detail)
		warn.add(rec)
		if rec.Included {
			if err := set.Add(rec.ID); err != nil {
				return err
			}
		}
		if len(b.recs) == batchSize {
			if err := fan.send(b); err != nil {
				return err // a sink failed: stop deciding rows for nobody
			}
			var err error
			if b, err = fan.get(); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = fan.send(b)
	}
	if cerr := fan.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := set.Close(); err != nil {
		return err
	}
	if err := tally.matches(sum, set.Total()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The set files and decisions.csv are final: name the run, then write the page
	// that shows the name, and the manifest last.
	m := p.manifest(cfg, sum)
	if m.Warnings, err = warn.attach(m.Warnings); err != nil {
		return err
	}
	m.Outputs = stage.Outputs()
	if m.RunID, err = writers.RunID(m.Outputs); err != nil {
		return err
	}
	if review != nil {
		if err := review.Finish(m); err != nil {
			return err
		}
	}
	if err := writers.WriteManifest(stage, m); err != nil {
		return err
	}
	if err := stage.Commit(); err != nil {
		return err
	}
	sum.Outputs = stage.Outputs()
	sum.RunID = m.RunID
	return nil
}

func (p *firstPass) record(rec *writers.Record, s *spilled, reason Reason, detail string) {
	extra := rec.Extra[:0] // the spill reuses its slice; each batched record keeps its own
	*rec = writers.Record{
		Source: p.inputs[s.ref.src].Path, Row: int(s.ref.row), ID: s.f.id,
		UserGroup: s.f.group, RecordType: s.f.recordType,
		Expiry: s.f.expiryText, ExpiryDays: int32(s.f.expiry), ExpiryOK: s.f.expiryOK,
		Purge: s.f.purgeText, PurgeDays: int32(s.f.purge), PurgeOK: s.f.purgeOK,
		Included: reason.Included(), Reason: reason.String(), Detail: detail,
		Extra: append(extra, s.f.extra...),
	}
}

func (p *firstPass) manifest(cfg Config, sum *Summary) *writers.Manifest {
	return &writers.Manifest{
		Schema:     writers.ManifestSchema,
		Tool:       cfg.Output.Tool,
		Created:    cfg.Output.Created.UTC().Format(time.RFC3339),
		Parameters: cfg.Parameters,
		Inputs:     sum.Inputs,
		Counts:     sum.Counts,
		Warnings:   append(append([]writers.Warning{}, sum.Warnings...), cfg.Output.Warnings...),
		Checklist:  writers.Checklist,
	}
}
