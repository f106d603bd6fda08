package alma

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// Limits of the client (DOMAIN.md "Alma REST API").
const (
	DefaultRate         = 10    // requests per second
	MaxRate             = 25    // Alma's limit per institution
	DefaultMinRemaining = 10000 // X-Exl-Api-Remaining floor
	maxBody             = 8 << 20
	RemainingHeader     = "X-Exl-Api-Remaining"
)

// Config is how a Client talks to Alma. The key is never logged, never part of an
// error and never written anywhere.
type Config struct {
	BaseURL      string // the regional API gateway, e.g. https://api-eu.hosted.exlibrisgroup.com
	APIKey       string
	Rate         float64 // requests per second; 0 is DefaultRate
	MinRemaining int64   // stop when X-Exl-Api-Remaining falls below this
	MaxCalls     int     // stop before call MaxCalls+1; 0 is no limit
	Retries      int     // retries of a 429 or of a failed GET; 0 is 6
	Backoff      time.Duration
	Timeout      time.Duration // per request; 0 is two minutes
	Transport    http.RoundTripper
	Log          *zerolog.Logger
	UserAgent    string
}

// Client sends the allowlisted requests, one at a time, within the rate.
type Client struct {
	base    *url.URL
	key     string
	http    *http.Client
	limiter *rate.Limiter
	cfg     Config
	log     zerolog.Logger

	mu        sync.Mutex
	calls     int
	remaining int64 // -1 until an answer carried the header
}

// New checks the configuration and returns a client; nothing is sent.
func New(cfg Config) (*Client, error) {
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := checkKey(cfg.APIKey); err != nil {
		return nil, err
	}
	switch {
	case cfg.Rate == 0:
		cfg.Rate = DefaultRate
	case cfg.Rate < 0 || cfg.Rate > MaxRate:
		return nil, fmt.Errorf("--rate %g: want more than 0 and at most %d requests per second (Alma's limit for the whole institution)", cfg.Rate, MaxRate)
	}
	if cfg.MaxCalls < 0 || cfg.MinRemaining < 0 {
		return nil, errors.New("--max-calls and --min-remaining cannot be negative")
	}
	if cfg.Retries == 0 {
		cfg.Retries = 6
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Minute
	}
	next := cfg.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := &Client{base: base, key: cfg.APIKey, cfg: cfg, remaining: -1,
		limiter: rate.NewLimiter(rate.Limit(cfg.Rate), 1), log: zerolog.Nop()}
	if cfg.Log != nil {
		c.log = *cfg.Log
	}
	c.http = &http.Client{
		Transport: guard{next: next, basePath: strings.TrimSuffix(base.EscapedPath(), "/")},
		Timeout:   cfg.Timeout,
		// A redirect could carry the key elsewhere or turn a POST into a GET: Alma
		// does not redirect API calls, so one is an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func checkBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("--alma-url %q: want the API gateway of your region, such as https://api-eu.hosted.exlibrisgroup.com", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("--alma-url must hold no user, query or fragment (the API key comes from ALMA_API_KEY only)")
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("--alma-url %s: the key would travel unencrypted; use https", u.Redacted())
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/almaws/v1")
	u.RawPath = ""
	return u, nil
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("no API key: set the environment variable ALMA_API_KEY (purgeset takes the key from nowhere else)")
	}
	if len(key) < 8 {
		return errors.New("ALMA_API_KEY is too short to be an Alma API key")
	}
	for _, r := range key {
		if r <= ' ' || r == 0x7f {
			return errors.New("ALMA_API_KEY holds white space or a control character: copy the key again")
		}
	}
	return nil
}

// Calls is how many requests were sent, retries included.
func (c *Client) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Remaining is the last X-Exl-Api-Remaining seen, or -1.
func (c *Client) Remaining() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remaining
}

// Budget says whether n more calls fit under --max-calls and above --min-remaining,
// as far as the client knows; "" when they do.
func (c *Client) Budget(n int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.MaxCalls > 0 && c.calls+n > c.cfg.MaxCalls {
		return fmt.Sprintf("%d more calls are needed, and --max-calls %d allows %d more", n, c.cfg.MaxCalls, c.cfg.MaxCalls-c.calls)
	}
	if c.remaining >= 0 && c.remaining-int64(n) < c.cfg.MinRemaining {
		return fmt.Sprintf("%d more calls are needed; Alma has %d left today and --min-remaining is %d", n, c.remaining, c.cfg.MinRemaining)
	}
	return ""
}

// reserve counts one call, or says why it may not be sent.
func (c *Client) reserve() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.MaxCalls > 0 && c.calls >= c.cfg.MaxCalls {
		return &Stop{Reason: fmt.Sprintf("--max-calls %d reached", c.cfg.MaxCalls)}
	}
	if c.remaining >= 0 && c.remaining < c.cfg.MinRemaining {
		return &Stop{Reason: fmt.Sprintf("Alma has %d calls left today, below --min-remaining %d", c.remaining, c.cfg.MinRemaining)}
	}
	c.calls++
	return nil
}

func (c *Client) noteRemaining(h http.Header) {
	v := h.Get(RemainingHeader)
	if v == "" {
		return
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return
	}
	c.mu.Lock()
	c.remaining = n
	c.mu.Unlock()
}

