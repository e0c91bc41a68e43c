package testbed

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault answers matching requests instead of moto: a wire-level fake for
// what moto cannot do (throttle, deny one call while auth is off, ...).
type Fault struct {
	// Match decides whether the fault applies; body is the request body.
	Match func(r *http.Request, body []byte) bool
	// Times limits how often it fires (0 = always).
	Times int
	// Status and Body are the answer, e.g. 400 and an AWS XML error.
	Status int
	Body   string
	// ContentType of Body (default text/xml).
	ContentType string
	// Delay holds the request this long first (until the client gives up);
	// with Status 0 the request then goes on to moto: a slow server.
	Delay time.Duration
	// Reset closes the connection without an answer: a connection reset.
	Reset bool
	// Drop closes the connection cleanly (FIN) without an answer: the
	// client reads EOF where a response should be.
	Drop bool

	fired int
}

// FaultProxy sits between the collector and moto and injects faults.
type FaultProxy struct {
	URL string

	mu     sync.Mutex
	faults []*Fault
	hits   map[string]int
}

// NewFaultProxy starts a proxy in front of m, closed when the test ends.
func (m *Moto) NewFaultProxy(t testing.TB) *FaultProxy {
	target, err := url.Parse(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	fp := &FaultProxy{hits: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		fp.mu.Lock()
		fp.hits[Operation(r, body)]++
		var hit *Fault
		for _, f := range fp.faults {
			if (f.Times == 0 || f.fired < f.Times) && f.Match(r, body) {
				f.fired++
				hit = f
				break
			}
		}
		fp.mu.Unlock()
		if hit != nil && hit.Delay > 0 {
			select {
			case <-time.After(hit.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if hit != nil && (hit.Reset || hit.Drop) {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					if tc, ok := c.(*net.TCPConn); ok && hit.Reset {
						tc.SetLinger(0) // RST, not FIN
					}
					c.Close()
				}
			}
			return
		}
		if hit != nil && hit.Status != 0 {
			ct := hit.ContentType
			if ct == "" {
				ct = "text/xml"
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(hit.Status)
			io.WriteString(w, hit.Body)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	fp.URL = srv.URL
	return fp
}

// Add installs a fault.
func (fp *FaultProxy) Add(f *Fault) {
	fp.mu.Lock()
	fp.faults = append(fp.faults, f)
	fp.mu.Unlock()
}

// Fired reports how often f has answered a request.
func (fp *FaultProxy) Fired(f *Fault) int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return f.fired
}

// Clear removes every fault.
func (fp *FaultProxy) Clear() {
	fp.mu.Lock()
	fp.faults = nil
	fp.mu.Unlock()
}

// Hits returns how many requests of an operation ("ec2:DescribeVpcs") passed
// through the proxy, faults included: an outside count of API calls.
func (fp *FaultProxy) Hits() map[string]int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	out := map[string]int{}
	for k, v := range fp.hits {
		out[k] = v
	}
	return out
}

// Service returns the signing service of a request (from its SigV4 scope).
func Service(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(parts) >= 4 {
		return parts[3]
	}
	return ""
}

// Region returns the signing region of a request.
func Region(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(parts) >= 3 {
		return parts[2]
	}
	return ""
}

// Operation names a request as "service:Action" for query and JSON
// protocols, and "service:METHOD path?names" for REST protocols (the names
// of the query parameters, sorted: S3's ?versioning, ?encryption ... are
// operations of their own).
func Operation(r *http.Request, body []byte) string {
	svc := Service(r)
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return svc + ":" + t[strings.LastIndex(t, ".")+1:]
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
		return svc + ":" + v.Get("Action")
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return svc + ":" + a
	}
	op := svc + ":" + r.Method + " " + r.URL.Path
	if q := r.URL.Query(); len(q) > 0 {
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		op += "?" + strings.Join(names, "&")
	}
	return op
}

// IsAction matches query-protocol requests (EC2, IAM, STS) by service,
// action and, when region is not "", signing region.
func IsAction(service, action, region string) func(*http.Request, []byte) bool {
	return func(r *http.Request, body []byte) bool {
		return Service(r) == service && Operation(r, body) == service+":"+action && (region == "" || Region(r) == region)
	}
}

// AWSQueryError is the XML body of a query-protocol (IAM/STS-style) error.
func AWSQueryError(code, msg string) string {
	return `<ErrorResponse><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + msg + `</Message></Error><RequestId>fault</RequestId></ErrorResponse>`
}

// EC2Error is the XML body of an EC2 error.
func EC2Error(code, msg string) string {
	return `<Response><Errors><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error></Errors><RequestID>fault</RequestID></Response>`
}

// S3Error is the XML body of an S3 error.
func S3Error(code, msg string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message><RequestId>fault</RequestId></Error>`
}

// ErrorFault answers matching requests with an AWS error in the protocol of
// service (the signing name: ec2, iam, sts, elasticloadbalancing, s3,
// lambda, apigateway, config, tagging), as AWS itself would send it.
func ErrorFault(service string, match func(*http.Request, []byte) bool, status int, code, msg string) *Fault {
	f := &Fault{Match: match, Status: status}
	switch service {
	case "ec2":
		f.Body = EC2Error(code, msg)
	case "iam", "sts", "elasticloadbalancing":
		f.Body = AWSQueryError(code, msg)
	case "s3":
		f.Body = S3Error(code, msg)
	default: // JSON and REST-JSON protocols
		f.ContentType = "application/json"
		f.Body = `{"__type":"` + code + `","message":"` + msg + `"}`
	}
	return f
}
