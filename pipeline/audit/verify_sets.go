package audit

import (
	"bufio"
	"errors"
	"iter"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/pipeline/rundir"
	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// setPart is one set file the manifest lists.
type setPart struct {
	name string
	num  int
	ids  *int
}

// setCursor reads the set files of one format (all parts, in order) alongside the
// included rows of decisions.csv, one ID at a time.
type setCursor struct {
	v        *Verification
	d        *rundir.Dir
	ext      string
	header   string
	split    int
	parts    []setPart
	next_    func() (string, bool)
	stop     func()
	pos      int  // IDs read so far
	shifted  bool // one shift makes every later ID differ: reported once
	complete bool // every part could be read
}

type setCursors struct{ cs []*setCursor }

// openSets finds the set files the manifest lists, checks they are the formats the
// parameters call for, numbered without gaps, and prepares a cursor per format.
func (v *Verification) openSets(d *rundir.Dir, listed map[string]bool) *setCursors {
	m := d.Manifest
	header, format, split := "USERNAME", "", 0
	if p := m.Parameters; p != nil {
		if p.SetHeader != "" {
			header = p.SetHeader
		}
		format, split = p.SetFormat, p.Split
	}
	parts := map[string][]setPart{}
	for _, o := range m.Outputs {
		if strings.HasPrefix(o.Name, "set-") && writers.IsOwnFile(o.Name) && listed[o.Name] {
			ext := strings.TrimPrefix(filepath.Ext(o.Name), ".")
			num, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(o.Name, "set-"), "."+ext))
			parts[ext] = append(parts[ext], setPart{o.Name, num, o.IDs})
		}
	}
	want := map[string][]string{"xlsx": {"xlsx"}, "txt": {"txt"}, "both": {"xlsx", "txt"}}[format]
	sc := &setCursors{}
	included := m.Counts.Included
	for _, ext := range want {
		if len(parts[ext]) == 0 && included > 0 {
			v.add(writers.ManifestName, "lists no set-NNN.%s file, but counts.included is %d", ext, included)
		}
	}
	if len(parts) == 0 && format == "" && included > 0 {
		v.add(writers.ManifestName, "lists no set file, but counts.included is %d", included)
	}
	for _, ext := range []string{"xlsx", "txt"} {
		ps := parts[ext]
		if len(ps) == 0 {
			continue
		}
		if want != nil && !strings.Contains(strings.Join(want, " "), ext) {
			v.add(writers.ManifestName, "lists .%s set files, but parameters.set_format is %q", ext, format)
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].num < ps[j].num })
		c := &setCursor{v: v, d: d, ext: ext, header: header, split: split, parts: ps, complete: true}
		for i, p := range ps {
			if p.num != i+1 {
				v.add(writers.ManifestName, "the .%s set files are not numbered from set-001 without gaps: set-%03d.%s is not listed", ext, i+1, ext)
				c.parts, c.complete = ps[:i], false
				break
			}
		}
		c.next_, c.stop = iter.Pull(c.ids())
		sc.cs = append(sc.cs, c)
	}
	return sc
}

// next compares the next set ID of each format with an included row (the n-th).
func (sc *setCursors) next(r *rundir.Decision, n int) {
	for _, c := range sc.cs {
		id, ok := c.next_()
		if !ok {
			continue
		}
		c.pos++
		if id != r.ID && !c.shifted {
			c.v.add(c.partAt(c.pos), "row %d holds another ID than included row %d of decisions.csv (%s row %d): the set must hold the included IDs in order",
				c.rowAt(c.pos), n+1, clip(r.Source), r.Row)
			c.shifted = true
		}
	}
}

// finish reads what is left of the set files and compares the totals.
func (sc *setCursors) finish(included int) {
	for _, c := range sc.cs {
		for {
			if _, ok := c.next_(); !ok {
				break
			}
			c.pos++
		}
		if c.complete && len(c.parts) > 0 && c.pos != included {
			c.v.add(c.parts[len(c.parts)-1].name, "the .%s set files hold %d IDs, but decisions.csv includes %d rows", c.ext, c.pos, included)
		}
	}
}

func (sc *setCursors) close() {
	for _, c := range sc.cs {
		c.stop()
	}
}

// partAt and rowAt locate the pos-th ID (1-based) by the manifest's counts per part.
func (c *setCursor) partAt(pos int) string {
	name, _ := c.locate(pos)
	return name
}

func (c *setCursor) rowAt(pos int) int {
	_, row := c.locate(pos)
	return row
}

