package readers

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets of the readers: whatever bytes a file holds, Open and Rows never
// panic or hang, every problem with the content is a *ParseError that names the file
// (and the row, once rows are being read), and the rows they do yield come in order.
// Seeds are the bad-input catalogue of the CLI tests and the bundled fixtures.
//
//	go test ./readers -run XXX -fuzz '^FuzzTextReader$' -fuzztime 10m
//	go test ./readers -run XXX -fuzz '^FuzzHeaderScan$' -fuzztime 10m

// fuzzMaxInput bounds an input: larger ones only slow the fuzzer down.
const fuzzMaxInput = 1 << 20

// fuzzSeedFiles are the contents of the bad-input catalogue and of the fixtures.
func fuzzSeedFiles(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, pattern := range []string{"../cmd/purgeset/testdata/bad/*", "../fixtures/*.csv", "../fixtures/*.xlsx"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			if strings.HasSuffix(p, ".md") {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			if len(b) <= fuzzMaxInput {
				out = append(out, b)
			}
		}
	}
	if len(out) < 10 {
		f.Fatalf("only %d seed files found: run from the readers directory", len(out))
	}
	return out
}

// fuzzExtraSeeds are the catalogue's inputs that bad_test.go makes from Go code, since
// they need exact bytes.
var fuzzExtraSeeds = []string{
	"\uFEFFPrimary Identifier,Expiry Date,User Group\r\nu1,2020-01-01,Alumni\r\n",
	"\xFF\xFEP\x00r\x00i\x00m\x00a\x00r\x00y\x00 \x00I\x00D\x00\t\x00E\x00x\x00p\x00i\x00r\x00y\x00 \x00D\x00a\x00t\x00e\x00\n\x00u\x001\x00\t\x002\x000\x002\x000\x00-\x000\x001\x00-\x000\x001\x00\n\x00",
	"\xFE\xFF\x00P\x00r\x00i\x00m\x00a\x00r\x00y\x00 \x00I\x00D\x00\n\x00u\x00\n\xD8\x00",
	"P\x00r\x00i\x00m\x00a\x00r\x00y\x00 \x00I\x00D\x00\n\x00",
	"Primary ID,Expiry Date\ru1,2020-01-01\ru2,2020-01-01\r",
	"Primary ID,Expiry Date\nu\x001,2020-01-01\n",
	"Primary ID,Expiry Date\nu\xff1,2020-01-01\n",
	"Report\n\n\nUSERNAME;Expiry Date;User Group\n\"a;b\";2020-01-01;x\n\n",
	"Primary ID\tExpiry Date\n\"Bob\tx\n",
	"Primary ID,Expiry Date\n\"a\nb\",2020-01-01\n\"open,2020\n",
	"ï»¿Primary ID,Expiry Date\nu1,2020\n",
	"Name,Primary Identifier\nx,y\n",
	"PK\x03\x04garbage",
	"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
	"",
	"\uFEFF",
	// Not exports, and the wrong character set (SPEC §8).
	"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
	"\uFEFF \r\n<!DOCTYPE html><html><table><tr><td>Primary ID</td></tr></table>",
	"<HTML>Primary ID,Expiry Date\n",
	"Primary ID,Expiry Date\njdoe\u00e2\u20ac\u2039,2020-01-01\n",
	"Primary ID,Geb\u00c3\u00bchr,Expiry Date\nu1,M\u00c3\u00bcller,2020-01-01\n",
	"Primary ID,Name,Expiry Date\nu1,M\xFCller,2020-01-01\n",
}

// fuzzWatchdog fails the run, with the input saved, when one input takes absurdly long:
// the fuzzer itself has no per-input timeout.
func fuzzWatchdog(t *testing.T, d time.Duration) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		select {
		case <-done:
		case <-time.After(d):
			panic("hang: one input took longer than " + d.String())
		}
	}()
}

// checkFuzzError checks the kind of an error: a *ParseError naming the file, with a row
// when it is about one, or a plain error of the machine (an *fs.PathError).
func checkFuzzError(t *testing.T, err error, name string, needRow bool, lastRow int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		var pathErr *fs.PathError
		if !errors.As(err, &pathErr) {
			t.Fatalf("error %q (%T) is neither a *ParseError nor an I/O error of the machine: the CLI would call a content problem a runtime failure (exit 1)", err, err)
		}
		return
	}
	if pe.File != name {
		t.Fatalf("ParseError names file %q, want %q: %v", pe.File, name, err)
	}
	if pe.Msg == "" {
		t.Fatalf("ParseError without a message: %#v", pe)
	}
	if needRow && pe.Row <= 0 {
		t.Fatalf("error while reading rows has no row number: %v", err)
	}
	if pe.Row > 0 && pe.Row <= lastRow {
		t.Fatalf("error names row %d, but row %d was already read without error: %v", pe.Row, lastRow, err)
	}
	if !errors.Is(err, ErrInput) {
		t.Fatalf("ParseError does not unwrap to ErrInput: %v", err)
	}
}

