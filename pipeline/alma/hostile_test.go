package alma

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A server that answers nonsense must not make the client panic, loop, or allocate by
// the numbers it claims.
func TestHostileAnswers(t *testing.T) {
	var calls atomic.Int64
	mode := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch {
		case mode == "huge":
			w.Write([]byte(`{"name":"`))
			chunk := []byte(strings.Repeat("x", 1<<20))
			for i := 0; i < 20; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case mode == "garbage":
			w.Write([]byte("\x00\xff{not json"))
		case strings.HasSuffix(r.URL.Path, "/members") && mode == "empty-pages":
			w.Write([]byte(`{"total_record_count": 1000000000000}`))
		case strings.HasSuffix(r.URL.Path, "/members") && mode == "endless":
			var b strings.Builder
			b.WriteString(`{"total_record_count": "1000000000000", "member": [`)
			for i := 0; i < PageSize; i++ {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"id": "x%d-%d"}`, calls.Load(), i)
			}
			b.WriteString("]}")
			w.Write([]byte(b.String()))
		default:
			w.Write([]byte(`{"id": 12, "number_of_members": {"value": "3"}, "content": {"value": "USER"}}`))
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, APIKey: testKey, Rate: MaxRate})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	mode = "huge"
	if _, err := c.GetSet(ctx, "1"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge: %v", err)
	}
	mode = "garbage"
	if _, err := c.GetSet(ctx, "1"); err == nil {
		t.Error("garbage accepted")
	}
	for _, m := range []string{"empty-pages", "endless"} {
		mode = m
		calls.Store(0)
		chk, err := VerifySet(ctx, c, "12", []string{"a", "b", "c"}, nil)
		if err != nil || chk.OK() {
			t.Errorf("%s: %v %v", m, err, chk)
		}
		if n := calls.Load(); n > 4 {
			t.Errorf("%s: %d calls for a set of 3", m, n)
		}
	}
}
