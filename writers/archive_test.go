package writers

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

var testExtraColumns = []string{"Campus", "E-mail Address"}

// archiveRecords makes n varied Records: null and unparsed dates, non-ASCII text, empty
// strings and empty extras among them. Dates that did not parse keep ExpiryDays 0, as
// ReadArchive gives them back.
func archiveRecords(n, extras int) []Record {
	rng := rand.New(rand.NewPCG(1, 2))
	groups := []string{"Undergraduate", "Graduate", "Staff", "Gäste / Invités", "", "研究生"}
	types := []string{"Public", "Staff", "public", ""}
	reasons := []string{"expired", "not_expired", "duplicate", "bad_date", "group_not_selected", "protected"}
	recs := make([]Record, n)
	for i := range recs {
		r := Record{
			Source:     []string{"exports/users-2024.csv", "Ältere Nutzer.xlsx"}[i%2],
			Row:        2 + i/2,
			ID:         fmt.Sprintf("U%08d", rng.IntN(100_000_000)),
			UserGroup:  groups[rng.IntN(len(groups))],
			RecordType: types[rng.IntN(len(types))],
			Reason:     reasons[rng.IntN(len(reasons))],
		}
		switch i % 10 {
		case 0:
			r.ID = "" // blank_id rows are kept, not dropped
		case 1:
			r.ID = "Zoë.Ångström@example.org"
		}
		if d := int32(rng.IntN(20_000)) - 2_000; i%7 != 0 {
			r.ExpiryDays, r.ExpiryOK = d, true
			r.Expiry = time1970(d)
		} else if i%14 == 0 {
			r.Expiry = "31/02/2024"
		}
		if i%3 == 0 {
			d := int32(18_000 + rng.IntN(4_000))
			r.PurgeDays, r.PurgeOK, r.Purge = d, true, time1970(d)
		}
		r.Included = r.Reason == "expired"
		if !r.Included {
			r.Detail = fmt.Sprintf("expiry %s is on or after the cutoff 2024-01-01 — ✓", r.Expiry)
		}
		if extras > 0 {
			r.Extra = make([]string, extras)
			for j := range r.Extra {
				if rng.IntN(5) != 0 {
					r.Extra[j] = fmt.Sprintf("extra-%d-%d-é", j, rng.IntN(50))
				}
			}
		}
		recs[i] = r
	}
	return recs
}

func time1970(days int32) string { return arrow.Date32(days).ToTime().Format("2006-01-02") }

// writeArchive writes recs through a fresh stage in dir and returns the staged file.
func writeArchive(t testing.TB, dir string, recs []Record, extras []string) string {
	t.Helper()
	stage, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewArchiveWriter(stage, extras)
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	for i := range recs {
		r = recs[i] // the pipeline reuses one Record: the writer must copy
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	outs := stage.Outputs()
	if len(outs) != 1 || outs[0].Name != ArchiveName || outs[0].Rows == nil || *outs[0].Rows != len(recs) {
		t.Fatalf("stage outputs = %+v, want one %s with %d rows", outs, ArchiveName, len(recs))
	}
	return filepath.Join(stage.tmp, ArchiveName)
}

func TestArchiveRoundTrip(t *testing.T) {
	recs := archiveRecords(150_000, len(testExtraColumns))
	path := writeArchive(t, t.TempDir(), recs, testExtraColumns)

	got, extras, err := ReadArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(extras, testExtraColumns) {
		t.Errorf("extra columns = %q, want %q", extras, testExtraColumns)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, wrote %d", len(got), len(recs))
	}
	for i := range recs {
		if !reflect.DeepEqual(got[i], recs[i]) {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], recs[i])
		}
	}

	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if n := pf.NumRowGroups(); n != 3 {
		t.Errorf("%d row groups, want 3 (150k rows in batches of %d)", n, archiveBatchRows)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name     string
		typ      arrow.DataType
		nullable bool
	}{
		{"source", arrow.BinaryTypes.String, false}, {"row", arrow.PrimitiveTypes.Int64, false},
		{"id", arrow.BinaryTypes.String, false}, {"user_group", arrow.BinaryTypes.String, false},
		{"record_type", arrow.BinaryTypes.String, false},
		{"expiry_date", arrow.FixedWidthTypes.Date32, true}, {"expiry_text", arrow.BinaryTypes.String, false},
		{"purge_date", arrow.FixedWidthTypes.Date32, true}, {"purge_text", arrow.BinaryTypes.String, false},
		{"decision", arrow.BinaryTypes.String, false}, {"reason", arrow.BinaryTypes.String, false},
		{"detail", arrow.BinaryTypes.String, false},
		{"Campus", arrow.BinaryTypes.String, true}, {"E-mail Address", arrow.BinaryTypes.String, true},
	}
	if schema.NumFields() != len(want) {
		t.Fatalf("schema has %d fields, want %d: %s", schema.NumFields(), len(want), schema)
	}
	for i, w := range want {
		f := schema.Field(i)
		if f.Name != w.name || !arrow.TypeEqual(f.Type, w.typ) || f.Nullable != w.nullable {
			t.Errorf("field %d = %s: %s (nullable %v), want %s: %s (nullable %v)", i, f.Name, f.Type, f.Nullable, w.name, w.typ, w.nullable)
		}
	}
	// An empty extra is null in the file, not "".
	extra, err := pf.MetaData().RowGroup(0).ColumnChunk(numFixedColumns)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := extra.Statistics()
	if err != nil || stats == nil || stats.NullCount() == 0 {
		t.Errorf("extra column statistics = %v (err %v), want nulls for empty values", stats, err)
	}
}

