package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/purgeset/purgeset/readers"
	"github.com/purgeset/purgeset/writers"
)

// protectLists are the --protect files read: ID → the list that named it first, and
// each list's own IDs, to tell a list that matched no input row (protect_unmatched).
type protectLists struct {
	byID  map[string]string
	paths []string
	ids   [][]string
}

// loadProtect reads the --protect files (SPEC §3.3) into one set. A file with a header
// row is an export whose first column holds the IDs; anything else is a plain list,
// one ID a line.
func loadProtect(paths []string) (*protectLists, error) {
	out := map[string]string{}
	lists := &protectLists{byID: out}
	for _, path := range paths {
		ids, err := protectIDs(path)
		if err != nil {
			return nil, err
		}
		lists.paths, lists.ids = append(lists.paths, path), append(lists.ids, ids)
		found := 0
		for _, id := range ids {
			found++
			if _, ok := out[id]; !ok {
				out[id] = path
			}
		}
		if found == 0 {
			// An empty fines export protects nobody, most likely because the report failed.
			return nil, &readers.ParseError{File: path, Msg: "the protect list holds no IDs",
				Hint: "an empty list protects nobody: check the report it came from, or drop this --protect"}
		}
	}
	return lists, nil
}

// unmatched warns of each list none of whose IDs occurs in the inputs: it may be right
// (nobody with fines has expired), but a list of the wrong system's IDs would protect
// nobody, and that must show.
func (l *protectLists) unmatched(x *index) []writers.Warning {
	var names []string
	for i, ids := range l.ids {
		if !slices.ContainsFunc(ids, x.has) {
			names = append(names, l.paths[i])
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []writers.Warning{{Code: "protect_unmatched", Count: len(names),
		Message: fmt.Sprintf("no ID of the protect list %s occurs in the inputs: check that it lists the same kind of ID (Primary Identifier) as the exports", strings.Join(names, ", "))}}
}

// has reports an ID that passed the ID rules on some row.
func (x *index) has(id string) bool {
	x.key(&x.probe, id)
	for e := x.find(x.probe.hash, x.probe.fold); e >= 0; e = x.next(e) {
		if x.str(x.entries.items[e].id) == id {
			return true
		}
	}
	return false
}

func protectIDs(path string) ([]string, error) {
	t, err := readers.Open(path, readers.Options{})
	var pe *readers.ParseError
	if errors.As(err, &pe) && pe.NoHeader {
		return plainList(path)
	}
	if err != nil {
		return nil, err
	}
	defer t.Close()
	var ids []string
	for row, err := range t.Rows() {
		if err != nil {
			return nil, err
		}
		if id := strings.TrimSpace(cellAt(row.Cells, t.IDCol).Text); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// plainList reads one ID per line. A line holding a comma, tab or semicolon is a
// report without an ID header (SPEC §3.3): read as one ID, "jdoe42,Jane Doe" would
// protect nobody.
func plainList(path string) ([]string, error) {
	src, err := readers.OpenSource(path, path, readers.Options{Plain: true})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var ids []string
	for row, err := range src.Rows() {
		if err != nil {
			return nil, err
		}
		id := strings.TrimSpace(cellAt(row.Cells, 0).Text)
		if i := strings.IndexAny(id, ",\t;"); i >= 0 {
			return nil, &readers.ParseError{File: path, Row: row.Num,
				Msg:  fmt.Sprintf("the line holds a %s, so this is a table, not a plain list of IDs, and it has no ID header", map[byte]string{',': "comma", '\t': "tab", ';': "semicolon"}[id[i]]),
				Hint: "give an export whose first column is headed Primary Identifier (or USERNAME, Primary ID), or a plain list with one ID per line"}
		}
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
