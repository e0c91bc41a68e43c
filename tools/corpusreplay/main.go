// Command corpusreplay replays a directory of request/expected-decision
// cases in the JSON shape of @cloud-copilot/iam-simulate's core-engine tests
// (src/core_engine/coreEngineTests) against internal/policy.Evaluate and
// prints how many agree. The corpus is not shipped in the package's npm
// tarball, so CI cannot obtain it (no network but package registries); this
// is a local measurement tool, not a test. Usage:
//
//	go run ./tools/corpusreplay DIR [-v]
//
// Cases that use what the evaluator does not model (discovery-mode
// "simulation", resource control policies, VPC endpoint policies, session
// policies, several resource policies, wildcard-only actions, the anonymous
// principal) are counted as not applicable, and so are requests whose
// resource is a pattern: AWS authorizes one concrete resource per request,
// and the corpus's answers for a set of resources (an Allow counts when its
// pattern intersects the set, a Deny only when it covers all of it) are
// iam-simulate's convention. A request on "*" stays applicable when every
// Resource in the case is "*" (then the pattern reading and AWS's — "*" is
// the resource of an action with no resource type — agree). The tool
// prints the count per reason.
//
// A resource policy written `"Principal": "<ARN>"` is read as
// `{"AWS": "<ARN>"}`, as iam-simulate reads it. AWS refuses that form (the
// IAM policy grammar allows "*" or a principal map; S3 answers "Invalid
// principal in policy"), so Parse rejects it and no collected policy
// carries it; the rewrite lets those cases test what they are about
// (boundaries against resource policies).
//
// Measured on the corpus of iam-simulate commit 46890ef (release 0.1.172),
// 431 cases. Before the IAM-side rules (internal/policy iamrules.go): 299
// applicable, 246 agreed; after: 275. Then 24 disagreed: 15 bare-ARN
// principals (Parse error) and 9 pattern requests. With the rewrite and
// the pattern rule (2026-12-04): 276 applicable, 276 agree, 0 disagree
// (15 of them rewritten); 23 pattern requests not applicable (14 had
// agreed by matching the pattern literally, 9 had not — one of those,
// ec2:DescribeInstances on "*" allowed only on an instance ARN, is denied
// by AWS, whose Service Authorization Reference requires Resource "*" for
// an action without resource types, while the corpus expects Allowed).
package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/policy"
)

type corpusCase struct {
	Name    string `json:"name"`
	Request struct {
		Action   string `json:"action"`
		Resource struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		Principal          json.RawMessage `json:"principal"`
		Context            map[string]any  `json:"context"`
		WildcardOnlyAction bool            `json:"wildcardOnlyAction"`
	} `json:"request"`
	IdentityPolicies       []json.RawMessage `json:"identityPolicies"`
	ResourcePolicy         json.RawMessage   `json:"resourcePolicy"`
	PermissionBoundaries   []json.RawMessage `json:"permissionBoundaries"`
	ServiceControlPolicies []struct {
		Policies []json.RawMessage `json:"policies"`
	} `json:"serviceControlPolicies"`
	Simulation              json.RawMessage `json:"simulation"`
	ResourceControlPolicies json.RawMessage `json:"resourceControlPolicies"`
	EndpointPolicies        json.RawMessage `json:"endpointPolicies"`
	SessionPolicy           json.RawMessage `json:"sessionPolicy"`
	ResourcePolicies        json.RawMessage `json:"resourcePolicies"`
	Expected                struct {
		Response string `json:"response"`
	} `json:"expected"`
}

