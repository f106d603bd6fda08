package writers

// Record is one decided data row, as every row-level output sees it.
type Record struct {
	Source     string // input path as given
	Row        int
	ID         string
	UserGroup  string
	RecordType string
	Expiry     string // YYYY-MM-DD when it parsed, else the trimmed text
	ExpiryDays int32  // days since 1970-01-01, when ExpiryOK
	ExpiryOK   bool
	Purge      string
	PurgeDays  int32
	PurgeOK    bool
	Included   bool
	Reason     string
	Detail     string
	Extra      []string // --archive-column values, in option order
}

// Decision is "included" or "excluded".
func (r *Record) Decision() string {
	if r.Included {
		return "included"
	}
	return "excluded"
}

// RowSink receives every decided row in input order; Close finishes its file. A
// Record's strings may share memory with many other rows: a sink that keeps one beyond
// Write must copy it (strings.Clone), or it pins that memory.
type RowSink interface {
	Write(*Record) error
	Close() error
}
