package pipeline

import "fmt"

// SafetyError is a safety stop (exit 4): more rows would be included than allowed.
type SafetyError struct {
	Included int
	DataRows int
	Limit    string // the limit as the user gave it
	Flag     string
}

func (e *SafetyError) Error() string {
	pct := 0.0
	if e.DataRows > 0 {
		pct = 100 * float64(e.Included) / float64(e.DataRows)
	}
	return fmt.Sprintf("safety stop: %d of %d data rows (%.2f %%) would be included, more than %s %s; nothing was written. Check the cutoff and groups; if this many is right, raise %s",
		e.Included, e.DataRows, pct, e.Flag, e.Limit, e.Flag)
}

// checkLimits applies --max-included and --max-included-percent: the Alma job has no
// such guard and cannot be stopped, so this is the last chance.
func checkLimits(cfg Config, s *Summary) error {
	inc, rows := s.Counts.Included, s.Counts.DataRows
	if cfg.MaxIncluded >= 0 && inc > cfg.MaxIncluded {
		return &SafetyError{Included: inc, DataRows: rows, Limit: fmt.Sprint(cfg.MaxIncluded), Flag: "--max-included"}
	}
	// Compared in whole numbers where possible: 100*inc > P*rows, so 50 % of 10 rows
	// allows exactly 5.
	if cfg.MaxIncludedPct >= 0 && float64(inc)*100 > cfg.MaxIncludedPct*float64(rows) {
		return &SafetyError{Included: inc, DataRows: rows, Limit: fmt.Sprintf("%g %%", cfg.MaxIncludedPct), Flag: "--max-included-percent"}
	}
	return nil
}