// notApplicable names why the evaluator cannot answer c the way AWS would,
// or "" when it can.
func (c *corpusCase) notApplicable() string {
	switch {
	case c.Simulation != nil:
		return "discovery-mode simulation"
	case c.ResourceControlPolicies != nil:
		return "resource control policies"
	case c.EndpointPolicies != nil:
		return "VPC endpoint policies"
	case c.SessionPolicy != nil:
		return "session policy"
	case c.ResourcePolicies != nil:
		return "several resource policies"
	case c.Request.WildcardOnlyAction:
		return "wildcard-only action"
	case c.principal() == "":
		return "anonymous principal"
	case c.Request.Resource.Resource == "*" && !c.onlyStarResources():
		// The corpus gives "*" two meanings: the resource AWS evaluates for
		// an action with no resource type (s3:ListAllMyBuckets,
		// ec2:DescribeInstances), which only a Resource "*" matches; and a
		// pattern, which iam-simulate lets any intersecting Resource match.
		// The readings agree when every Resource is "*"; otherwise the case
		// is the pattern reading, which is not an AWS request.
		return "request resource is a wildcard pattern"
	case c.Request.Resource.Resource != "*" && strings.ContainsAny(c.Request.Resource.Resource, "*?"):
		// AWS authorizes one concrete resource per request; a pattern is a
		// set of resources, for which iam-simulate answers with its own
		// convention (an Allow counts if its pattern intersects the set, a
		// Deny only if it covers all of it), not an AWS decision.
		return "request resource is a wildcard pattern"
	}
	return ""
}

// principal is the request's principal ARN or service; "" for the anonymous
// principal ({"type": "Anonymous"}), which the evaluator does not model.
func (c *corpusCase) principal() string {
	var s string
	if json.Unmarshal(c.Request.Principal, &s) != nil {
		return ""
	}
	return s
}

// onlyStarResources reports whether every Resource and NotResource of the
// case's policies is "*".
func (c *corpusCase) onlyStarResources() bool {
	raws := append(append([]json.RawMessage{c.ResourcePolicy}, c.IdentityPolicies...), c.PermissionBoundaries...)
	for _, l := range c.ServiceControlPolicies {
		raws = append(raws, l.Policies...)
	}
	for _, raw := range raws {
		var doc struct {
			Statement json.RawMessage
		}
		if len(raw) == 0 || json.Unmarshal(raw, &doc) != nil {
			continue
		}
		var stmts []map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &stmts) != nil {
			var one map[string]json.RawMessage
			if json.Unmarshal(doc.Statement, &one) != nil {
				return false
			}
			stmts = append(stmts, one)
		}
		for _, st := range stmts {
			for _, k := range []string{"Resource", "NotResource"} {
				if v, ok := st[k]; ok && !starOnly(v) {
					return false
				}
			}
		}
	}
	return true
}

// starOnly: v is "*" or a list of "*".
func starOnly(v json.RawMessage) bool {
	var one string
	if json.Unmarshal(v, &one) == nil {
		return one == "*"
	}
	var list []string
	if json.Unmarshal(v, &list) != nil {
		return false
	}
	for _, s := range list {
		if s != "*" {
			return false
		}
	}
	return true
}

// bareARNPrincipal rewrites a resource policy's `"Principal": "<ARN>"` (a
// string other than "*") as `{"AWS": "<ARN>"}`, the meaning iam-simulate
// (through @cloud-copilot/iam-policy) gives it, and reports whether it did.
// AWS itself refuses the bare form ("Principal": "*" or a principal map, IAM
// policy grammar; S3 answers "Invalid principal in policy"), so Parse
// rejects it and no collected policy carries it; the cases are about
// boundaries and resource policies, which the rewrite lets us evaluate.
func bareARNPrincipal(raw json.RawMessage) (json.RawMessage, bool) {
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return raw, false
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	changed := false
	for _, st := range stmts {
		m, ok := st.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"Principal", "NotPrincipal"} {
			if v, ok := m[k].(string); ok && v != "*" {
				m[k] = map[string]any{"AWS": v}
				changed = true
			}
		}
	}
	if !changed {
		return raw, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return raw, false
	}
	return out, true
}

func parseDocs(raws []json.RawMessage) ([]*policy.Document, error) {
	var out []*policy.Document
	for _, r := range raws {
		d, err := policy.Parse(string(r))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func contextOf(m map[string]any) policy.Context {
	vals := map[string][]string{}
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			vals[k] = []string{}
			for _, e := range x {
				vals[k] = append(vals[k], fmt.Sprint(e))
			}
		default:
			vals[k] = []string{fmt.Sprint(x)}
		}
	}
	return policy.Context{Values: vals, Decidable: policy.AllDecidable}
}

