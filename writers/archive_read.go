package writers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// ErrArchiveDamaged marks an archive that cannot be decoded: the decoder failed or
// panicked on it (arrow and parquet trust their input; a panic is caught here).
var ErrArchiveDamaged = errors.New("archive.parquet is damaged")

// ReadArchive reads an archive back into Records (Extra filled, a null extra as ""),
// with the extra column names. It is for tests and the Alma step, and refuses a file
// whose fixed columns are not exactly those written by NewArchiveWriter. Read a run's
// archive with ArchiveRecords, which holds one batch at a time.
func ReadArchive(path string) ([]Record, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var out []Record
	extras, recs := ArchiveRecords(f, -1)
	for r, err := range recs {
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
		out = append(out, *r)
	}
	return out, *extras, nil
}

// ArchiveRecords streams an archive's records in order, one batch in memory at a time.
// The file may claim at most maxRows rows (< 0: no limit): nothing is sized by what it
// claims beyond that. Any failure or panic of the decoder ends the sequence with an
// error wrapping ErrArchiveDamaged. The extra column names are set once the schema is
// read. The Record yielded is reused.
func ArchiveRecords(r parquet.ReaderAtSeeker, maxRows int64) (*[]string, iter.Seq2[*Record, error]) {
	extras := new([]string)
	return extras, func(yield func(*Record, error) bool) {
		var pf *file.Reader
		var rr pqarrow.RecordReader
		defer func() {
			if rr != nil {
				guard(func() error { rr.Release(); return nil })
			}
			if pf != nil {
				guard(pf.Close)
			}
		}()
		err := guard(func() (err error) {
			pf, err = file.NewParquetReader(r)
			if err != nil {
				return err
			}
			if n := pf.NumRows(); n < 0 || (maxRows >= 0 && n > maxRows) {
				return fmt.Errorf("it claims %d rows, the manifest %d", n, maxRows)
			}
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: archiveBatchRows}, memory.NewGoAllocator())
			if err != nil {
				return err
			}
			schema, err := fr.Schema()
			if err != nil {
				return err
			}
			if *extras, err = checkArchiveSchema(schema, pf.MetaData().KeyValueMetadata().FindValue("purgeset.schema")); err != nil {
				return err
			}
			rr, err = fr.GetRecordReader(context.Background(), nil, nil)
			return err
		})
		if err != nil {
			yield(nil, damaged(err))
			return
		}
		seen := map[string]string{}
		var batch []Record
		for {
			var more bool
			err := guard(func() (err error) {
				if more = rr.Next(); more {
					batch, err = appendRecords(batch[:0], rr.Record(), len(*extras), seen)
				} else if err = rr.Err(); errors.Is(err, io.EOF) {
					err = nil
				}
				return err
			})
			if err != nil {
				yield(nil, damaged(err))
				return
			}
			if !more {
				return
			}
			if len(seen) > 1<<16 {
				clear(seen) // the shared strings of a damaged or odd file must not pile up
			}
			for i := range batch {
				if !yield(&batch[i], nil) {
					return
				}
			}
		}
	}
}

// guard runs fn, turning a panic into an error.
func guard(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the decoder failed: %v", p)
		}
	}()
	return fn()
}

func damaged(err error) error { return fmt.Errorf("%w: %w", ErrArchiveDamaged, err) }

// checkArchiveSchema returns the extra column names, or why the file is not an archive.
func checkArchiveSchema(s *arrow.Schema, name *string) ([]string, error) {
	if name == nil || *name != ArchiveSchema {
		return nil, fmt.Errorf("not a purgeset archive: no purgeset.schema %q in its metadata", ArchiveSchema)
	}
	if s.NumFields() < numFixedColumns {
		return nil, fmt.Errorf("not a purgeset archive: %d columns, want at least %d", s.NumFields(), numFixedColumns)
	}
	var extras []string
	for i, f := range s.Fields() {
		want := arrow.Field{Name: f.Name, Type: str, Nullable: true}
		if i < numFixedColumns {
			want = archiveFields[i]
		}
		if f.Name != want.Name || !arrow.TypeEqual(f.Type, want.Type) || f.Nullable != want.Nullable {
			return nil, fmt.Errorf("not a purgeset archive: column %d is %s, want %s", i+1, f, want)
		}
		if i >= numFixedColumns {
			extras = append(extras, f.Name)
		}
	}
	return extras, nil
}

// appendRecords converts one batch. Value returns strings that point into arrow's
// buffers: each is copied, once per distinct value except in id and the extras.
func appendRecords(out []Record, rec arrow.Record, numExtras int, seen map[string]string) ([]Record, error) {
	text := func(c, i int) string { return strings.Clone(rec.Column(c).(*array.String).Value(i)) }
	shared := func(c, i int) string {
		v := rec.Column(c).(*array.String).Value(i)
		s, ok := seen[v]
		if !ok {
			s = strings.Clone(v)
			seen[s] = s
		}
		return s
	}
	row := rec.Column(colRow).(*array.Int64)
	expiry, purge := rec.Column(colExpiryDate).(*array.Date32), rec.Column(colPurgeDate).(*array.Date32)
	for i := range int(rec.NumRows()) {
		r := Record{
			Source: shared(colSource, i), Row: int(row.Value(i)), ID: text(colID, i),
			UserGroup: shared(colUserGroup, i), RecordType: shared(colRecordType, i),
			Expiry: shared(colExpiryText, i), ExpiryOK: expiry.IsValid(i),
			Purge: shared(colPurgeText, i), PurgeOK: purge.IsValid(i),
			Reason: shared(colReason, i), Detail: shared(colDetail, i),
		}
		if r.ExpiryOK {
			r.ExpiryDays = int32(expiry.Value(i))
		}
		if r.PurgeOK {
			r.PurgeDays = int32(purge.Value(i))
		}
		switch d := shared(colDecision, i); d {
		case "included":
			r.Included = true
		case "excluded":
		default:
			return out, fmt.Errorf("%s row %d: decision %q, want included or excluded", r.Source, r.Row, d)
		}
		if numExtras > 0 {
			r.Extra = make([]string, numExtras)
			for j := range r.Extra {
				r.Extra[j] = text(numFixedColumns+j, i) // "" when null
			}
		}
		out = append(out, r)
	}
	return out, nil
}
