package pipeline

import "github.com/purgeset/purgeset/writers"

// Reason is the stable code of a decision (SPEC §3.1). Codes appear in decisions.csv,
// the manifest and the review page: renaming one breaks every reviewer's search.
type Reason uint8

// The rules in the order they apply: the first that applies wins.
const (
	BlankID Reason = iota
	MalformedID
	NumericID
	ConflictingDuplicate
	Duplicate
	CaseCollision
	Protected
	RecordType
	GroupNotSelected
	MissingExpiry
	BadDate
	NotExpired
	Expired // the one reason that includes
	numReasons
)

// reasonTable is the one list of reason codes and what each means to a librarian, in
// rule order: the review page, the summary, verify and the docs tests all read it.
var reasonTable = [numReasons]struct{ code, meaning string }{
	BlankID:              {"blank_id", "The ID cell is empty, so there is no one to purge."},
	MalformedID:          {"malformed_id", "The ID looks damaged or is not a real ID: a space or invisible character inside it, Excel number damage such as 1.23E+11 or 123456.0, or placeholder text such as N/A, NULL or “no primary id”."},
	NumericID:            {"numeric_id", "The spreadsheet stored the ID as a number, so leading zeros may already be lost."},
	ConflictingDuplicate: {"conflicting_duplicate", "The same ID is on several rows that disagree (user group, record type or dates). All of its rows are left out until someone checks the user in Alma."},
	Duplicate:            {"duplicate", "The same ID, with the same details, is on an earlier row; that first row is decided and this repeat is left out. The detail names the first row."},
	CaseCollision:        {"case_collision", "Two IDs differ only in upper and lower case, like JDoe and jdoe. Alma treats them as different users and they may or may not be one person, so neither is purged."},
	Protected:            {"protected", "The ID is on a protect list, for example a report of open loans or fines. The detail names the list."},
	RecordType:           {"record_type", "The record type is blank or not one chosen for this run (by default only Public users; Staff and Contact are kept)."},
	GroupNotSelected:     {"group_not_selected", "The user group is not one of the groups chosen for this run."},
	MissingExpiry:        {"missing_expiry", "The expiry date is empty, often a staff or special account: check it by hand."},
	BadDate:              {"bad_date", "The expiry date cannot be read or is impossible, for example 2021-02-30 or a two-digit year."},
	NotExpired:           {"not_expired", "The user has not expired: the expiry date is on or after the cutoff date."},
	Expired:              {"expired", "Included: the user expired before the cutoff date and passed every check above, so the ID is in the set files and will be purged."},
}

func (r Reason) String() string {
	if r < numReasons {
		return reasonTable[r].code
	}
	return "unknown"
}

// Meaning is the reason in plain words, as the review page's legend gives it.
func (r Reason) Meaning() string {
	if r < numReasons {
		return reasonTable[r].meaning
	}
	return ""
}

// Included reports whether a row with this reason goes into the set.
func (r Reason) Included() bool { return r == Expired }

// AllReasons lists every reason in rule order.
func AllReasons() []Reason {
	rs := make([]Reason, numReasons)
	for i := range rs {
		rs[i] = Reason(i)
	}
	return rs
}

// ReasonTexts is the reason list in rule order as the writers take it (writers cannot
// import pipeline, which imports writers).
func ReasonTexts() []writers.ReasonText {
	out := make([]writers.ReasonText, numReasons)
	for i, r := range reasonTable {
		out[i] = writers.ReasonText{Code: r.code, Meaning: r.meaning, Included: Reason(i).Included()}
	}
	return out
}

// ParseReason maps a code back to its Reason.
func ParseReason(code string) (Reason, bool) {
	for i, r := range reasonTable {
		if r.code == code {
			return Reason(i), true
		}
	}
	return 0, false
}

// Decision of one data row, as written to decisions.csv.
type Decision struct {
	Source    string // input path as given
	Row       int
	ID        string
	UserGroup string
	Expiry    string // YYYY-MM-DD when it parsed, else the trimmed text
	Reason    Reason
	Detail    string
}
