package alma

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/purgeset/purgeset/pipeline/alma/almafake"
)

// testKey is long and unusual so that a search for it finds nothing by chance.
const testKey = "l7xxTESTKEY0123456789abcdefSECRET"

func newFake(t *testing.T) *almafake.Server {
	t.Helper()
	f := almafake.New(testKey)
	t.Cleanup(f.Close)
	return f
}

func newClient(t *testing.T, f *almafake.Server, tweak ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: f.URL, APIKey: testKey, Rate: MaxRate, Backoff: time.Millisecond, Timeout: 5 * time.Second}
	for _, tw := range tweak {
		tw(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rate == MaxRate {
		// Tests that do not measure the rate need not wait for it.
		c.limiter = rate.NewLimiter(rate.Inf, 1)
	}
	return c
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("s%07d", i+1)
	}
	return out
}

// checkAllowed fails on any request the fake received that is not on the allowlist.
func checkAllowed(t *testing.T, f *almafake.Server) map[Route]int {
	t.Helper()
	hit := map[Route]int{}
	for _, r := range f.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		route, ok := allowed(r.Method, r.Path, q)
		if !ok {
			t.Errorf("request outside the allowlist reached the server: %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		hit[route]++
	}
	return hit
}

func upload(t *testing.T, c *Client, list []string) (*UploadResult, error) {
	t.Helper()
	return Upload(context.Background(), c, list, "purge test", "purgeset run 0123456789abcdef", nil)
}
