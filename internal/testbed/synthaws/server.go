package synthaws

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

// Server answers AWS calls for one generated account.
type Server struct {
	sizes Sizes

	mu      sync.Mutex
	unknown map[string]int // calls it has no answer for, by service:action
}

// New returns the responder of the account sizes describes.
func New(sizes Sizes) *Server {
	if sizes.VPCs < 1 {
		sizes.VPCs = 1
	}
	if sizes.SubnetsPerVPC < 1 {
		sizes.SubnetsPerVPC = 1
	}
	return &Server{sizes: sizes, unknown: map[string]int{}}
}

// Sizes is what the server generates.
func (s *Server) Sizes() Sizes { return s.sizes }

// Unknown are the calls answered with an error because the responder has
// no answer for them (a step added since: teach the responder).
func (s *Server) Unknown() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.unknown))
	for k, v := range s.unknown {
		out[k] = v
	}
	return out
}

// Listen serves on a free port of 127.0.0.1 until the listener is closed;
// it returns the endpoint URL.
func (s *Server) Listen() (url string, ln net.Listener, err error) {
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() { _ = http.Serve(ln, s) }()
	return "http://" + ln.Addr().String(), ln, nil
}

// ServeHTTP routes by the signing service of the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	svc := testbed.Service(r)
	switch svc {
	case "ec2", "iam", "sts", "elasticloadbalancing":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch svc {
		case "ec2":
			s.ec2(w, form, testbed.Region(r))
		case "iam":
			s.iam(w, form)
		case "sts":
			s.sts(w, form)
		default:
			s.elbv2(w, form)
		}
	case "s3":
		s.s3(w, r)
	case "lambda", "apigateway":
		s.rest(w, r, svc)
	case "config", "tagging":
		s.json(w, r, svc)
	default:
		s.unknownCall(w, svc, r.Method+" "+r.URL.Path)
	}
}

func (s *Server) unknownCall(w http.ResponseWriter, svc, op string) {
	s.mu.Lock()
	s.unknown[svc+":"+op]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>synthaws has no answer for `+
		svc+":"+op+`</Message></Error><RequestId>synthetic</RequestId></ErrorResponse>`)
}

// window is the page [start, end) of n items for a request's token and
// page size, and the token of the next page ("" after the last). Tokens are
// the next index, opaque to the SDK paginators.
func (s *Server) window(token, maxItems string, n int) (start, end int, next string) {
	if token != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(token, "synth-"))
	}
	size, _ := strconv.Atoi(maxItems)
	if size <= 0 {
		size = 1000
	}
	if s.sizes.PageSize > 0 {
		size = min(size, s.sizes.PageSize)
	}
	start = min(max(start, 0), n)
	end = min(start+size, n)
	if end < n {
		next = "synth-" + strconv.Itoa(end)
	}
	return start, end, next
}

const elbNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// elbv2 answers every list with none: the account has no load balancers.
func (s *Server) elbv2(w http.ResponseWriter, form url.Values) {
	lists := map[string]string{
		"DescribeLoadBalancers": "LoadBalancers", "DescribeTargetGroups": "TargetGroups", "DescribeListeners": "Listeners",
		"DescribeRules": "Rules", "DescribeTargetHealth": "TargetHealthDescriptions",
	}
	action := form.Get("Action")
	list, ok := lists[action]
	if !ok {
		s.unknownCall(w, "elasticloadbalancing", action)
		return
	}
	queryResult(w, elbNS, action, func(d *doc) { d.open(list).close(list) })
}

// rest answers Lambda ListFunctions and API Gateway GetRestApis with none.
func (s *Server) rest(w http.ResponseWriter, r *http.Request, svc string) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case svc == "lambda" && path == "/2015-03-31/functions":
		writeJSON(w, `{"Functions":[]}`)
	case svc == "apigateway" && path == "/restapis":
		writeJSON(w, `{"item":[]}`)
	default:
		s.unknownCall(w, svc, r.Method+" "+r.URL.Path)
	}
}

// json answers the JSON-protocol lists (Config rules, tagged resources) with none.
func (s *Server) json(w http.ResponseWriter, r *http.Request, svc string) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	answers := map[string]string{
		"DescribeConfigRules":            `{"ConfigRules":[]}`,
		"DescribeComplianceByConfigRule": `{"ComplianceByConfigRules":[]}`,
		"ListTagsForResource":            `{"Tags":[]}`,
		"GetResources":                   `{"ResourceTagMappingList":[],"PaginationToken":""}`,
	}
	a, ok := answers[op]
	if !ok {
		s.unknownCall(w, svc, op)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = io.WriteString(w, a)
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}
