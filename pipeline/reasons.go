package pipeline

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

var reasonCodes = [numReasons]string{
	"blank_id", "malformed_id", "numeric_id", "conflicting_duplicate", "duplicate",
	"case_collision", "protected", "record_type", "group_not_selected", "missing_expiry",
	"bad_date", "not_expired", "expired",
}

func (r Reason) String() string {
	if r < numReasons {
		return reasonCodes[r]
	}
	return "unknown"
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

// ParseReason maps a code back to its Reason.
func ParseReason(code string) (Reason, bool) {
	for i, c := range reasonCodes {
		if c == code {
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