// fuzzRead opens path as an input and reads every row, checking the properties common
// to both targets. It returns the table (closed) or nil when Open failed.
func fuzzRead(t *testing.T, path string, opts Options) (*Table, []int) {
	t.Helper()
	tbl, err := Open(path, opts)
	if err != nil {
		checkFuzzError(t, err, path, false, 0)
		return nil, nil
	}
	defer tbl.Close()
	if tbl.HeaderRow < 1 || tbl.Preamble < 0 || tbl.Preamble > tbl.HeaderRow-1 {
		t.Fatalf("header row %d with %d preamble rows", tbl.HeaderRow, tbl.Preamble)
	}
	if tbl.Info.Format == "text" && tbl.Preamble != tbl.HeaderRow-1 {
		t.Fatalf("text: header row %d but %d preamble rows: every row above the header counts", tbl.HeaderRow, tbl.Preamble)
	}
	if tbl.IDCol < 0 || tbl.IDCol >= len(tbl.Header) {
		t.Fatalf("identifier column %d outside the header %q", tbl.IDCol, tbl.Header)
	}
	if opts.IDHeader == "" && (tbl.IDCol != 0 || !IsIDHeader(tbl.Header[0])) {
		t.Fatalf("header %q accepted with identifier column %d", tbl.Header, tbl.IDCol)
	}
	last := tbl.HeaderRow
	var nums []int
	for row, err := range tbl.Rows() {
		if err != nil {
			if tbl.Info.Format == "text" {
				checkFuzzError(t, err, path, true, last)
			} else { // a sheet's rows out of order are reported at the row already read
				checkFuzzError(t, err, path, false, 0)
			}
			break
		}
		if row.Num <= last {
			t.Fatalf("row %d after row %d: row numbers must increase", row.Num, last)
		}
		last = row.Num
		nums = append(nums, row.Num)
		for i, c := range row.Cells {
			if !utf8.ValidString(c.Text) || strings.IndexByte(c.Text, 0) >= 0 {
				t.Fatalf("row %d cell %d: %q is not clean UTF-8 text", row.Num, i+1, c.Text)
			}
		}
	}
	return tbl, nums
}

// FuzzTextReader: arbitrary bytes as an input file, read as an export and as a plain
// protect list.
func FuzzTextReader(f *testing.F) {
	for _, b := range fuzzSeedFiles(f) {
		f.Add(b, false)
	}
	for _, s := range fuzzExtraSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, plain bool) {
		if len(data) > fuzzMaxInput {
			t.Skip("large inputs only slow the fuzzer down")
		}
		fuzzWatchdog(t, 20*time.Second)
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzRead(t, path, Options{Plain: plain})
	})
}

// headerDelims are the delimiters FuzzHeaderScan writes with.
var headerDelims = []string{",", "\t", ";"}

