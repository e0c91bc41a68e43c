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
// policies, several resource policies, wildcard-only requests) are counted
// as not applicable.
//
// Measured on the corpus of iam-simulate commit 46890ef (release 0.1.172):
// 431 cases, 299 applicable. Before the IAM-side rules (internal/policy
// iamrules.go) 246 agreed; after, 275. The 24 left are 15 cases whose
// resource policy writes Principal as a bare ARN string, which the IAM
// policy grammar does not allow ("Principal": "*" or a map) and Parse
// rejects, and 9 requests whose resource is itself a wildcard ("*" or a
// pattern), which no real AWS request carries.
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

func (c *corpusCase) applicable() bool {
	return c.Simulation == nil && c.ResourceControlPolicies == nil && c.EndpointPolicies == nil &&
		c.SessionPolicy == nil && c.ResourcePolicies == nil && !c.Request.WildcardOnlyAction &&
		c.principal() != ""
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
		if in.ResourcePolicy, err = policy.Parse(string(c.ResourcePolicy)); err != nil {
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

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: corpusreplay DIR [-v]")
		os.Exit(2)
	}
	verbose := len(os.Args) > 2 && os.Args[2] == "-v"
	var files []string
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
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
	total, skipped, agree, parseErr := 0, 0, 0, 0
	var disagree []string
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
			c := &cases[i]
			total++
			if !c.applicable() {
				skipped++
				continue
			}
			got, err := evaluate(c)
			switch {
			case err != nil:
				parseErr++
				disagree = append(disagree, fmt.Sprintf("%s: %q: policy does not parse: %v", rel(f), c.Name, err))
			case got == c.Expected.Response:
				agree++
			default:
				disagree = append(disagree, fmt.Sprintf("%s: %q: ours %s, expected %s", rel(f), c.Name, got, c.Expected.Response))
			}
		}
	}
	fmt.Printf("cases %d, not applicable %d, applicable %d: agree %d, disagree %d (of which %d do not parse)\n",
		total, skipped, total-skipped, agree, len(disagree), parseErr)
	if verbose {
		for _, d := range disagree {
			fmt.Println(d)
		}
	}
}

func rel(p string) string {
	if r, err := filepath.Rel(os.Args[1], p); err == nil {
		return r
	}
	return p
}
