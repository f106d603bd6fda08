package writers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// ReadArchive reads an archive back into Records (Extra filled, a null extra as ""),
// with the extra column names. It is for tests and `purgeset verify`, and refuses a
// file whose fixed columns are not exactly those written by NewArchiveWriter.
func ReadArchive(path string) ([]Record, []string, error) {
	recs, extras, err := readArchive(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return recs, extras, nil
}

func readArchive(path string) ([]Record, []string, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: archiveBatchRows}, memory.NewGoAllocator())
	if err != nil {
		return nil, nil, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, nil, err
	}
	extras, err := checkArchiveSchema(schema, pf.MetaData().KeyValueMetadata().FindValue("purgeset.schema"))
	if err != nil {
		return nil, nil, err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	defer rr.Release()
	out := make([]Record, 0, pf.NumRows())
	seen := map[string]string{}
	for rr.Next() {
		if out, err = appendRecords(out, rr.Record(), len(extras), seen); err != nil {
			return nil, nil, err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return out, extras, nil
}

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
