package writers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// RunIDShown is how many hex digits of the run ID the review page shows where the
// reviewer signs, and the summary prints: enough to tell runs apart, short enough
// to read aloud and repeat (SPEC §5).
const RunIDShown = 16

// RunID is the lower-case hex SHA-256 of one line "NAME SHA256\n" for decisions.csv,
// then for every set file in the order outputs lists them (SPEC §5). It names who is
// purged and why, and nothing else: the review page, archive and manifest may differ
// between runs that share a run ID. Set files are the outputs that carry an ID
// count. verify recomputes it from the manifest's outputs.
func RunID(outputs []Output) (string, error) {
	var b strings.Builder
	found := false
	for _, o := range outputs {
		if o.Name == DecisionsName {
			b.WriteString(o.Name + " " + strings.ToLower(o.SHA256) + "\n")
			found = true
			break
		}
	}
	if !found {
		return "", errors.New("run ID: no " + DecisionsName + " among the outputs")
	}
	for _, o := range outputs {
		if o.IDs != nil {
			b.WriteString(o.Name + " " + strings.ToLower(o.SHA256) + "\n")
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:]), nil
}

// ShortRunID is the part of a run ID people read: its first RunIDShown hex digits.
func ShortRunID(id string) string {
	if len(id) > RunIDShown {
		return id[:RunIDShown]
	}
	return id
}
