package writers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// ArchiveName is the per-row archive that outlives Alma's purge (SPEC §5): after the
// job moves users to a purge group and deletes them, Analytics shows only the current
// group, so this file keeps each user's original group, record type and dates.
const ArchiveName = "archive.parquet"

// ArchiveSchema is stored in the file's key-value metadata under "purgeset.schema" so
// that verify can tell an archive from any other Parquet file. A change of columns or
// types gets a new name.
const ArchiveSchema = "purgeset.archive/v1"

// archiveBatchRows rows are built in memory, then written as one row group: memory
// stays flat at a few MB whatever the number of rows.
const archiveBatchRows = 64 * 1024

// The fixed columns, in file order; extras follow.
const (
	colSource = iota
	colRow
	colID
	colUserGroup
	colRecordType
	colExpiryDate
	colExpiryText
	colPurgeDate
	colPurgeText
	colDecision
	colReason
	colDetail
	numFixedColumns
)

var (
	str    = arrow.BinaryTypes.String
	date32 = arrow.FixedWidthTypes.Date32
)

// archiveFields are non-nullable except the dates (null when the text did not parse:
// expiry_text and purge_text then keep what the cell said) and the extras.
var archiveFields = [numFixedColumns]arrow.Field{
	{Name: "source", Type: str},
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "id", Type: str},
	{Name: "user_group", Type: str},
	{Name: "record_type", Type: str},
	{Name: "expiry_date", Type: date32, Nullable: true},
	{Name: "expiry_text", Type: str},
	{Name: "purge_date", Type: date32, Nullable: true},
	{Name: "purge_text", Type: str},
	{Name: "decision", Type: str},
	{Name: "reason", Type: str},
	{Name: "detail", Type: str},
}

// CheckArchiveColumns refuses --archive-column headers that would make an ambiguous
// column: empty, repeated, or equal to a fixed column. The comparison ignores case
// because SQL engines such as DuckDB do. Call it before reading, so that a bad option
// fails at once rather than after every row was decided.
func CheckArchiveColumns(names []string) error {
	seen := map[string]bool{}
	for _, f := range archiveFields {
		seen[f.Name] = true
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			return errors.New("--archive-column: an empty header cannot name an archive column")
		}
		k := strings.ToLower(n)
		if seen[k] {
			return fmt.Errorf("--archive-column %q: archive.parquet already has a column of that name (names are compared ignoring case)", n)
		}
		seen[k] = true
	}
	return nil
}

func archiveSchema(extraColumns []string) *arrow.Schema {
	fields := append([]arrow.Field(nil), archiveFields[:]...)
	for _, name := range extraColumns {
		fields = append(fields, arrow.Field{Name: name, Type: str, Nullable: true})
	}
	md := arrow.NewMetadata([]string{"purgeset.schema"}, []string{ArchiveSchema})
	return arrow.NewSchema(fields, &md)
}

// archiveProperties: zstd at its default level (measured against snappy on a million
// rows: about a third smaller at a similar time; see archive_test.go). Dictionary
// encoding stays on (the library default) for the low-cardinality columns, and is off
// where every value differs, since a dictionary of unique values only adds indices.
// The root is written REQUIRED as parquet-java, arrow C++ and arrow-rs do: Impala and
// Snowflake misread the library's default REPEATED root. created_by is left at the
// library's "parquet-go version 17.0.0": it is constant for a build, and parquet-java
// ignores the string statistics of files whose created_by it cannot parse.
func archiveProperties(mem memory.Allocator) *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithRootRepetition(parquet.Repetitions.Required),
		parquet.WithMaxRowGroupLength(archiveBatchRows),
		parquet.WithDictionaryFor("row", false),
		parquet.WithDictionaryFor("id", false),
	)
}

// archiveWriter appends each Record to arrow builders and writes a row group every
// archiveBatchRows rows.
type archiveWriter struct {
	f      *File
	sink   *archiveSink
	pw     *pqarrow.FileWriter
	b      *array.RecordBuilder
	strs   [numFixedColumns]*array.StringBuilder // nil for row and the dates
	row    *array.Int64Builder
	expiry *array.Date32Builder
	purge  *array.Date32Builder
	extras []*array.StringBuilder
	batch  int // rows in the builders
	rows   int
	err    error // the first failure; every later call returns it
}

