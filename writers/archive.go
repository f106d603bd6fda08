package writers

import (
	"bufio"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"golang.org/x/sync/errgroup"
)

// ArchiveName is the per-row archive that outlives Alma's purge (SPEC §5): after the
// job moves users to a purge group and deletes them, Analytics shows only the current
// group, so this file keeps each user's original group, record type and dates.
const ArchiveName = "archive.parquet"

// ArchiveSchema is stored in the file's key-value metadata under "purgeset.schema" so
// that verify can tell an archive from any other Parquet file. A change of columns or
// types gets a new name.
const ArchiveSchema = "purgeset.archive/v1"

// archiveBatchRows rows at most are built in memory, then written as one row group:
// memory stays flat at a few MB whatever the number of rows.
const archiveBatchRows = 64 * 1024

// archiveDictLimit bounds a column chunk's dictionary. The writer ends a row group
// before any dictionary could reach it, because arrow v17 falls back to plain pages
// there and then lists the chunk's page encodings in map order: the same rows would
// give different bytes from run to run.
const archiveDictLimit = 8 << 20

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

var str, date32 = arrow.BinaryTypes.String, arrow.FixedWidthTypes.Date32

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

// archiveProperties: snappy, not zstd: zstd makes the file 30% smaller, but arrow v17
// builds a new zstd encoder for every page, so it allocates 2.5 to 7 times as much and
// is slower (BenchmarkArchiveWriter). Dictionaries are off where every value differs.
// Only plain and dictionary encodings (no delta): the archive must stay readable for
// years, in Power Query as in DuckDB. The root is REQUIRED as in parquet-java, arrow C++
// and arrow-rs (Impala and Snowflake misread v17's default REPEATED). created_by stays
// "parquet-go version 17.0.0": constant for a build, and parquet-java ignores the
// string statistics of a file whose created_by it cannot parse, such as "purgeset".
var archiveCodec = compress.Codecs.Snappy // a variable so that the benchmark can compare

func archiveProperties(mem memory.Allocator) *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(archiveCodec),
		parquet.WithRootRepetition(parquet.Repetitions.Required),
		parquet.WithMaxRowGroupLength(archiveBatchRows),
		parquet.WithDictionaryPageSizeLimit(archiveDictLimit),
		parquet.WithDictionaryFor("row", false),
		parquet.WithDictionaryFor("id", false),
	)
}

// archiveWriter keeps each batch of rows column by column in buffers it reuses, and
// writes a row group every archiveBatchRows rows, or sooner when a dictionary would
// reach archiveDictLimit, through parquet/file's typed column writers. Going through
// arrow builders and pqarrow instead copied every value twice more and cost about
// 1.3 GB of allocations per million rows (BenchmarkArchiveWriter).
type archiveWriter struct {
	f      *File
	sink   *archiveSink
	pw     *file.Writer
	text   []textColumn // by column number; unused for row and the two dates
	row    []int64
	expiry dateColumn
	purge  dateColumn
	vals   []string // the row being written, by column number ("" for the others)
	extras int
	batch  int // rows in the buffers
	rows   int
	err    error // the first failure; every later call returns it
}

// textColumn is one string column of the batch: the values' bytes end to end and
// where each value ends. A nullable column (the extras) keeps a definition level per
// row and no value for a null.
type textColumn struct {
	dict     bool // dictionary encoded: counts towards archiveDictLimit
	nullable bool
	data     []byte
	ends     []int
	defs     []int16
	vals     []parquet.ByteArray // built at flush over data
}

func (c *textColumn) add(v string) {
	if c.nullable {
		if v == "" {
			c.defs = append(c.defs, 0)
			return
		}
		c.defs = append(c.defs, 1)
	}
	c.data = append(c.data, v...)
	c.ends = append(c.ends, len(c.data))
}

func (c *textColumn) write(cw file.ColumnChunkWriter) error {
	c.vals = c.vals[:0]
	at := 0
	for _, end := range c.ends {
		c.vals = append(c.vals, c.data[at:end:end])
		at = end
	}
	_, err := cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(c.vals, c.defs, nil)
	c.data, c.ends, c.defs = c.data[:0], c.ends[:0], c.defs[:0]
	return err
}

// dateColumn is a nullable date column: a definition level per row, a value per date.
type dateColumn struct {
	days []int32
	defs []int16
}

func (c *dateColumn) add(days int32, ok bool) {
	if !ok {
		c.defs = append(c.defs, 0)
		return
	}
	c.defs = append(c.defs, 1)
	c.days = append(c.days, days)
}

func (c *dateColumn) write(cw file.ColumnChunkWriter) error {
	_, err := cw.(*file.Int32ColumnChunkWriter).WriteBatch(c.days, c.defs, nil)
	c.days, c.defs = c.days[:0], c.defs[:0]
	return err
}

// archiveSink forwards writes to the stage File through a buffer. It has no Close on
// purpose: parquet's file.Writer closes its sink when that is an io.Closer, and File.Close (sync,
// hash, manifest entry) must run exactly once, after the footer. It never reports an
// error to arrow, which in v17 panics on a failed write inside a row group and drops
// one while writing the footer; it keeps the first error for flush and Close to return
// and discards what comes after.
type archiveSink struct {
	w   *bufio.Writer
	err error
}

