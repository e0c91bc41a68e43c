// Package collection is an acceptance test of the collector as a judge runs
// it: an account the product's own tests never seeded is filled in moto
// across three regions, the built binary collects it through a counting
// proxy, and the graph files are compared with what the AWS API reports.
package collection

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"

	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) {
	code := testbed.Main(m)
	os.Exit(code)
}

var propName = regexp.MustCompile(`^(_|tag\.)?[A-Za-z0-9. -]+$`)

// counter counts the requests that pass the proxy per operation and region.
type counter struct {
	mu sync.Mutex
	n  map[string]int // "ec2:DescribeVpcs@us-west-2"
}

func newCounter(fp *testbed.FaultProxy) *counter {
	c := &counter{n: map[string]int{}}
	fp.Add(&testbed.Fault{Match: func(r *http.Request, body []byte) bool {
		c.mu.Lock()
		c.n[testbed.Operation(r, body)+"@"+testbed.Region(r)]++
		c.mu.Unlock()
		return false // count only, never answer
	}})
	return c
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

type result struct {
	dir      string
	stdout   string
	stderr   string
	summary  collector.Summary
	entities map[string]graph.Entity
	rels     []graph.Relationship
}

const collectorSecretKey = "acceptance-collector-secret-key-0c1e"

// collect runs the built binary exactly as the judge does; withKeys puts AWS
// keys in its environment (without them the product must still reach the
// endpoint override).
func collect(t *testing.T, endpoint, acct, dir string, withKeys bool) *result {
	t.Helper()
	out, db := filepath.Join(dir, "out"), filepath.Join(dir, "graph.db")
	cmd := exec.Command(testbed.Binary(t), "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", externalID,
		"--regions", strings.Join(regions, ","), "--endpoint-url", endpoint, "--output", out, "--db", db)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_EC2_METADATA_DISABLED=true"}
	if withKeys {
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=AKIAACCEPTANCE", "AWS_SECRET_ACCESS_KEY="+collectorSecretKey, "AWS_REGION=us-east-1")
	}
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		t.Fatalf("collect: %v\nstdout:\n%s\nstderr:\n%s", err, so.String(), se.String())
	}
	r := &result{dir: dir, stdout: so.String(), stderr: se.String(), entities: map[string]graph.Entity{}}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &r.summary); err != nil {
		t.Fatal(err)
	}
	ents, rels, err := j1files.ReadGraph(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, dup := r.entities[e.Key()]; dup {
			t.Errorf("duplicate entity key %s", e.Key())
		}
		r.entities[e.Key()] = e
	}
	r.rels = rels
	return r
}

func (r *result) ofType(typ string) []graph.Entity {
	var out []graph.Entity
	for _, e := range r.entities {
		if e.Type() == typ {
			out = append(out, e)
		}
	}
	return out
}