// evaluate returns our decision for c, or an error if a policy does not parse.
func evaluate(c *corpusCase) (string, error) {
	var in policy.Input
	var err error
	if in.IdentityPolicies, err = parseDocs(c.IdentityPolicies); err != nil {
		return "", err
	}
	if in.PermissionBoundaries, err = parseDocs(c.PermissionBoundaries); err != nil {
		return "", err
	}
	if len(c.ResourcePolicy) > 0 && string(c.ResourcePolicy) != "null" {
		rp, _ := bareARNPrincipal(c.ResourcePolicy)
		if in.ResourcePolicy, err = policy.Parse(string(rp)); err != nil {
			return "", err
		}
	}
	for _, lvl := range c.ServiceControlPolicies {
		docs, err := parseDocs(lvl.Policies)
		if err != nil {
			return "", err
		}
		in.SCPs = append(in.SCPs, docs)
	}
	req := policy.Request{
		Principal: c.principal(), Action: c.Request.Action,
		Resource: c.Request.Resource.Resource, ResourceAccount: c.Request.Resource.AccountID,
		Context: contextOf(c.Request.Context),
	}
	r := policy.Evaluate(in, req)
	if r.Decision == policy.ConditionallyAllowed {
		return "ConditionallyAllowed", nil
	}
	return r.Decision.String(), nil
}

// tally is the replay's outcome.
type tally struct {
	total, skipped, agree, parseErr, rewritten int
	disagree                                   []string
	reasons                                    map[string]int
}

// args are the command line: DIR and -v, in any order.
type args struct {
	dir     string
	verbose bool
}

func parseArgs() args {
	var a args
	for _, arg := range os.Args[1:] {
		if arg == "-v" {
			a.verbose = true
		} else {
			a.dir = arg
		}
	}
	if a.dir == "" {
		fmt.Fprintln(os.Stderr, "usage: corpusreplay DIR [-v]")
		os.Exit(2)
	}
	return a
}

func main() {
	a := parseArgs()
	var files []string
	err := filepath.WalkDir(a.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sort.Strings(files)
	t := &tally{reasons: map[string]int{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var cases []corpusCase
		if err := json.Unmarshal(b, &cases); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			os.Exit(1)
		}
		for i := range cases {
			t.replay(rel(a.dir, f), &cases[i])
		}
	}
	t.print(a.verbose)
}

// replay evaluates one case and records the outcome.
func (t *tally) replay(file string, c *corpusCase) {
	t.total++
	if why := c.notApplicable(); why != "" {
		t.skipped++
		t.reasons[why]++
		return
	}
	if _, ok := bareARNPrincipal(c.ResourcePolicy); ok {
		t.rewritten++
	}
	got, err := evaluate(c)
	switch {
	case err != nil:
		t.parseErr++
		t.disagree = append(t.disagree, fmt.Sprintf("%s: %q: policy does not parse: %v", file, c.Name, err))
	case got == c.Expected.Response:
		t.agree++
	default:
		t.disagree = append(t.disagree, fmt.Sprintf("%s: %q: ours %s, expected %s", file, c.Name, got, c.Expected.Response))
	}
}

func (t *tally) print(verbose bool) {
	fmt.Printf("cases %d, not applicable %d, applicable %d: agree %d, disagree %d (of which %d do not parse)\n",
		t.total, t.skipped, t.total-t.skipped, t.agree, len(t.disagree), t.parseErr)
	fmt.Printf("applicable cases whose resource policy's bare-ARN Principal was read as {\"AWS\": ARN}: %d\n", t.rewritten)
	var whys []string
	for w := range t.reasons {
		whys = append(whys, w)
	}
	sort.Strings(whys)
	for _, w := range whys {
		fmt.Printf("not applicable: %s: %d\n", w, t.reasons[w])
	}
	if verbose {
		for _, d := range t.disagree {
			fmt.Println(d)
		}
	}
}

func rel(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return r
	}
	return p
}
