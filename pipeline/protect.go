package pipeline

import (
	"errors"
	"strings"

	"github.com/purgeset/purgeset/readers"
)

// loadProtect reads the --protect files (SPEC §3.3) into one set: ID → the list that
// named it first. A file with a header row is an export whose first column holds the
// IDs; anything else is a plain list, one ID a line.
func loadProtect(paths []string) (map[string]string, error) {
	out := map[string]string{}
	for _, path := range paths {
		ids, err := protectIDs(path)
		if err != nil {
			return nil, err
		}
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
	return out, nil
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

// plainList reads one ID per line. The line is the ID, commas and all: IDs are matched
// exactly, and a list is not a table.
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
		if id := strings.TrimSpace(cellAt(row.Cells, 0).Text); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