// archiveSink forwards writes to the stage File through a buffer. It has no Close on
// purpose: pqarrow closes its sink when that is an io.Closer, and File.Close (sync,
// hash, manifest entry) must run exactly once, after the footer. It also keeps the
// first write error, because the parquet writer's Close in v17 drops an error from
// writing the footer.
type archiveSink struct {
	w   *bufio.Writer
	err error
}

func (s *archiveSink) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

// NewArchiveWriter returns a RowSink writing archive.parquet into the stage: one record
// per data row, then one nullable string column per extra column name (the
// --archive-column headers, in order), filled from Record.Extra. An empty extra value
// is written as null: the input cannot tell an empty cell from a missing one, and null
// is what COUNT and IS NULL expect for "no value". ReadArchive gives it back as "".
func NewArchiveWriter(stage *Stage, extraColumns []string) (RowSink, error) {
	if err := CheckArchiveColumns(extraColumns); err != nil {
		return nil, err
	}
	f, err := stage.Create(ArchiveName)
	if err != nil {
		return nil, err
	}
	mem := memory.NewGoAllocator()
	schema := archiveSchema(extraColumns)
	sink := &archiveSink{w: bufio.NewWriterSize(f, 1<<20)}
	pw, err := pqarrow.NewFileWriter(schema, sink, archiveProperties(mem), pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		f.f.Close()
		return nil, fmt.Errorf("write %s: %w", ArchiveName, err)
	}
	w := &archiveWriter{f: f, sink: sink, pw: pw, b: array.NewRecordBuilder(mem, schema)}
	for i := range numFixedColumns {
		if sb, ok := w.b.Field(i).(*array.StringBuilder); ok {
			w.strs[i] = sb
		}
	}
	w.row = w.b.Field(colRow).(*array.Int64Builder)
	w.expiry = w.b.Field(colExpiryDate).(*array.Date32Builder)
	w.purge = w.b.Field(colPurgeDate).(*array.Date32Builder)
	for i := range extraColumns {
		w.extras = append(w.extras, w.b.Field(numFixedColumns+i).(*array.StringBuilder))
	}
	return w, nil
}

// Write copies the record into the builders; the caller may reuse r.
func (w *archiveWriter) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if len(r.Extra) != len(w.extras) {
		return w.fail(fmt.Errorf("write %s: %s row %d has %d extra values for %d --archive-column headers", ArchiveName, r.Source, r.Row, len(r.Extra), len(w.extras)))
	}
	w.strs[colSource].Append(r.Source)
	w.row.Append(int64(r.Row))
	w.strs[colID].Append(r.ID)
	w.strs[colUserGroup].Append(r.UserGroup)
	w.strs[colRecordType].Append(r.RecordType)
	appendDate(w.expiry, r.ExpiryDays, r.ExpiryOK)
	w.strs[colExpiryText].Append(r.Expiry)
	appendDate(w.purge, r.PurgeDays, r.PurgeOK)
	w.strs[colPurgeText].Append(r.Purge)
	w.strs[colDecision].Append(r.Decision())
	w.strs[colReason].Append(r.Reason)
	w.strs[colDetail].Append(r.Detail)
	for i, v := range r.Extra {
		if v == "" {
			w.extras[i].AppendNull()
		} else {
			w.extras[i].Append(v)
		}
	}
	w.rows++
	w.batch++
	if w.batch == archiveBatchRows {
		return w.flush()
	}
	return nil
}

func appendDate(b *array.Date32Builder, days int32, ok bool) {
	if ok {
		b.Append(arrow.Date32(days))
	} else {
		b.AppendNull()
	}
}

// flush writes the builders' rows as one row group; NewRecord resets the builders.
func (w *archiveWriter) flush() error {
	rec := w.b.NewRecord()
	defer rec.Release()
	w.batch = 0
	if err := w.pw.Write(rec); err != nil {
		return w.fail(fmt.Errorf("write %s: %w", ArchiveName, err))
	}
	if w.sink.err != nil {
		return w.fail(w.sink.err)
	}
	return nil
}

