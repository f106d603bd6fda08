package writers

import (
	"encoding/json"
	"fmt"
	"os"
)

// ManifestSchema names the manifest's shape; keys may be added, never renamed.
const ManifestSchema = "purgeset.manifest/v1"

// Manifest accounts for a run (SPEC §5).
type Manifest struct {
	Schema     string      `json:"schema"`
	Tool       Tool        `json:"tool"`
	Created    string      `json:"created"`
	Parameters *Parameters `json:"parameters"`
	Inputs     []Input     `json:"inputs"`
	Counts     Counts      `json:"counts"`
	Outputs    []Output    `json:"outputs"`
	RunID      string      `json:"run_id"`
	Warnings   []Warning   `json:"warnings"`
	Checklist  []string    `json:"checklist"`
}

// Parameters are the run's options as the user set them (flags over config file). run
// records them and verify reads them back through this one type, so that a renamed key
// breaks both or neither. Keys may be added, never renamed.
type Parameters struct {
	Cutoff             string            `json:"cutoff"`
	Groups             []string          `json:"groups"`
	AllGroups          bool              `json:"all_groups"`
	RecordTypes        []string          `json:"record_types"`
	Protect            []string          `json:"protect"`
	DateOrder          string            `json:"date_order"`
	AcceptNumericIDs   bool              `json:"accept_numeric_ids"`
	IDPattern          string            `json:"id_pattern"`
	MaxIncluded        int               `json:"max_included"`
	MaxIncludedPercent float64           `json:"max_included_percent"`
	Split              int               `json:"split"`
	SetFormat          string            `json:"set_format"`
	SetHeader          string            `json:"set_header"`
	Sheet              string            `json:"sheet"`
	Columns            map[string]string `json:"columns"`
	ArchiveColumns     []string          `json:"archive_columns"`
	NoReview           bool              `json:"no_review"`
	NoArchive          bool              `json:"no_archive"`
	Out                string            `json:"out"`
	Force              bool              `json:"force"`
	DryRun             bool              `json:"dry_run"`
	AllowUnmatched     bool              `json:"allow_unmatched"`
	AllowFutureCutoff  bool              `json:"allow_future_cutoff"`
	Operator           string            `json:"operator"`
	Inputs             []string          `json:"inputs"`
	Config             string            `json:"config,omitempty"`
	ConfigSHA256       string            `json:"config_sha256,omitempty"`
	// ConfigOverridden names the options whose config file value a flag replaced.
	ConfigOverridden []string `json:"config_overridden,omitempty"`
}

type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
}

// Input describes one input file.
type Input struct {
	Path         string            `json:"path"`
	Size         int64             `json:"size"`
	SHA256       string            `json:"sha256"`
	Format       string            `json:"format"`
	Encoding     string            `json:"encoding"`
	Delimiter    string            `json:"delimiter"`
	Sheet        string            `json:"sheet"`
	HeaderRow    int               `json:"header_row"`
	Columns      map[string]string `json:"columns"`
	PreambleRows int               `json:"preamble_rows"`
	BlankRows    int               `json:"blank_rows"`
	DataRows     int               `json:"data_rows"`
	Included     int               `json:"included"`
	Excluded     int               `json:"excluded"`
}

type Counts struct {
	DataRows         int            `json:"data_rows"`
	BlankRows        int            `json:"blank_rows"`
	Included         int            `json:"included"`
	Excluded         int            `json:"excluded"`
	ExcludedByReason map[string]int `json:"excluded_by_reason"`
}

type Warning struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Count   int          `json:"count"`
	Rows    []WarningRow `json:"rows"` // the first WarningRowsKept rows it concerns; empty for a warning about the run
}

// WarningRow is one input row a warning concerns, as decisions.csv names it.
type WarningRow struct {
	Source string `json:"source"`
	Row    int    `json:"row"`
}

// WarningRowsKept bounds the rows listed per warning, in the manifest and on the
// review page; the count says how many there are in all.
const WarningRowsKept = 200

// Checklist is DOMAIN.md's "Before you run the job", printed in the manifest and on
// the review page.
var Checklist = []string{
	"Check the Delete User Policy (Configuration > User Management > General): it decides what survives the purge, and it cannot be undone.",
	"Upload each set file as an itemized user set, and compare the set-creation job's member count with this manifest's.",
	"Run Update/Notify Users on the set: move the users to a dedicated user group and give them a purge date in the past.",
	"Just before the job, export that group again and run `purgeset preflight`: it must exit 0 (nobody outside the set would be purged).",
	"Run Purge User Records for that record type and group only; set Waive Threshold to 1 or higher; check Number of Days After Purge Date.",
	"The job ignores expiry dates and active requests, and cannot be stopped once started.",
	"Afterwards, export the users again and run `purgeset reconcile` to see whom Alma skipped.",
}

// WriteManifest writes manifest.json into the stage as indented JSON; it must be the
// last file created, since it lists every other output.
func WriteManifest(stage *Stage, m *Manifest) error {
	m.Outputs = stage.Outputs()
	for i := range m.Warnings {
		if m.Warnings[i].Rows == nil {
			m.Warnings[i].Rows = []WarningRow{} // "rows": [] rather than null, for readers of the file
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	f, err := stage.Create(ManifestName)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.f.Close()
		return err
	}
	return f.Close()
}

// ReadManifest reads DIR/manifest.json.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}
