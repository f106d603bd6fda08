package pipeline

import (
	"strings"
	"testing"
)

// TestReasonOrder pins the rule order of SPEC §3.1, one meaning for each code, and the
// one included code last: the review page, summary and docs read this list.
func TestReasonOrder(t *testing.T) {
	want := []string{"blank_id", "malformed_id", "numeric_id", "conflicting_duplicate", "duplicate", "case_collision",
		"protected", "record_type", "group_not_selected", "missing_expiry", "bad_date", "not_expired", "expired"}
	var got []string
	for _, r := range ReasonTexts() {
		got = append(got, r.Code)
		if strings.TrimSpace(r.Meaning) == "" {
			t.Errorf("%s has no meaning", r.Code)
		}
		if r.Included != (r.Code == "expired") {
			t.Errorf("%s: Included = %v", r.Code, r.Included)
		}
		if back, ok := ParseReason(r.Code); !ok || back.String() != r.Code {
			t.Errorf("ParseReason(%q) = %v, %v", r.Code, back, ok)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("reasons = %v, want %v", got, want)
	}
}
