package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// checkSets reads the set files back, format by format, and checks that together, in
// order, they hold exactly the IDs of the included rows of decisions.csv.
func (v *Verification) checkSets(dir string, m *writers.Manifest, params *writers.Parameters, rows []writers.DecisionRow) error {
	header, format, split := "USERNAME", "", 0
	if params != nil {
		if params.SetHeader != "" {
			header = params.SetHeader
		}
		format, split = params.SetFormat, params.Split
	}
	var included []int // indexes into rows
	for i, r := range rows {
		if r.Decision == "included" {
			included = append(included, i)
		}
	}
	type part struct {
		name string
		num  int
		ids  *int
	}
	parts := map[string][]part{} // by extension
	for _, o := range m.Outputs {
		if strings.HasPrefix(o.Name, "set-") && writers.IsOwnFile(o.Name) {
			ext := strings.TrimPrefix(filepath.Ext(o.Name), ".")
			num, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(o.Name, "set-"), "."+ext))
			parts[ext] = append(parts[ext], part{o.Name, num, o.IDs})
		}
	}
	want := map[string][]string{"xlsx": {"xlsx"}, "txt": {"txt"}, "both": {"xlsx", "txt"}}[format]
	for _, ext := range want {
		if len(parts[ext]) == 0 && len(included) > 0 {
			v.add(writers.ManifestName, "lists no set-NNN.%s file, but decisions.csv includes %d rows", ext, len(included))
		}
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
		pos, complete, shifted := 0, true, false
		for i, p := range ps {
			if p.num != i+1 {
				v.add(writers.ManifestName, "the .%s set files are not numbered from set-001 without gaps: set-%03d.%s is not listed", ext, i+1, ext)
				complete = false
				break
			}
			path := filepath.Join(dir, p.name)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				complete = false // reported as missing already
				break
			}
			ids, err := v.readSet(path, p.name, ext, header)
			if err != nil {
				return err
			}
			if ids == nil {
				complete = false
				break
			}
			if p.ids == nil || *p.ids != len(ids) {
				v.add(p.name, "holds %d IDs, but manifest.json says %s", len(ids), count(p.ids))
			}
			if split > 0 && (len(ids) > split || (i < len(ps)-1 && len(ids) != split)) {
				v.add(p.name, "holds %d IDs, but parameters.split is %d: every part holds that many but the last, which may hold fewer", len(ids), split)
			}
			for j, id := range ids {
				if pos < len(included) && !shifted {
					if r := rows[included[pos]]; id != r.ID {
						v.add(p.name, "row %d holds another ID than included row %d of decisions.csv (%s row %d): the set must hold the included IDs in order",
							j+2, pos+1, r.Source, r.Row)
						shifted = true // one shift would make every later ID differ
					}
				}
				pos++
			}
		}
		if complete && pos != len(included) {
			v.add(ps[len(ps)-1].name, "the .%s set files hold %d IDs, but decisions.csv includes %d rows", ext, pos, len(included))
		}
	}
	if len(parts) == 0 && format == "" && len(included) > 0 {
		v.add(writers.ManifestName, "lists no set file, but decisions.csv includes %d rows", len(included))
	}
	return nil
}

// readSet reads one set file: the IDs below the header, or nil when the file cannot be
// read as a set (a finding is added).
func (v *Verification) readSet(path, name, ext, header string) ([]string, error) {
	if ext == "txt" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		s := string(b)
		if !strings.HasSuffix(s, "\n") {
			v.add(name, "does not end with a line break")
		}
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if lines[0] != header {
			v.add(name, "the first line is not the set header %q", header)
		}
		return append([]string{}, lines[1:]...), nil
	}
	src, err := readers.OpenXLSX(path, name, "")
	if err != nil {
		if errors.Is(err, readers.ErrInput) {
			v.add(name, "cannot be read as a workbook: %v", err)
			return nil, nil
		}
		return nil, err
	}
	defer src.Close()
	ids := []string{}
	next, notText := 1, 0
	for row, err := range src.Rows() {
		if err != nil {
			if errors.Is(err, readers.ErrInput) {
				v.add(name, "cannot be read as a workbook: %v", err)
				return nil, nil
			}
			return nil, err
		}
		for ; next < row.Num; next++ { // a row missing from the sheet is an empty cell
			if next == 1 {
				v.add(name, "cell A1 is not the set header %q", header)
			} else {
				ids = append(ids, "")
			}
		}
		next++
		c := cellAt(row.Cells, 0)
		if row.Num == 1 {
			if c.Text != header {
				v.add(name, "cell A1 is not the set header %q", header)
			}
			continue
		}
		if c.Kind != readers.KindText {
			if notText++; notText == 1 {
				v.add(name, "cell A%d is a %s cell, not text (Alma may read another ID)", row.Num, c.Kind)
			}
		}
		ids = append(ids, strings.Clone(c.Text))
	}
	if next == 1 {
		v.add(name, "the first sheet is empty: no set header %q", header)
	}
	return ids, nil
}

// cellAt is the cell at column i, or an empty one past the row's end.
func cellAt(cells []readers.Cell, i int) readers.Cell {
	if i >= 0 && i < len(cells) {
		return cells[i]
	}
	return readers.Cell{}
}