func (s *archiveSink) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.w.Write(p)
	}
	return len(p), nil
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
	fields := append([]arrow.Field(nil), archiveFields[:]...)
	for _, name := range extraColumns {
		fields = append(fields, arrow.Field{Name: name, Type: str, Nullable: true})
	}
	// The arrow schema only names the Parquet types (strings, dates): the file is the
	// one pqarrow would write, without the arrow schema in its metadata.
	props := archiveProperties(memory.NewGoAllocator())
	schema, err := pqarrow.ToParquet(arrow.NewSchema(fields, nil), props, pqarrow.DefaultWriterProps())
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", ArchiveName, err)
	}
	f, err := stage.Create(ArchiveName)
	if err != nil {
		return nil, err
	}
	sink := &archiveSink{w: bufio.NewWriterSize(f, 1<<20)}
	md := metadata.KeyValueMetadata{}
	md.Append("purgeset.schema", ArchiveSchema)
	pw := file.NewParquetWriter(sink, schema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(md))
	w := &archiveWriter{f: f, sink: sink, pw: pw, extras: len(extraColumns),
		text: make([]textColumn, len(fields)), vals: make([]string, len(fields))}
	for c := range w.text {
		w.text[c].dict = c != colID
		w.text[c].nullable = c >= numFixedColumns
	}
	return w, nil
}

// Write copies the record into the batch's buffers; the caller may reuse r.
func (w *archiveWriter) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if len(r.Extra) != w.extras {
		return w.fail(fmt.Errorf("write %s: %s row %d has %d extra values for %d --archive-column headers", ArchiveName, r.Source, r.Row, len(r.Extra), w.extras))
	}
	v := w.vals
	v[colSource], v[colID], v[colUserGroup], v[colRecordType] = r.Source, r.ID, r.UserGroup, r.RecordType
	v[colExpiryText], v[colPurgeText], v[colDecision], v[colReason], v[colDetail] = r.Expiry, r.Purge, r.Decision(), r.Reason, r.Detail
	copy(v[numFixedColumns:], r.Extra)
	if w.batch > 0 && !w.fits() {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.row = append(w.row, int64(r.Row))
	w.expiry.add(r.ExpiryDays, r.ExpiryOK)
	w.purge.add(r.PurgeDays, r.PurgeOK)
	for c := range w.text {
		switch c {
		case colRow, colExpiryDate, colPurgeDate:
		default:
			w.text[c].add(v[c])
		}
	}
	w.rows++
	w.batch++
	if w.batch == archiveBatchRows {
		return w.flush()
	}
	return nil
}

// fits reports whether the row in w.vals can join the batch with every dictionary
// staying under archiveDictLimit. It counts each value as the encoder counts a new one,
// its length plus 4, as if all were distinct.
func (w *archiveWriter) fits() bool {
	prefixes := 4 * (w.batch + 1)
	for c := range w.text {
		if w.text[c].dict && len(w.text[c].data)+prefixes+len(w.vals[c]) >= archiveDictLimit {
			return false
		}
	}
	return true
}

// flush writes the batch as one row group and empties the buffers, keeping their
// capacity for the next batch.
func (w *archiveWriter) flush() error {
	rg := w.pw.AppendBufferedRowGroup()
	err := w.writeColumns(rg)
	if err == nil {
		err = rg.Close()
	}
	w.row, w.batch = w.row[:0], 0
	if w.sink.err != nil {
		return w.fail(w.sink.err) // already names the file
	} else if err != nil {
		return w.fail(fmt.Errorf("write %s: %w", ArchiveName, err))
	}
	return nil
}

// writeColumns encodes and compresses the batch's columns at once, one goroutine a
// column: the archive was the longest part of a run with every output, and a row
// group's column chunks are independent. Each chunk is buffered, and the row group's
// Close writes them in column order, so the file's bytes do not depend on which
// finished first.
func (w *archiveWriter) writeColumns(rg file.BufferedRowGroupWriter) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for c := range w.text {
		cw, err := rg.Column(c)
		if err != nil {
			return err
		}
		g.Go(func() (err error) {
			defer func() {
				if v := recover(); v != nil { // on this goroutine nothing else would recover it
					err = fmt.Errorf("internal error in the Parquet writer (column %d): %v; please report this", c, v)
				}
			}()
			switch c {
			case colRow:
				_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(w.row, nil, nil)
			case colExpiryDate:
				err = w.expiry.write(cw)
			case colPurgeDate:
				err = w.purge.write(cw)
			default:
				err = w.text[c].write(cw)
			}
			return err
		})
	}
	return g.Wait()
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
	if w.sink.err != nil {
		err = w.sink.err // already names the file
	} else if err != nil {
		err = fmt.Errorf("write %s: %w", ArchiveName, err)
	} else {
		err = w.sink.w.Flush()
	}
	if err != nil {
		return w.fail(err)
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
	w.text = nil
	w.f.f.Close()
	return err
}