func TestArchiveDeterministic(t *testing.T) {
	recs := archiveRecords(70_000, len(testExtraColumns))
	for i := range recs {
		// Long distinct values: without the row group cut of archiveDictLimit, arrow v17
		// falls back to plain pages and orders the page encodings at random.
		recs[i].Extra[1] = fmt.Sprintf("%s%0150d", recs[i].Extra[1], i)
	}
	a, err := os.ReadFile(writeArchive(t, t.TempDir(), recs, testExtraColumns))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := os.ReadFile(writeArchive(t, t.TempDir(), recs, testExtraColumns))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("two writes of the same records differ (%d and %d bytes)", len(a), len(b))
		}
	}
	// The footer holds nothing that varies between runs: only our schema name, and a
	// created_by that names the library version.
	meta, err := metadata.NewFileMetaData(footer(t, a), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := meta.GetCreatedBy(); got != "parquet-go version 17.0.0" {
		t.Errorf("created_by = %q", got)
	}
	kv := meta.KeyValueMetadata()
	if kv.Len() != 1 || kv.FindValue("purgeset.schema") == nil || *kv.FindValue("purgeset.schema") != ArchiveSchema {
		t.Errorf("key-value metadata = %v, want only purgeset.schema=%s", kv, ArchiveSchema)
	}
}

// TestArchiveNoDictionaryFallback writes long distinct values, whose dictionaries would
// pass archiveDictLimit within 64k rows: every column chunk must still have one data
// page encoding, since arrow v17 lists two in random order (see archiveDictLimit).
func TestArchiveNoDictionaryFallback(t *testing.T) {
	recs := archiveRecords(40_000, 1)
	for i := range recs {
		recs[i].Detail = fmt.Sprintf("%0300d", i)
		recs[i].Extra[0] = fmt.Sprintf("%0100d", i)
	}
	path := writeArchive(t, t.TempDir(), recs, []string{"Campus"})
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.NumRowGroups() < 2 {
		t.Errorf("%d row group: the dictionary limit did not end one early", pf.NumRowGroups())
	}
	for g := range pf.NumRowGroups() {
		for c := range numFixedColumns + 1 {
			cc, err := pf.MetaData().RowGroup(g).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			var data []string
			for _, st := range cc.EncodingStats() {
				if fmt.Sprint(st.PageType) != "DICTIONARY_PAGE" {
					data = append(data, st.Encoding.String())
				}
			}
			if len(data) != 1 {
				t.Errorf("row group %d column %d has data pages encoded %v, want one encoding", g, c, data)
			}
		}
	}
	got, _, err := ReadArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Error("records differ after the round trip")
	}
}