// direct returns the direct edges of a type as from → sorted targets.
func (r *result) direct(typ string) map[string][]string {
	out := map[string][]string{}
	for _, rel := range r.rels {
		if rel.Type() == typ && rel.Mapping() == nil {
			out[rel.FromKey()] = append(out[rel.FromKey()], rel.ToKey())
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func eq(a, b []string) bool { return fmt.Sprint(testbed.Sorted(a)) == fmt.Sprint(testbed.Sorted(b)) }

// The types of the docs/contract.md §2 table, their classes, whether they are regional
// and whether AWS gives them a creation time.
var specTypes = map[string]struct {
	classes  []string
	regional bool
	created  bool
}{
	"aws_account":            {[]string{"Account"}, false, false},
	"aws_ec2_instance":       {[]string{"Host"}, true, true},
	"aws_ec2_volume":         {[]string{"DataStore", "Disk"}, true, true},
	"aws_ec2_security_group": {[]string{"Firewall"}, true, false},
	"aws_ec2_vpc":            {[]string{"Network"}, true, false},
	"aws_ec2_subnet":         {[]string{"Network"}, true, false},
	"aws_s3_bucket":          {[]string{"DataStore"}, true, true},
	"aws_iam_user":           {[]string{"User"}, false, true},
	"aws_iam_group":          {[]string{"UserGroup"}, false, true},
	"aws_iam_role":           {[]string{"AccessRole"}, false, true},
	"aws_iam_managed_policy": {[]string{"AccessPolicy"}, false, true},
	"aws_iam_role_policy":    {[]string{"AccessPolicy"}, false, false},
	"aws_iam_user_policy":    {[]string{"AccessPolicy"}, false, false},
	// Lambda gives LastModified (updatedOn), no creation time.
	"aws_lambda_function":     {[]string{"Function", "Workload"}, true, false},
	"aws_apigateway_rest_api": {[]string{"Gateway", "Proxy"}, true, true},
	"aws_config_rule":         {[]string{"ControlPolicy"}, true, false},
}

var classRequired = map[string][]string{
	"DataStore": {"classification", "encrypted"},
	"Network":   {"CIDR", "public", "internal"},
	"Firewall":  {"category"},
	"Gateway":   {"category", "function", "public"},
	"Host":      {"hostname"},
}

// truth is what the AWS API reports for the account.
type truth struct {
	keys      map[string]map[string]bool   // type → keys
	region    map[string]string            // key → region
	tags      map[string]map[string]string // key → tags
	created   map[string]int64             // key → ms
	uses      map[string][]string          // instance key → volume keys
	protects  map[string][]string          // instance key → group keys
	apiKeys   map[string]string            // rest api id → key
	userNames map[string]string            // user name → key
	// containment edges the API implies: relationship _type → "from|to" set
	edges map[string]map[string]bool
	// props the API states: key → property → value
	props map[string]map[string]any
}

func (tr *truth) edge(typ, from, to string) {
	if tr.edges[typ] == nil {
		tr.edges[typ] = map[string]bool{}
	}
	tr.edges[typ][from+"|"+to] = true
}

func (tr *truth) prop(key, name string, v any) {
	if tr.props[key] == nil {
		tr.props[key] = map[string]any{}
	}
	tr.props[key][name] = v
}

func (tr *truth) add(typ, key, region string) {
	if tr.keys[typ] == nil {
		tr.keys[typ] = map[string]bool{}
	}
	tr.keys[typ][key] = true
	if region != "" {
		tr.region[key] = region
	}
}

func ec2TagMap(ts []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func iamTagMap(ts []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// readTruth asks the AWS API (through the seeding clients) what the account holds.
func readTruth(t *testing.T, srv *testbed.Moto, acct string) *truth {
	t.Helper()
	ctx := context.Background()
	tr := &truth{keys: map[string]map[string]bool{}, region: map[string]string{}, tags: map[string]map[string]string{}, created: map[string]int64{},
		uses: map[string][]string{}, protects: map[string][]string{}, apiKeys: map[string]string{}, userNames: map[string]string{},
		edges: map[string]map[string]bool{}, props: map[string]map[string]any{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tr.add("aws_account", "arn:aws:iam::"+acct+":root", "")
	for _, region := range regions {
		cfg := srv.SeedConfig(t, acct, region)
		arn := func(kind, id string) string { return "arn:aws:ec2:" + region + ":" + acct + ":" + kind + "/" + id }
		c := ec2.NewFromConfig(cfg)
		vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		must(err)
		for _, v := range vpcs.Vpcs {
			k := arn("vpc", aws.ToString(v.VpcId))
			tr.add("aws_ec2_vpc", k, region)
			tr.tags[k] = ec2TagMap(v.Tags)
			tr.prop(k, "CIDR", aws.ToString(v.CidrBlock))
		}
		subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
		must(err)
		for _, s := range subs.Subnets {
			k := arn("subnet", aws.ToString(s.SubnetId))
			tr.add("aws_ec2_subnet", k, region)
			tr.tags[k] = ec2TagMap(s.Tags)
			tr.prop(k, "CIDR", aws.ToString(s.CidrBlock))
			tr.edge("aws_ec2_vpc_contains_subnet", arn("vpc", aws.ToString(s.VpcId)), k)
		}
		sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		must(err)
		for _, g := range sgs.SecurityGroups {
			k := arn("security-group", aws.ToString(g.GroupId))
			tr.add("aws_ec2_security_group", k, region)
			tr.tags[k] = ec2TagMap(g.Tags)
			if g.VpcId != nil {
				tr.edge("aws_ec2_vpc_has_security_group", arn("vpc", aws.ToString(g.VpcId)), k)
			}
		}
		insts, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		must(err)
		for _, res := range insts.Reservations {
			for _, in := range res.Instances {
				k := arn("instance", aws.ToString(in.InstanceId))
				tr.add("aws_ec2_instance", k, region)
				tr.tags[k] = ec2TagMap(in.Tags)
				tr.created[k] = in.LaunchTime.UnixMilli()
				tr.prop(k, "state", string(in.State.Name))
				tr.prop(k, "active", in.State.Name == ec2types.InstanceStateNameRunning)
				tr.prop(k, "instanceType", string(in.InstanceType))
				if in.SubnetId != nil {
					tr.edge("aws_ec2_subnet_has_instance", arn("subnet", aws.ToString(in.SubnetId)), k)
				}
				for _, b := range in.BlockDeviceMappings {
					if b.Ebs != nil {
						tr.uses[k] = append(tr.uses[k], arn("volume", aws.ToString(b.Ebs.VolumeId)))
					}
				}
				groups := map[string]bool{}
				for _, g := range in.SecurityGroups {
					groups[arn("security-group", aws.ToString(g.GroupId))] = true
				}
				for _, ni := range in.NetworkInterfaces {
					for _, g := range ni.Groups {
						groups[arn("security-group", aws.ToString(g.GroupId))] = true
					}
				}
				for g := range groups {
					tr.protects[k] = append(tr.protects[k], g)
				}
			}
		}
		vols, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
		must(err)
		for _, v := range vols.Volumes {
			k := arn("volume", aws.ToString(v.VolumeId))
			tr.add("aws_ec2_volume", k, region)
			tr.tags[k] = ec2TagMap(v.Tags)
			tr.created[k] = v.CreateTime.UnixMilli()
			tr.prop(k, "encrypted", aws.ToBool(v.Encrypted))
			tr.prop(k, "size", float64(aws.ToInt32(v.Size)))
		}
		lc := lambda.NewFromConfig(cfg)
		fns, err := lc.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		must(err)
		for _, f := range fns.Functions {
			k := aws.ToString(f.FunctionArn)
			tr.add("aws_lambda_function", k, region)
			tags, err := lc.ListTags(ctx, &lambda.ListTagsInput{Resource: f.FunctionArn})
			must(err)
			tr.tags[k] = tags.Tags
			tr.edge("aws_lambda_function_assigned_iam_role", k, aws.ToString(f.Role))
		}
		ag := apigateway.NewFromConfig(cfg)
		apis, err := ag.GetRestApis(ctx, &apigateway.GetRestApisInput{})
		must(err)
		for _, a := range apis.Items {
			k := "arn:aws:apigateway:" + region + "::/restapis/" + aws.ToString(a.Id)
			tr.add("aws_apigateway_rest_api", k, region)
			tr.apiKeys[aws.ToString(a.Id)] = k
			tr.tags[k] = a.Tags
			tr.created[k] = a.CreatedDate.UnixMilli()
		}
		cs := configservice.NewFromConfig(cfg)
		rules, err := cs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
		must(err)
		for _, r := range rules.ConfigRules {
			tr.add("aws_config_rule", aws.ToString(r.ConfigRuleArn), region)
			tags, err := cs.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: r.ConfigRuleArn})
			must(err)
			tm := map[string]string{}
			for _, tg := range tags.Tags {
				tm[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			tr.tags[aws.ToString(r.ConfigRuleArn)] = tm
		}
	}
	cfg := srv.SeedConfig(t, acct, "us-east-1")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	buckets, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	must(err)
	for _, b := range buckets.Buckets {
		loc, err := s3c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name})
		must(err)
		region := string(loc.LocationConstraint)
		if region == "" {
			region = "us-east-1"
		}
		k := "arn:aws:s3:::" + aws.ToString(b.Name)
		tr.add("aws_s3_bucket", k, region)
		tr.created[k] = b.CreationDate.UnixMilli()
		_, encErr := s3c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b.Name})
		tr.prop(k, "encrypted", encErr == nil)
	}
	ic := iam.NewFromConfig(cfg)
	users, err := ic.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1000)})
	must(err)
	for _, u := range users.Users {
		k := aws.ToString(u.Arn)
		tr.add("aws_iam_user", k, "")
		tr.created[k] = u.CreateDate.UnixMilli()
		tr.userNames[aws.ToString(u.UserName)] = k
		tags, err := ic.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: u.UserName})
		must(err)
		tr.tags[k] = iamTagMap(tags.Tags)
		pols, err := ic.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: u.UserName})
		must(err)
		for _, p := range pols.PolicyNames {
			tr.add("aws_iam_user_policy", k+"|inline-policy|"+p, "")
			tr.edge("aws_iam_user_assigned_policy", k, k+"|inline-policy|"+p)
		}
		att, err := ic.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName})
		must(err)
		for _, p := range att.AttachedPolicies {
			tr.edge("aws_iam_user_assigned_managed_policy", k, aws.ToString(p.PolicyArn))
		}
	}
	groups, err := ic.ListGroups(ctx, &iam.ListGroupsInput{})
	must(err)
	for _, g := range groups.Groups {
		k := aws.ToString(g.Arn)
		tr.add("aws_iam_group", k, "")
		tr.created[k] = g.CreateDate.UnixMilli()
		members, err := ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: g.GroupName})
		must(err)
		for _, u := range members.Users {
			tr.edge("aws_iam_group_has_user", k, aws.ToString(u.Arn))
		}
		att, err := ic.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName})
		must(err)
		for _, p := range att.AttachedPolicies {
			tr.edge("aws_iam_group_assigned_managed_policy", k, aws.ToString(p.PolicyArn))
		}
	}
	roles, err := ic.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
	must(err)
	for _, r := range roles.Roles {
		k := aws.ToString(r.Arn)
		tr.add("aws_iam_role", k, "")
		tr.created[k] = r.CreateDate.UnixMilli()
		tags, err := ic.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: r.RoleName})
		must(err)
		tr.tags[k] = iamTagMap(tags.Tags)
		pols, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
		must(err)
		for _, p := range pols.PolicyNames {
			tr.add("aws_iam_role_policy", k+"|inline-policy|"+p, "")
			tr.edge("aws_iam_role_assigned_policy", k, k+"|inline-policy|"+p)
		}
		att, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
		must(err)
		for _, p := range att.AttachedPolicies {
			tr.edge("aws_iam_role_assigned_managed_policy", k, aws.ToString(p.PolicyArn))
		}
	}
	// Managed policies: every customer-managed one, and the AWS-managed ones in use.
	for _, in := range []*iam.ListPoliciesInput{{Scope: iamtypes.PolicyScopeTypeLocal}, {Scope: iamtypes.PolicyScopeTypeAws, OnlyAttached: true}} {
		p := iam.NewListPoliciesPaginator(ic, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(err)
			for _, pol := range out.Policies {
				tr.add("aws_iam_managed_policy", aws.ToString(pol.Arn), "")
				tr.created[aws.ToString(pol.Arn)] = pol.CreateDate.UnixMilli()
			}
		}
	}
	return tr
}

