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
	protect, err := loadProtect(cfg.Protect)
	if err != nil {
		return nil, err
	}
	rules := newRules(cfg, protect)
	first, err := readAll(ctx, cfg, rules)
	if err != nil {
		return nil, err
	}
	defer first.spill.Close()
	sum, err := first.count()
	if err != nil {
		return nil, err
	}
	if err := sum.Check(); err != nil {
		return sum, err
	}
	if err := checkLimits(cfg, sum); err != nil {
		return sum, err
	}
	if cfg.DryRun || ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, first.write(ctx, cfg, sum)
}

// decide is a row's final reason: the ID rules, then the rules that need the whole
// run, then the row's own rules.
func (p *firstPass) decide(rec *spilled) (Reason, string) {
	if rec.f.idReason != Expired {
		return rec.local, rec.detail
	}
	if r, d, ok := p.index.classify(rec.f.id, rec.ref); ok {
		return r, d
	}
	return rec.local, rec.detail
}

// count is the second pass: every row's decision, counted, nothing written.
func (p *firstPass) count() (*Summary, error) {
	sum := newSummary(p.inputs)
	digits := newDigitLengths()
	err := p.spill.rows(func(rec *spilled) error {
		reason, _ := p.decide(rec)
		sum.add(rec.ref.src, reason)
		if reason.Included() {
			digits.add(rec.f.id)
			if rec.f.purgeText == "" {
				sum.noPurge++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum.finish(p.badPurge, digits)
	return sum, nil
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
	if !out.NoReview {
		review, err := writers.NewReviewWriter(stage, p.manifest(cfg, sum))
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
	var rec writers.Record
	n := 0
	err = p.spill.rows(func(s *spilled) error {
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		reason, detail := p.decide(s)
		p.record(&rec, s, reason, detail)
		if rec.Included {
			if err := set.Add(rec.ID); err != nil {
				return err
			}
		}
		for _, sink := range sinks {
			if err := sink.Write(&rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := set.Close(); err != nil {
		return err
	}
	for _, sink := range sinks {
		if err := sink.Close(); err != nil {
			return err
		}
	}
	if set.Total() != sum.Counts.Included {
		return fmt.Errorf("internal check failed: %d IDs written to set files, %d rows included", set.Total(), sum.Counts.Included)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writers.WriteManifest(stage, p.manifest(cfg, sum)); err != nil {
		return err
	}
	if err := stage.Commit(); err != nil {
		return err
	}
	sum.Outputs = stage.Outputs()
	return nil
}

func (p *firstPass) record(rec *writers.Record, s *spilled, reason Reason, detail string) {
	*rec = writers.Record{
		Source: p.inputs[s.ref.src].Path, Row: int(s.ref.row), ID: s.f.id,
		UserGroup: s.f.group, RecordType: s.f.recordType,
		Expiry: s.f.expiryText, ExpiryDays: int32(s.f.expiry), ExpiryOK: s.f.expiryOK,
		Purge: s.f.purgeText, PurgeDays: int32(s.f.purge), PurgeOK: s.f.purgeOK,
		Included: reason.Included(), Reason: reason.String(), Detail: detail, Extra: s.f.extra,
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