// Close writes the last rows and the footer, then closes the stage File once. A file
// with no rows still has the schema, so readers see the columns.
func (w *archiveWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.batch > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	err := w.pw.Close()
	if err == nil {
		err = w.sink.err
	}
	if err == nil {
		err = w.sink.w.Flush()
	}
	w.b.Release()
	if err != nil {
		w.err = fmt.Errorf("write %s: %w", ArchiveName, err)
		w.f.f.Close()
		return w.err
	}
	w.err = errors.New("archive writer used after Close")
	w.f.SetRows(w.rows)
	return w.f.Close()
}

// fail records the first error and releases what the writer holds; the stage's Abort
// removes the partial file.
func (w *archiveWriter) fail(err error) error {
	w.err = err
	w.pw.Close()
	w.b.Release()
	w.f.f.Close()
	return err
}

// ReadArchive reads an archive back into Records (Extra filled, a null extra as ""),
// with the extra column names. It is for tests and `purgeset verify`, and refuses a
// file whose fixed columns are not exactly those written by NewArchiveWriter.
func ReadArchive(path string) ([]Record, []string, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer pf.Close()
	mem := memory.NewGoAllocator()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: archiveBatchRows}, mem)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	extras, err := checkArchiveSchema(schema, pf.MetaData().KeyValueMetadata().FindValue("purgeset.schema"))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer rr.Release()
	out := make([]Record, 0, pf.NumRows())
	seen := map[string]string{}
	for rr.Next() {
		if out, err = appendRecords(out, rr.Record(), len(extras), seen); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, extras, nil
}

// checkArchiveSchema returns the extra column names, or why the file is not an archive.
func checkArchiveSchema(s *arrow.Schema, name *string) ([]string, error) {
	if name == nil {
		return nil, fmt.Errorf("not a purgeset archive: no purgeset.schema in its metadata")
	}
	if *name != ArchiveSchema {
		return nil, fmt.Errorf("purgeset.schema is %q; this purgeset reads %q", *name, ArchiveSchema)
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

func appendRecords(out []Record, rec arrow.Record, numExtras int, seen map[string]string) ([]Record, error) {
	// Value returns strings that point into arrow buffers; copy them, and share the
	// copies of the columns with few distinct values.
	col := func(i int) *array.String { return rec.Column(i).(*array.String) }
	value := func(a *array.String, i int) string { return strings.Clone(a.Value(i)) }
	shared := func(a *array.String, i int) string {
		v := a.Value(i)
		if s, ok := seen[v]; ok {
			return s
		}
		s := strings.Clone(v)
		seen[s] = s
		return s
	}
	source, id, group, rtype := col(colSource), col(colID), col(colUserGroup), col(colRecordType)
	expText, purgeText, decision, reason, detail := col(colExpiryText), col(colPurgeText), col(colDecision), col(colReason), col(colDetail)
	row := rec.Column(colRow).(*array.Int64)
	expiry := rec.Column(colExpiryDate).(*array.Date32)
	purge := rec.Column(colPurgeDate).(*array.Date32)
	for i := range int(rec.NumRows()) {
		r := Record{
			Source: shared(source, i), Row: int(row.Value(i)), ID: value(id, i),
			UserGroup: shared(group, i), RecordType: shared(rtype, i),
			Expiry: shared(expText, i), Purge: shared(purgeText, i),
			Reason: shared(reason, i), Detail: shared(detail, i),
		}
		if r.ExpiryOK = expiry.IsValid(i); r.ExpiryOK {
			r.ExpiryDays = int32(expiry.Value(i))
		}
		if r.PurgeOK = purge.IsValid(i); r.PurgeOK {
			r.PurgeDays = int32(purge.Value(i))
		}
		switch d := decision.Value(i); d {
		case "included":
			r.Included = true
		case "excluded":
		default:
			return out, fmt.Errorf("%s row %d: decision %q, want included or excluded", r.Source, r.Row, d)
		}
		if numExtras > 0 {
			r.Extra = make([]string, numExtras)
			for j := range r.Extra {
				r.Extra[j] = value(col(numFixedColumns+j), i) // "" when null
			}
		}
		out = append(out, r)
	}
	return out, nil
}