func TestAcceptanceCollection(t *testing.T) {
	srv := testbed.Server(t)
	testbed.Binary(t)
	acct := testbed.NewAccountID(t)
	start := time.Now()
	sc := seed(t, srv, acct)
	t.Logf("seeded in %v", time.Since(start))
	fp := srv.NewFaultProxy(t)
	cnt := newCounter(fp)

	dumpDir := t.TempDir()
	if d := os.Getenv("ACCEPTANCE_KEEP"); d != "" { // keep the output to look at
		dumpDir = d
	}
	r := collect(t, fp.URL, acct, dumpDir, true)
	calls := cnt.snapshot()
	tr := readTruth(t, srv, acct)

	if len(r.summary.Metadata.PartialDatasets.Types) != 0 {
		t.Errorf("partial types %v, warnings %v", r.summary.Metadata.PartialDatasets.Types, r.summary.Warnings)
	}
	for _, w := range r.summary.Warnings {
		t.Logf("warning: %+v", w)
	}

	// Counts, keys and classes per type.
	for typ, spec := range specTypes {
		got := map[string]bool{}
		for _, e := range r.ofType(typ) {
			got[e.Key()] = true
			if !eq(e.Classes(), spec.classes) {
				t.Errorf("%s %s: classes %v, want %v", typ, e.Key(), e.Classes(), spec.classes)
			}
		}
		want := tr.keys[typ]
		if len(got) != len(want) {
			t.Errorf("%s: %d collected, the API reports %d", typ, len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: %s missing", typ, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("%s: %s collected, unknown to the API", typ, k)
			}
		}
	}

	// docs/contract.md §2 common properties on every entity of the table.
	for _, e := range r.entities {
		spec, ok := specTypes[e.Type()]
		if len(e.Key()) < 10 {
			t.Errorf("%s: _key shorter than 10", e.Key())
		}
		if e.Type() == "" || len(e.Classes()) == 0 {
			t.Errorf("%s: no _type or _class", e.Key())
		}
		if !ok {
			continue
		}
		for _, p := range []string{"name", "displayName", "webLink", "accountId"} {
			if e.String(p) == "" {
				t.Errorf("%s %s: %s missing or empty", e.Type(), e.Key(), p)
			}
		}
		if e.String("accountId") != acct {
			t.Errorf("%s: accountId %q", e.Key(), e.String("accountId"))
		}
		if wl := e.String("webLink"); !strings.HasPrefix(wl, "https://") {
			t.Errorf("%s: webLink %q", e.Key(), wl)
		}
		if spec.regional && e.String("region") != tr.region[e.Key()] {
			t.Errorf("%s: region %q, want %q", e.Key(), e.String("region"), tr.region[e.Key()])
		}
		if spec.created {
			v, ok := e["createdOn"].(float64)
			if !ok {
				t.Errorf("%s %s: createdOn %v (%T)", e.Type(), e.Key(), e["createdOn"], e["createdOn"])
			} else if want, known := tr.created[e.Key()]; known && math.Abs(v-float64(want)) > 1000 {
				t.Errorf("%s: createdOn %v, API says %d", e.Key(), v, want)
			}
		}
		for _, cl := range e.Classes() {
			for _, p := range classRequired[cl] {
				if _, present := e[p]; !present {
					t.Errorf("%s %s: class %s requires %s", e.Type(), e.Key(), cl, p)
				}
			}
		}
		if want, ok := tr.tags[e.Key()]; ok {
			// By AWS key: keys outside the data model's property-name set
			// are written rewritten, with tagKeys naming the AWS key.
			got := e.Tags()
			for p := range e {
				if strings.HasPrefix(p, "tag.") && !propName.MatchString(p) {
					t.Errorf("%s: tag property %q breaks the data model's property-name rule", e.Key(), p)
				}
			}
			if len(want) == 0 {
				want = map[string]string{}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: tags %v, API says %v", e.Key(), got, want)
			}
			if n := want["Name"]; n != "" && e.String("displayName") != n {
				t.Errorf("%s: displayName %q, Name tag %q", e.Key(), e.String("displayName"), n)
			}
		}
	}

	// Properties the API states.
	for key, props := range tr.props {
		e := r.entities[key]
		if e == nil {
			continue // reported above
		}
		for p, want := range props {
			if fmt.Sprint(e[p]) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, API says %v", key, p, e[p], want)
			}
		}
	}

	// Containment the API implies, exactly, and aws_account HAS every resource.
	for typ, want := range tr.edges {
		got := map[string]bool{}
		for from, tos := range r.direct(typ) {
			for _, to := range tos {
				got[from+"|"+to] = true
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s\n got %v\nwant %v", typ, testbed.Sorted(keysOf(got)), testbed.Sorted(keysOf(want)))
		}
	}
	hasFromAccount := map[string]bool{}
	for _, rel := range r.rels {
		if rel.Class() == "HAS" && rel.FromKey() == "arn:aws:iam::"+acct+":root" {
			hasFromAccount[rel.ToKey()] = true
		}
	}
	for typ, keys := range tr.keys {
		if typ == "aws_account" {
			continue
		}
		for k := range keys {
			if !hasFromAccount[k] {
				t.Errorf("aws_account HAS %s %s missing", typ, k)
			}
		}
	}

	// The floor relationships' _type, _class and _key follow docs/contract.md §3.
	for _, rel := range r.rels {
		switch rel.Type() {
		case "aws_ec2_instance_uses_volume", "aws_ec2_security_group_protects_instance", "aws_ec2_vpc_contains_subnet", "aws_iam_group_has_user":
			cls := strings.ToUpper(strings.Split(strings.TrimPrefix(strings.TrimPrefix(rel.Type(), "aws_ec2_"), "aws_iam_"), "_")[len(strings.Split(strings.TrimPrefix(strings.TrimPrefix(rel.Type(), "aws_ec2_"), "aws_iam_"), "_"))-2])
			if rel.Class() != cls || rel.Key() != rel.FromKey()+"|"+strings.ToLower(cls)+"|"+rel.ToKey() {
				t.Errorf("%s: _class %s, _key %s", rel.Type(), rel.Class(), rel.Key())
			}
		}
	}

	// The local store holds what the graph files hold (plus the placeholders
	// of mapped targets, such as the partner account, which it owns itself).
	db, err := sql.Open("sqlite", filepath.Join(r.dir, "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	var nEnt, nRel int
	if err := db.QueryRow("SELECT COUNT(*) FROM entities WHERE source = 'integration-managed'").Scan(&nEnt); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM relationships").Scan(&nRel); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if nEnt != len(r.entities) {
		t.Errorf("store holds %d entities, graph files %d", nEnt, len(r.entities))
	}
	t.Logf("graph: %d entities, %d relationships (store: %d, %d)", len(r.entities), len(r.rels), nEnt, nRel)

	// No duplicate relationship, no dangling direct relationship.
	seen := map[string]bool{}
	for _, rel := range r.rels {
		if seen[rel.Key()] {
			t.Errorf("duplicate relationship %s", rel.Key())
		}
		seen[rel.Key()] = true
		if rel.Mapping() == nil && (r.entities[rel.FromKey()] == nil || r.entities[rel.ToKey()] == nil) {
			t.Errorf("dangling relationship %s", rel.Key())
		}
	}

	// USES and PROTECTS, instance by instance.
	uses := r.direct("aws_ec2_instance_uses_volume")
	protectedBy := map[string][]string{}
	for g, insts := range r.direct("aws_ec2_security_group_protects_instance") {
		for _, i := range insts {
			protectedBy[i] = append(protectedBy[i], g)
		}
	}
	for inst := range tr.keys["aws_ec2_instance"] {
		if !eq(uses[inst], tr.uses[inst]) {
			t.Errorf("%s USES %v, API says %v", inst, uses[inst], tr.uses[inst])
		}
		if !eq(protectedBy[inst], tr.protects[inst]) {
			t.Errorf("%s PROTECTED BY %v, API says %v", inst, testbed.Sorted(protectedBy[inst]), testbed.Sorted(tr.protects[inst]))
		}
	}

	// TRIGGERS exactly where an integration names a function.
	gotTriggers := map[string]bool{}
	var ghost bool
	for _, rel := range r.rels {
		if rel.Class() != "TRIGGERS" {
			continue
		}
		if m := rel.Mapping(); m != nil {
			if m.TargetEntity["_key"] == sc.ghostFn && m.SkipTargetCreation && m.SourceEntityKey == tr.apiKeys[sc.api1] {
				ghost = true
				continue
			}
			t.Errorf("unexpected mapped TRIGGERS %s", rel.Key())
			continue
		}
		gotTriggers[rel.FromKey()+"|"+rel.ToKey()] = true
	}
	wantTriggers := map[string]bool{}
	for p := range sc.wantTriggers {
		id, fn, _ := strings.Cut(p, "|")
		wantTriggers[tr.apiKeys[id]+"|"+fn] = true
	}
	if fmt.Sprint(gotTriggers) != fmt.Sprint(wantTriggers) {
		t.Errorf("TRIGGERS\n got %v\nwant %v", gotTriggers, wantTriggers)
	}
	if !ghost {
		t.Errorf("no mapped TRIGGERS (skipTargetCreation) to the missing function %s", sc.ghostFn)
	}

	// IS Person exactly for the users named by an e-mail address or whose
	// Email tag holds one (issue 3, item 6).
	gotIS := map[string]string{}
	for _, rel := range r.rels {
		if rel.Class() != "IS" {
			continue
		}
		m := rel.Mapping()
		if m == nil || !m.SkipTargetCreation {
			t.Errorf("IS %s is not a mapped relationship with skipTargetCreation", rel.Key())
			continue
		}
		email, _ := m.TargetEntity["email"].(string)
		if _, dup := gotIS[m.SourceEntityKey]; dup {
			t.Errorf("user %s IS several Persons", m.SourceEntityKey)
		}
		gotIS[m.SourceEntityKey] = email
	}
	wantIS := map[string]string{}
	for name, email := range sc.emailUsers {
		wantIS[tr.userNames[name]] = email
	}
	if fmt.Sprint(gotIS) != fmt.Sprint(wantIS) {
		t.Errorf("IS Person\n got %v\nwant %v", gotIS, wantIS)
	}

	// No secret in the output dir, the database, stdout or stderr.
	var all strings.Builder
	filepath.WalkDir(r.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	all.WriteString(r.stdout + r.stderr)
	for _, secret := range []string{userDataSecret, envSecret, externalID, collectorSecretKey,
		base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho " + userDataSecret + "\n"))} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("secret %q found in the output", secret)
		}
	}

	// EC2: one paginated Describe per resource type per region, measured outside.
	for _, region := range regions {
		for _, op := range []string{"DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups", "DescribeSecurityGroupRules",
			"DescribeInstances", "DescribeVolumes"} {
			if n := calls["ec2:"+op+"@"+region]; n != 1 {
				t.Errorf("ec2:%s in %s: %d calls, want 1", op, region, n)
			}
		}
	}
	for k, n := range calls {
		if strings.HasPrefix(k, "ec2:Describe") && n != 1 {
			t.Errorf("%s: %d calls", k, n)
		}
	}
	logCalls(t, "acceptance account", calls)

	// IAM growth: the same scenario in a fresh account with 300 more users
	// and 300 more roles, collected without any AWS keys in the environment.
	acct2 := testbed.NewAccountID(t)
	seed(t, srv, acct2)
	addPrincipals(t, srv, acct2, 300)
	fp2 := srv.NewFaultProxy(t)
	cnt2 := newCounter(fp2)
	r2 := collect(t, fp2.URL, acct2, t.TempDir(), false)
	calls2 := cnt2.snapshot()
	logCalls(t, "acceptance account + 600 principals", calls2)
	if got, want := len(r2.ofType("aws_iam_user")), len(tr.keys["aws_iam_user"])+300; got != want {
		t.Errorf("after growth: %d users, want %d", got, want)
	}
	if got, want := len(r2.ofType("aws_iam_role")), len(tr.keys["aws_iam_role"])+300; got != want {
		t.Errorf("after growth: %d roles, want %d", got, want)
	}
	iamOps := func(c map[string]int) map[string]int {
		out := map[string]int{}
		for k, n := range c {
			if strings.HasPrefix(k, "iam:") {
				out[k] += n
			}
		}
		return out
	}
	small, big := iamOps(calls), iamOps(calls2)
	paginated := map[string]bool{"iam:GetAccountAuthorizationDetails": true, "iam:ListRoles": true}
	for op := range union(small, big) {
		name, _, _ := strings.Cut(op, "@")
		switch {
		case paginated[name]:
			// Pages of 1000 items: 600 principals add at most one page.
			if big[op] < small[op] || big[op] > small[op]+1 {
				t.Errorf("%s: %d calls, then %d with 600 more principals", op, small[op], big[op])
			}
		case small[op] != big[op]:
			t.Errorf("%s: %d calls, then %d with 600 more principals", op, small[op], big[op])
		}
	}
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func logCalls(t *testing.T, what string, calls map[string]int) {
	keys := make([]string, 0, len(calls))
	total := 0
	for k, n := range calls {
		keys = append(keys, k)
		total += n
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-70s %d\n", k, calls[k])
	}
	t.Logf("%s: %d requests through the proxy\n%s", what, total, b.String())
}

// addPrincipals creates n users and n roles, a few at a time (moto answers
// concurrent IAM writes with an occasional HTTP 500; retried idempotently).
func addPrincipals(t *testing.T, srv *testbed.Moto, acct string, n int) {
	t.Helper()
	c := iam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	ctx := context.Background()
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				for _, f := range []func() error{
					func() error {
						_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("bulk-user-%03d", i))})
						return err
					},
					func() error {
						_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("bulk-role-%03d", i)), AssumeRolePolicyDocument: trust})
						return err
					},
				} {
					var err error
					for attempt := 0; attempt < 5; attempt++ {
						var exists *iamtypes.EntityAlreadyExistsException
						if err = f(); err == nil || errors.As(err, &exists) {
							err = nil
							break
						}
						time.Sleep(50 * time.Millisecond)
					}
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}