func (c *setCursor) locate(pos int) (string, int) {
	for _, p := range c.parts {
		n := 0
		if p.ids != nil {
			n = *p.ids
		}
		if pos <= n {
			return p.name, pos + 1
		}
		pos -= n
	}
	if len(c.parts) == 0 {
		return "", pos + 1
	}
	return c.parts[len(c.parts)-1].name, pos + 1
}

// ids yields the IDs of every part in order; a part that cannot be read as a set is
// reported and ends the sequence.
func (c *setCursor) ids() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i, p := range c.parts {
			max := 0
			if p.ids != nil {
				max = *p.ids
			}
			n, ok := 0, true
			var stopped bool
			each := func(id string) bool {
				n++
				if !yield(id) {
					stopped = true
					return false
				}
				return true
			}
			if c.ext == "txt" {
				ok = c.readTXT(p.name, each)
			} else {
				ok = c.readXLSX(p.name, max, each)
			}
			if stopped {
				return
			}
			if !ok {
				c.complete = false
				return
			}
			if p.ids == nil || *p.ids != n {
				c.v.add(p.name, "holds %d IDs, but manifest.json says %s", n, count(p.ids))
			}
			if c.split > 0 && (n > c.split || (i < len(c.parts)-1 && n != c.split)) {
				c.v.add(p.name, "holds %d IDs, but parameters.split is %d: every part holds that many but the last, which may hold fewer", n, c.split)
			}
		}
	}
}

// readTXT reads one text set file; false when it cannot be read as a set.
func (c *setCursor) readTXT(name string, each func(string) bool) bool {
	f, err := c.d.OpenListed(name)
	if err != nil {
		return false // checkHashes reported it
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	line, first, endsInBreak := 0, true, true
	for {
		s, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			c.v.add(name, "line %d is longer than %d bytes: not a set file", line+1, br.Size())
			return false
		}
		if len(s) == 0 && err != nil {
			break
		}
		line++
		endsInBreak = strings.HasSuffix(string(s), "\n")
		text := strings.TrimSuffix(string(s), "\n")
		if first {
			first = false
			if text != c.header {
				c.v.add(name, "the first line is not the set header %q", c.header)
			}
		} else if !each(text) {
			return true
		}
		if err != nil {
			break
		}
	}
	if line == 0 {
		c.v.add(name, "is empty: no set header %q", c.header)
		return true
	}
	if !endsInBreak {
		c.v.add(name, "does not end with a line break")
	}
	return true
}

// readXLSX reads one workbook set file. Rows past the IDs the manifest gives it are not
// filled in: a row numbered 2,000,000,000 is a finding, not two billion empty IDs.
func (c *setCursor) readXLSX(name string, max int, each func(string) bool) bool {
	f, err := c.d.OpenListed(name)
	if err != nil {
		return false // checkHashes reported it
	}
	f.Close() // the checks passed; the workbook reader opens it again by path
	src, err := readers.OpenXLSX(filepath.Join(c.d.Path, name), name, "")
	if err != nil {
		c.v.add(name, "cannot be read as a workbook: %v", err)
		return false
	}
	defer src.Close()
	next, notText := 1, 0
	for row, err := range src.Rows() {
		if err != nil {
			c.v.add(name, "cannot be read as a workbook: %v", err)
			return false
		}
		if row.Num > max+1 {
			c.v.add(name, "has a row %d, past the %d IDs manifest.json gives it", row.Num, max)
			return false
		}
		for ; next < row.Num; next++ { // a row missing from the sheet is an empty cell
			if next == 1 {
				c.v.add(name, "cell A1 is not the set header %q", c.header)
			} else if !each("") {
				return true
			}
		}
		next++
		cell := cellAt(row.Cells, 0)
		if row.Num == 1 {
			if cell.Text != c.header {
				c.v.add(name, "cell A1 is not the set header %q", c.header)
			}
			continue
		}
		if cell.Kind != readers.KindText {
			if notText++; notText == 1 {
				c.v.add(name, "cell A%d is a %s cell, not text (Alma may read another ID)", row.Num, cell.Kind)
			}
		}
		if !each(cell.Text) {
			return true
		}
	}
	if next == 1 {
		c.v.add(name, "the first sheet is empty: no set header %q", c.header)
	}
	return true
}

// cellAt is the cell at column i, or an empty one past the row's end.
func cellAt(cells []readers.Cell, i int) readers.Cell {
	if i >= 0 && i < len(cells) {
		return cells[i]
	}
	return readers.Cell{}
}