// FuzzHeaderScan: title and blank rows, then a header whose cells the fuzzer picks,
// then three data rows. When the cells are plain (no quotes, delimiters, line ends or
// damage), the result is known: the header is found exactly when it stands within the
// first 20 rows and its first cell is an accepted name (or one cell matches the
// --column id header), and the error otherwise says where an accepted name stands.
func FuzzHeaderScan(f *testing.F) {
	f.Add(uint8(0), uint8(0), "Primary Identifier", "Expiry Date", "User Group", false, false)
	f.Add(uint8(3), uint8(1), " USERNAME ", "User Expiry Date", "User Group Code", true, false)
	f.Add(uint8(19), uint8(2), "primary id", "Expiration Date", "", false, false)
	f.Add(uint8(20), uint8(0), "Primary ID", "Expiry Date", "User Group", false, false)
	f.Add(uint8(2), uint8(0), "Name", "Primary Identifier", "Expiry Date", false, false)
	f.Add(uint8(2), uint8(1), "Name", "Barcode", "Expiry Date", false, true)
	f.Add(uint8(1), uint8(0), "ï»¿Primary Identifier", "Expiry Date", "x", false, false)
	f.Add(uint8(0), uint8(0), "\"Primary ID\"", "\"Expiry, Date\"", "x", false, false)
	f.Add(uint8(0), uint8(2), "Primary ID", "a\"b", "c\nd", false, false)
	f.Add(uint8(5), uint8(1), "\uFEFFPrimary ID", "ſ", "K", true, true)
	for _, b := range fuzzSeedFiles(f) {
		// The first header-like line of each catalogue file, as cells.
		for _, line := range strings.SplitN(string(b), "\n", 6) {
			cells := strings.Split(strings.TrimRight(line, "\r"), ",")
			if len(cells) >= 3 && utf8.ValidString(line) {
				f.Add(uint8(len(line)%4), uint8(0), cells[0], cells[1], cells[2], false, false)
				break
			}
		}
	}
	f.Fuzz(func(t *testing.T, titles, delim uint8, c0, c1, c2 string, bom, byName bool) {
		if len(c0)+len(c1)+len(c2) > 4096 {
			t.Skip("long headers only slow the fuzzer down")
		}
		fuzzWatchdog(t, 20*time.Second)
		d := headerDelims[int(delim)%len(headerDelims)]
		n := int(titles % 24)
		var b strings.Builder
		if bom {
			b.WriteString("\uFEFF")
		}
		for i := 0; i < n; i++ {
			if i%3 == 1 {
				b.WriteString("\n") // a blank row between the title rows
			} else {
				b.WriteString("Expired users report\n")
			}
		}
		cells := []string{c0, c1, c2}
		b.WriteString(strings.Join(cells, d) + "\n")
		for i := 0; i < 3; i++ {
			b.WriteString(strings.Join([]string{"u" + string(rune('1'+i)), "2020-01-01", "Alumni"}, d) + "\n")
		}
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		opts := Options{}
		if byName {
			opts.IDHeader = c1
		}
		tbl, nums := fuzzRead(t, path, opts)

		if !plainCells(cells) || (byName && !plainName(c1, cells)) {
			return
		}
		// The oracle, for plain cells only. A U+FEFF that starts the file is its
		// byte-order mark, not part of the first cell.
		if n == 0 && !bom {
			cells[0] = strings.TrimPrefix(cells[0], "\uFEFF")
			c0 = cells[0]
		}
		trimmed := make([]string, len(cells))
		for i, c := range cells {
			trimmed[i] = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		}
		wantCol := -1
		if opts.IDHeader != "" {
			for i, c := range trimmed {
				if wantCol < 0 && strings.EqualFold(c, strings.TrimSpace(opts.IDHeader)) {
					wantCol = i
				}
			}
		} else if IsIDHeader(c0) {
			wantCol = 0
		}
		if n > 19 {
			wantCol = -1
		}
		if wantCol < 0 {
			if tbl != nil {
				t.Fatalf("header %q accepted at row %d (column %d), want no header found", trimmed, tbl.HeaderRow, tbl.IDCol)
			}
			tbl, err := Open(path, opts)
			if err == nil {
				tbl.Close()
				t.Fatal("second Open succeeded")
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !pe.NoHeader {
				t.Fatalf("no header: error %v is not the header check's", err)
			}
			if n <= 19 && opts.IDHeader == "" && !strings.HasPrefix(c0, "ï»¿") {
				for i, c := range cells[1:] {
					if IsIDHeader(c) {
						if want := "column " + ColumnName(i+1); !strings.Contains(pe.Msg, want) {
							t.Fatalf("an accepted name stands in %s, the message does not say so: %v", want, err)
						}
						break
					}
				}
			}
			return
		}
		if tbl == nil {
			t.Fatalf("header %q at row %d (identifier column %d) was not found", trimmed, n+1, wantCol)
		}
		if tbl.HeaderRow != n+1 || tbl.Preamble != n || tbl.IDCol != wantCol {
			t.Fatalf("header found at row %d column %d after %d preamble rows, want row %d column %d", tbl.HeaderRow, tbl.IDCol, tbl.Preamble, n+1, wantCol)
		}
		if strings.Join(tbl.Header, "\x00") != strings.Join(trimmed, "\x00") {
			t.Fatalf("header read as %q, want %q", tbl.Header, trimmed)
		}
		if tbl.Info.Delimiter != d {
			t.Fatalf("delimiter %q, want %q", tbl.Info.Delimiter, d)
		}
		if len(nums) != 3 || nums[0] != n+2 || nums[2] != n+4 {
			t.Fatalf("data rows numbered %v, want %d to %d", nums, n+2, n+4)
		}
	})
}

// plainCells reports header cells whose reading the oracle can predict: valid UTF-8,
// no quote, delimiter, line end, NUL, or a title row's text, and not all blank.
func plainCells(cells []string) bool {
	blank := true
	for _, c := range cells {
		if !utf8.ValidString(c) || strings.ContainsAny(c, "\",\t;\r\n\x00") || strings.Contains(c, "\uFEFF") && !strings.HasPrefix(c, "\uFEFF") {
			return false
		}
		if strings.TrimSpace(c) != "" {
			blank = false
		}
	}
	return !blank
}

// plainName reports a --column id header the oracle can predict: not blank (the CLI
// refuses that), not a title row's text, and matched by the header check (EqualFold)
// exactly where the delimiter sniffer (ToLower) matches it.
func plainName(h string, cells []string) bool {
	h = strings.TrimSpace(h)
	if h == "" || strings.EqualFold(h, "Expired users report") {
		return false
	}
	for _, c := range cells {
		c = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		//lint:ignore SA6005 the point is to compare ToLower with EqualFold, as the sniffer and the header check do
		if strings.EqualFold(c, h) != (strings.ToLower(c) == strings.ToLower(h)) {
			return false
		}
	}
	return true
}