// footer returns the serialized FileMetaData at the end of a Parquet file.
func footer(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 12 || string(b[len(b)-4:]) != "PAR1" {
		t.Fatal("not a Parquet file")
	}
	n := int(b[len(b)-8]) | int(b[len(b)-7])<<8 | int(b[len(b)-6])<<16 | int(b[len(b)-5])<<24
	return b[len(b)-8-n : len(b)-8]
}

func TestArchiveZeroRows(t *testing.T) {
	path := writeArchive(t, t.TempDir(), nil, []string{"Campus"})
	got, extras, err := ReadArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !reflect.DeepEqual(extras, []string{"Campus"}) {
		t.Errorf("ReadArchive = %d records, extras %q; want none and [Campus]", len(got), extras)
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.NumRows() != 0 || pf.MetaData().Schema.NumColumns() != numFixedColumns+1 {
		t.Errorf("file has %d rows and %d columns, want 0 and %d", pf.NumRows(), pf.MetaData().Schema.NumColumns(), numFixedColumns+1)
	}
}

func TestArchiveNoExtras(t *testing.T) {
	recs := archiveRecords(100, 0)
	got, extras, err := ReadArchive(writeArchive(t, t.TempDir(), recs, nil))
	if err != nil {
		t.Fatal(err)
	}
	if extras != nil || !reflect.DeepEqual(got, recs) {
		t.Errorf("round trip without extras differs (extras %q)", extras)
	}
}

func TestArchiveColumnsRefused(t *testing.T) {
	for _, cols := range [][]string{{"ID"}, {"Detail"}, {"Campus", "campus"}, {" "}} {
		if err := CheckArchiveColumns(cols); err == nil {
			t.Errorf("CheckArchiveColumns(%q) = nil, want an error", cols)
		}
	}
	if err := CheckArchiveColumns([]string{"Campus", "E-mail Address"}); err != nil {
		t.Errorf("CheckArchiveColumns: %v", err)
	}
}

func TestArchiveExtraCountMismatch(t *testing.T) {
	stage, err := NewStage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Abort()
	w, err := NewArchiveWriter(stage, []string{"Campus"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&Record{Source: "a.csv", Row: 2, ID: "x"}); err == nil {
		t.Fatal("a record without its extra value was accepted")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed Write succeeded")
	}
	if len(stage.Outputs()) != 0 {
		t.Errorf("a failed archive reached the manifest: %+v", stage.Outputs())
	}
}

// TestArchiveWriteFailure closes the file under the writer, as a full disk would fail
// it: the error must reach the caller, without the panic arrow v17 has when its sink
// fails inside a row group, and the archive must not reach the manifest.
func TestArchiveWriteFailure(t *testing.T) {
	for _, rows := range []int{0, 100_000} {
		stage, err := NewStage(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		w, err := NewArchiveWriter(stage, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.(*archiveWriter).f.f.Close()
		recs := archiveRecords(rows, 0)
		for i := range recs {
			if err = w.Write(&recs[i]); err != nil {
				break
			}
		}
		if err == nil {
			err = w.Close()
		}
		if err == nil || len(stage.Outputs()) != 0 {
			t.Errorf("%d rows: error %v, outputs %+v; want an error and no output", rows, err, stage.Outputs())
		}
		stage.Abort()
	}
}

func TestReadArchiveRefusesOtherParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	pw, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadArchive(path); err == nil {
		t.Fatal("ReadArchive accepted a file that is not an archive")
	}
}

// BenchmarkArchiveWriter writes a million synthetic Records with each codec and reports
// the file size; snappy is the one archive.parquet uses.
func BenchmarkArchiveWriter(b *testing.B) {
	recs := archiveRecords(1_000_000, 1)
	for _, codec := range []compress.Compression{compress.Codecs.Snappy, compress.Codecs.Zstd} {
		b.Run(codec.String(), func(b *testing.B) {
			defer func(c compress.Compression) { archiveCodec = c }(archiveCodec)
			archiveCodec = codec
			b.ReportAllocs()
			var size int64
			for b.Loop() {
				fi, err := os.Stat(writeArchive(b, b.TempDir(), recs, []string{"Campus"}))
				if err != nil {
					b.Fatal(err)
				}
				size = fi.Size()
			}
			b.ReportMetric(float64(size), "file-bytes")
			b.ReportMetric(float64(size)/float64(len(recs)), "bytes/row")
		})
	}
}