// errTooLarge is an answer above maxBody: not Alma's, or not one purgeset can use.
var errTooLarge = fmt.Errorf("the answer is larger than %d MiB", maxBody>>20)

// OutcomeUnknown is a POST whose answer was lost (a cut connection, a timeout, a 5xx):
// Alma may or may not have done it. A POST is never retried blindly; the caller reads
// the state back.
type OutcomeUnknown struct {
	Route Route
	Err   error
}

func (e *OutcomeUnknown) Error() string {
	return fmt.Sprintf("%s: no answer (%v); Alma may or may not have done it", e.Route, e.Err)
}
func (e *OutcomeUnknown) Unwrap() error { return e.Err }

// do sends one allowlisted request and decodes a JSON answer into out. Path
// parameters are escaped one segment each.
func (c *Client) do(ctx context.Context, route Route, params []string, query url.Values, in, out any) error {
	err := c.send(ctx, route, params, query, in, out)
	if err != nil && !errors.Is(err, context.Canceled) {
		return scrubbed{err, c.key}
	}
	return err
}

func (c *Client) send(ctx context.Context, route Route, params []string, query url.Values, in, out any) error {
	u, err := c.url(route, params, query)
	if err != nil {
		return err
	}
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	idempotent := route.Method == http.MethodGet
	delay := c.cfg.Backoff
	for attempt := 0; ; attempt++ {
		if err := c.reserve(); err != nil {
			return err
		}
		if err := c.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		status, hdr, b, err := c.roundTrip(ctx, route, u, body)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrNotAllowed), errors.Is(err, errTooLarge):
			return fmt.Errorf("%s: %w", route, err) // the same request would fail the same way
		case err != nil && idempotent && attempt < c.cfg.Retries:
			c.log.Warn().Str("route", route.String()).Int("attempt", attempt+1).Dur("retry_in", delay).Msg("Alma did not answer; retrying")
			if err := sleep(ctx, delay); err != nil {
				return err
			}
			delay = min(delay*2, 30*time.Second)
			continue
		case err != nil && idempotent:
			return fmt.Errorf("%s: no answer after %d tries: %w", route, attempt+1, err)
		case err != nil:
			return &OutcomeUnknown{Route: route, Err: err}
		}
		if status >= 200 && status < 300 {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("%s: Alma's answer is not the JSON purgeset expects: %v", route, err)
			}
			return nil
		}
		apiErr := &APIError{Route: route, Status: status, Errors: parseErrorBody(b)}
		switch {
		case status == http.StatusTooManyRequests && apiErr.Has(CodeDaily):
			return &Stop{Reason: "Alma's daily API budget for the institution is used up (" + CodeDaily + ")"}
		case status == http.StatusTooManyRequests && attempt < c.cfg.Retries:
			// A PER_SECOND_THRESHOLD answer means the request was refused, not done,
			// so even a POST may be sent again; an add_members that did land after
			// all is caught as 60115 and read back.
			wait := max(delay, retryAfter(hdr))
			c.log.Info().Str("route", route.String()).Dur("retry_in", wait).Msg("Alma asked to slow down (429); retrying")
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			delay = min(delay*2, 30*time.Second)
			continue
		case status >= 500 && idempotent && attempt < c.cfg.Retries:
			c.log.Warn().Str("route", route.String()).Int("status", status).Dur("retry_in", delay).Msg("Alma failed; retrying")
			if err := sleep(ctx, delay); err != nil {
				return err
			}
			delay = min(delay*2, 30*time.Second)
			continue
		case status >= 500 && !idempotent:
			return &OutcomeUnknown{Route: route, Err: apiErr}
		}
		return apiErr
	}
}

func (c *Client) url(route Route, params []string, query url.Values) (string, error) {
	segs := strings.Split(route.Path, "/")
	j := 0
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			if j >= len(params) || params[j] == "" {
				return "", fmt.Errorf("%s: a path parameter is empty", route)
			}
			segs[i] = url.PathEscape(params[j])
			j++
		}
	}
	if j != len(params) {
		return "", fmt.Errorf("%s: %d path parameters for %d places", route, len(params), j)
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	if route.Op != "" {
		q.Set("op", route.Op)
	}
	u := *c.base
	u.RawPath = strings.TrimSuffix(c.base.EscapedPath(), "/") + strings.Join(segs, "/")
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return "", err
	}
	u.Path = p
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// roundTrip sends one request and reads at most maxBody bytes of the answer.
func (c *Client) roundTrip(ctx context.Context, route Route, u string, body []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, route.Method, u, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "apikey "+c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, transportError(err)
	}
	defer resp.Body.Close()
	c.noteRemaining(resp.Header)
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, transportError(err)
	}
	if len(b) > maxBody {
		return 0, nil, nil, errTooLarge
	}
	if resp.StatusCode >= 300 {
		// An error body may echo the request (a proxy, a debugging gateway): the key
		// must not travel on inside an APIError.
		b = []byte(scrub(scrub(string(b), c.key), url.QueryEscape(c.key)))
	}
	return resp.StatusCode, resp.Header, b, nil
}

// transportError drops the URL that net/http puts into its errors: the path may hold
// an ID.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, ErrNotAllowed) {
			return ue.Err
		}
		if ue.Timeout() {
			return errors.New("timed out")
		}
		return ue.Err
	}
	return err
}

func retryAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0
	}
	return min(time.Duration(s)*time.Second, time.Minute)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
