package alma

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// ErrorDetail is one error of an Alma error body.
type ErrorDetail struct {
	Code       string `json:"errorCode" xml:"errorCode"`
	Message    string `json:"errorMessage" xml:"errorMessage"`
	TrackingID string `json:"trackingId" xml:"trackingId"`
}

// APIError is an answer other than 2xx. Its Error text names the route template
// (never the path, which may hold an ID), the status and the error codes with
// purgeset's own description; Alma's errorMessage may quote an ID, so only Verbose
// shows it (for a terminal, SPEC §6).
type APIError struct {
	Route  Route
	Status int
	Errors []ErrorDetail
}

func (e *APIError) Error() string { return e.text(false) }

// Verbose is the message with Alma's own errorMessage texts, which may quote IDs.
func (e *APIError) Verbose() string { return e.text(true) }

func (e *APIError) text(verbose bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Alma answered %s with HTTP %d", e.Route, e.Status)
	for _, d := range e.Errors {
		b.WriteString("; ")
		b.WriteString(d.Code)
		if m := codeMeaning[d.Code]; m != "" {
			b.WriteString(" (" + m + ")")
		}
		if verbose && d.Message != "" {
			fmt.Fprintf(&b, ": %q", d.Message)
		}
		if d.TrackingID != "" {
			b.WriteString(", tracking ID " + d.TrackingID)
		}
	}
	return b.String()
}

// Has reports whether Alma gave this error code.
func (e *APIError) Has(code string) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Error codes purgeset acts on (DOMAIN.md "Alma REST API").
const (
	CodeSetNameExists    = "402263"
	CodeNoMembers        = "60113"
	CodeAlreadyInSet     = "60115"
	CodeInvalidForSet    = "60116"
	CodeTooManyMembers   = "60118"
	CodeDuplicateMember  = "60119"
	CodeInvalidForIDType = "60120"
	CodeUserNotFound     = "401861"
	CodeUserNotFoundType = "401890"
	CodePerSecond        = "PER_SECOND_THRESHOLD"
	CodeDaily            = "DAILY_THRESHOLD"
)

var codeMeaning = map[string]string{
	CodeSetNameExists:    "a set with this name exists: choose another --set-name",
	CodeNoMembers:        "no members given",
	"60114":              "a member without an ID",
	CodeAlreadyInSet:     "a member is already in the set",
	CodeInvalidForSet:    "an ID is not a user Alma knows",
	"60117":              "a member is not in the set",
	CodeTooManyMembers:   "more than 1000 members in one call",
	CodeDuplicateMember:  "the same member twice in one call",
	CodeInvalidForIDType: "an ID is not valid for this content and identifier type",
	CodeUserNotFound:     "no user with this identifier",
	CodeUserNotFoundType: "no user with this identifier of this type",
	CodePerSecond:        "more than the institution's requests per second",
	CodeDaily:            "the institution's daily API budget is used up",
}

// parseErrorBody reads Alma's error list from a JSON or XML body; it returns nil when
// the body is neither (a proxy's HTML page, an empty body).
func parseErrorBody(body []byte) []ErrorDetail {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0:
		return nil
	case b[0] == '{':
		var j struct {
			ErrorList struct {
				Error oneOrMany[ErrorDetail] `json:"error"`
			} `json:"errorList"`
		}
		if json.Unmarshal(b, &j) == nil {
			return j.ErrorList.Error
		}
	case b[0] == '<':
		var x struct {
			Errors []ErrorDetail `xml:"errorList>error"`
		}
		if xml.Unmarshal(b, &x) == nil {
			return x.Errors
		}
	}
	return nil
}

// Stop is a clean stop before a call: the daily budget floor, --max-calls, or Alma's
// daily threshold. Nothing was sent for the call that would have crossed it.
type Stop struct {
	Reason string
}

func (e *Stop) Error() string { return "stopped before the next Alma call: " + e.Reason }

// IsStop reports whether err is a clean budget stop.
func IsStop(err error) bool {
	var s *Stop
	return errors.As(err, &s)
}

// Mismatch is a disagreement between the run and Alma (exit 5); Findings say what,
// without IDs.
type Mismatch struct {
	What     string
	Findings []string
}

func (e *Mismatch) Error() string {
	return fmt.Sprintf("%s: %d findings: %s", e.What, len(e.Findings), strings.Join(e.Findings, "; "))
}

// scrubbed hides the API key in any text the client produces, in case a server or a
// proxy echoes the request back. Keys shorter than 8 bytes are refused by New, so
// the replacement cannot eat ordinary words.
type scrubbed struct {
	err error
	key string
}

func (e scrubbed) Error() string { return scrub(e.err.Error(), e.key) }
func (e scrubbed) Unwrap() error { return e.err }

func scrub(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[api key removed]")
}
