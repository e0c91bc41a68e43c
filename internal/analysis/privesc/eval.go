package privesc

import (
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// AdminProbeAction is the action isAdmin evaluates on "*": a name no real
// policy lists, so only patterns that cover every IAM action ("*", "*:*",
// "iam:*", NotAction that leaves IAM in) allow it. The definition:
// `*` on `*`, or the iam:* control that lets a principal grant itself
// anything.
const AdminProbeAction = "iam:AwsgraphAdministratorProbe"

// allowAll is the policy an attacker who controls a principal's policies
// gives it.
var allowAll = policy.MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)

// outcome is a three-valued "allowed": ok false means denied (for every
// value of the unknown keys); cond means allowed only for some values of
// keys.
type outcome struct {
	ok, cond bool
	keys     []string
}

var yes = outcome{ok: true}

func fromResult(r policy.Result) outcome {
	switch r.Decision {
	case policy.Allowed:
		return yes
	case policy.ConditionallyAllowed:
		return outcome{ok: true, cond: true, keys: r.ConditionKeys}
	}
	return outcome{}
}

// and is the conjunction: every part must be allowed.
func (o outcome) and(b outcome) outcome {
	if !o.ok || !b.ok {
		return outcome{}
	}
	return outcome{ok: true, cond: o.cond || b.cond, keys: mergeKeys(o.keys, b.keys)}
}

func mergeKeys(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range append(append([]string(nil), a...), b...) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// input is what Evaluate needs about one principal's requests.
type input struct {
	identity []*policy.Document
	boundary []*policy.Document
	scps     [][]*policy.Document
}

// request evaluates one request by principal p with inputs in; extra adds
// request context keys (a nil value: the request is known not to carry
// the key; a key ending in "/*" with a nil value: any key of that prefix
// not given is known absent).
func request(p *trust.Principal, in input, action, resource string, extra map[string][]string, rp *policy.Document) outcome {
	ctx := p.Context
	if len(extra) > 0 {
		vals := make(map[string][]string, len(ctx.Values)+len(extra))
		for k, v := range ctx.Values {
			vals[k] = v
		}
		var absent []string
		for k, v := range extra {
			if v == nil {
				absent = append(absent, k)
				delete(vals, k)
				continue
			}
			vals[k] = v
		}
		ctx.Values = vals
		if len(absent) > 0 {
			base := ctx.Decidable
			if base == nil {
				base = policy.DefaultDecidable
			}
			ctx.Decidable = func(key string) bool {
				for _, k := range absent {
					if strings.EqualFold(k, key) {
						return true
					}
					if pre, ok := strings.CutSuffix(k, "*"); ok && len(key) >= len(pre) && strings.EqualFold(key[:len(pre)], pre) {
						return true
					}
				}
				return base(key)
			}
		}
	}
	r := policy.Evaluate(policy.Input{
		IdentityPolicies: in.identity, PermissionBoundaries: in.boundary, SCPs: in.scps, ResourcePolicy: rp,
	}, policy.Request{Principal: p.Key, Action: action, Resource: resource, Context: ctx})
	return fromResult(r)
}

// scope is where a principal's Allow statements could grant an action.
type scope = policy.AllowScope

// scopeOf computes the scope of action in docs.
func scopeOf(docs []*policy.Document, action string) scope { return policy.ScopeOf(action, docs...) }
