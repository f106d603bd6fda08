package alma

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/purgeset/purgeset/writers"
)

// RecordName is the upload record purgeset leaves in the run directory. It is not an
// output of the run (verify does not hash it) and holds no ID.
const RecordName = "alma-upload.json"

// RecordSchema names the record's shape.
const RecordSchema = "purgeset.alma-upload/v1"

// Record says which Alma set a run was uploaded to.
type Record struct {
	Schema      string `json:"schema"`
	RunID       string `json:"run_id"`
	SetID       string `json:"set_id"`
	SetName     string `json:"set_name"`
	Description string `json:"description"`
	Members     int    `json:"members"`
	AlmaURL     string `json:"alma_url"`
	Uploaded    string `json:"uploaded"` // RFC 3339 UTC
	Tool        string `json:"tool"`
	Calls       int    `json:"calls"`
}

// ReadRecord reads DIR's upload record; fs.ErrNotExist when there is none. It reads
// at most 64 KiB: the record is a few hundred bytes.
func ReadRecord(dir string) (*Record, error) {
	path := filepath.Join(dir, RecordName)
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > 64<<10 {
		return nil, fmt.Errorf("%s is not a regular file of at most 64 KiB", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil || r.Schema != RecordSchema {
		return nil, fmt.Errorf("%s is not a purgeset upload record", path)
	}
	return &r, nil
}

// WriteRecord writes the record (mode 0600) through a temporary file renamed into
// place; it never replaces an existing record.
func WriteRecord(dir string, r *Record) (err error) {
	r.Schema = RecordSchema
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, RecordName)
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s exists already: this run was uploaded before", path)
	}
	f, err := os.CreateTemp(dir, ".purgeset-alma-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", RecordName, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", RecordName, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", RecordName, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", RecordName, err)
	}
	// Never over a record that appeared meanwhile (writers.PlaceNew).
	if err = writers.PlaceNew(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", RecordName, err)
	}
	return nil
}
