package sgrules_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	_ "modernc.org/sqlite"

	"github.com/awsgraph/awsgraph/internal/analysis/reachability"
	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/ec2"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/elbv2"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(mm *testing.M) { os.Exit(testbed.Main(mm)) }

const region = "us-east-1"

func perm(proto string, from, to int32) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
}

func TestSecurityGroupRulesEndToEnd(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, region))

	vpc := testbed.Must(c.CreateVpc(ctx, &sdkec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})).Vpc
	pubSub := testbed.Must(c.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")})).Subnet
	testbed.Must(c.ModifySubnetAttribute(ctx, &sdkec2.ModifySubnetAttributeInput{SubnetId: pubSub.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	privSub := testbed.Must(c.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.2.0/24")})).Subnet
	// The VPC's main route table sends 0.0.0.0/0 to an Internet gateway, so
	// the public instance is really reachable (internetReachable is the
	// reachability analysis's, which this run includes).
	igw := testbed.Must(c.CreateInternetGateway(ctx, &sdkec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	testbed.Must(c.AttachInternetGateway(ctx, &sdkec2.AttachInternetGatewayInput{InternetGatewayId: igw, VpcId: vpc.VpcId}))
	mainRT := testbed.Must(c.DescribeRouteTables(ctx, &sdkec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpc.VpcId)}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})).RouteTables[0]
	testbed.Must(c.CreateRoute(ctx, &sdkec2.CreateRouteInput{RouteTableId: mainRT.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw}))
	plist := testbed.Must(c.CreateManagedPrefixList(ctx, &sdkec2.CreateManagedPrefixListInput{PrefixListName: aws.String("partners"),
		AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5), Entries: []types.AddPrefixListEntry{
			{Cidr: aws.String("203.0.113.0/24"), Description: aws.String("partner a")}, {Cidr: aws.String("198.51.100.0/24")}}})).PrefixList
	mkSG := func(name string) string {
		return aws.ToString(testbed.Must(c.CreateSecurityGroup(ctx, &sdkec2.CreateSecurityGroupInput{GroupName: aws.String(name),
			Description: aws.String(name), VpcId: vpc.VpcId})).GroupId)
	}
	web, app := mkSG("web"), mkSG("app")

	ssh := perm("tcp", 22, 22)
	ssh.IpRanges = []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("ssh from anywhere")}}
	http := perm("tcp", 80, 80)
	http.IpRanges = []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	alt := perm("tcp", 8080, 8080)
	alt.IpRanges = []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	https6 := perm("tcp", 443, 443)
	https6.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}
	ping := perm("icmp", 8, -1)
	ping.IpRanges = []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	partners := perm("tcp", 443, 443)
	partners.PrefixListIds = []types.PrefixListId{{PrefixListId: plist.PrefixListId}}
	testbed.Must(c.AuthorizeSecurityGroupIngress(ctx, &sdkec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web),
		IpPermissions: []types.IpPermission{ssh, http, alt, https6, ping, partners}}))

	fromWeb := perm("tcp", 8080, 8080)
	fromWeb.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(web), UserId: aws.String(acct)}}
	self := types.IpPermission{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(app), UserId: aws.String(acct)}}}
	pg := perm("tcp", 5432, 5432)
	pg.IpRanges = []types.IpRange{{CidrIp: aws.String("10.0.2.0/24")}}
	bastion := perm("tcp", 22, 22)
	bastion.IpRanges = []types.IpRange{{CidrIp: aws.String("198.51.100.7/32")}}
	corp := perm("tcp", 443, 443)
	corp.IpRanges = []types.IpRange{{CidrIp: aws.String("192.168.0.0/16")}}
	testbed.Must(c.AuthorizeSecurityGroupIngress(ctx, &sdkec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(app),
		IpPermissions: []types.IpPermission{fromWeb, self, pg, bastion, corp}}))
	toPartners := perm("tcp", 443, 443)
	toPartners.IpRanges = []types.IpRange{{CidrIp: aws.String("203.0.113.0/24")}}
	testbed.Must(c.AuthorizeSecurityGroupEgress(ctx, &sdkec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(app),
		IpPermissions: []types.IpPermission{toPartners}}))

	runIn := func(subnet *types.Subnet, groups ...string) string {
		out := testbed.Must(c.RunInstances(ctx, &sdkec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: subnet.SubnetId, SecurityGroupIds: groups}))
		return aws.ToString(out.Instances[0].InstanceId)
	}
	pubID := runIn(pubSub, web, app)
	privID := runIn(privSub, web) // exposed through web, but no public address
	dbID := runIn(privSub, app)

	sess := srv.Session(t, acct)
	sess.Regions = []string{region}
	var steps []engine.Step
	for _, ss := range [][]engine.Step{account.Steps(sess), ec2.Steps(sess), lambda.Steps(sess), elbv2.Steps(sess), sgrules.Steps(), reachability.Steps()} {
		for _, st := range ss {
			if st.ID != "build-lambda-function-role-relationships" { // needs IAM, which this run does not read
				steps = append(steps, st)
			}
		}
	}
	before := sess.Calls.Snapshot()
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{DescribeError: func(err error) engine.Failure {
		p, r, why := awsclient.Describe(err)
		return engine.Failure{Permission: p, Region: r, Reason: why}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range res.Steps {
		if st.Status != engine.StatusSuccess {
			t.Errorf("step %s: %s %s", st.ID, st.Status, st.Error)
		}
		if st.ID == sgrules.StepID && st.Metrics["unmappedRules"] != 0 {
			t.Errorf("unmapped rules: %v", st.Metrics)
		}
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %+v", res.Warnings)
	}
	calls := sess.Calls.Snapshot()
	if n := calls["ec2:GetManagedPrefixListEntries"] - before["ec2:GetManagedPrefixListEntries"]; n != 1 {
		t.Errorf("GetManagedPrefixListEntries called %d times, want 1 (one referenced list)", n)
	}
	if n := calls["ec2:DescribeManagedPrefixLists"] - before["ec2:DescribeManagedPrefixLists"]; n != 1 {
		t.Errorf("DescribeManagedPrefixLists called %d times, want 1", n)
	}
	job := res.Job

	key := func(typ, prop, id string) string {
		for _, e := range job.EntitiesOfType(typ) {
			if e.String(prop) == id {
				return e.Key()
			}
		}
		t.Fatalf("%s %s not collected", typ, id)
		return ""
	}
	webKey, appKey := key(m.TypeSecurityGroup, "groupId", web), key(m.TypeSecurityGroup, "groupId", app)
	privSubKey := key(m.TypeSubnet, "subnetId", aws.ToString(privSub.SubnetId))

	// Edges by rule id.
	var ruleEdges []graph.Relationship
	for _, r := range job.Relationships() {
		if r.Class() == "ALLOWS" {
			ruleEdges = append(ruleEdges, r)
		}
	}
	byRule := map[string][]graph.Relationship{}
	keys := map[string]bool{}
	for _, r := range ruleEdges {
		byRule[r["ruleId"].(string)] = append(byRule[r["ruleId"].(string)], r)
		if keys[r.Key()] {
			t.Errorf("duplicate key %s", r.Key())
		}
		keys[r.Key()] = true
	}
	type want struct {
		from, to string         // direct endpoints
		mapped   map[string]any // mapped target props
		props    map[string]any
	}
	wantFor := func(r types.SecurityGroupRule) []want {
		gk := key(m.TypeSecurityGroup, "groupId", aws.ToString(r.GroupId))
		egress := aws.ToBool(r.IsEgress)
		dir := func(peer string) want {
			if egress {
				return want{from: gk, to: peer}
			}
			return want{from: peer, to: gk}
		}
		switch {
		case aws.ToString(r.CidrIpv4) == "0.0.0.0/0" || aws.ToString(r.CidrIpv6) == "::/0":
			return []want{dir(sgrules.InternetKey)}
		case aws.ToString(r.CidrIpv4) == "10.0.2.0/24":
			return []want{dir(privSubKey)}
		case aws.ToString(r.CidrIpv4) == "198.51.100.7/32":
			return []want{{mapped: map[string]any{"_class": "Host", "ipAddress": "198.51.100.7"}}}
		case aws.ToString(r.CidrIpv4) == "192.168.0.0/16":
			return []want{{mapped: map[string]any{"CIDR": "192.168.0.0/16", "public": false}}}
		case aws.ToString(r.CidrIpv4) == "203.0.113.0/24":
			return []want{{mapped: map[string]any{"CIDR": "203.0.113.0/24", "public": true}}}
		case r.PrefixListId != nil:
			pl := map[string]any{"prefixListId": aws.ToString(plist.PrefixListId)}
			return []want{{mapped: map[string]any{"CIDR": "203.0.113.0/24"}, props: pl}, {mapped: map[string]any{"CIDR": "198.51.100.0/24"}, props: pl}}
		case r.ReferencedGroupInfo != nil:
			return []want{dir(key(m.TypeSecurityGroup, "groupId", aws.ToString(r.ReferencedGroupInfo.GroupId)))}
		}
		t.Fatalf("unexpected rule %+v", r)
		return nil
	}
	// Every rule of every group (the default groups' too), as the API reports them.
	apiRules := testbed.Must(c.DescribeSecurityGroupRules(ctx, &sdkec2.DescribeSecurityGroupRulesInput{})).SecurityGroupRules
	total := 0
	for _, r := range apiRules {
		id := aws.ToString(r.SecurityGroupRuleId)
		ws := wantFor(r)
		got := byRule[id]
		total += len(ws)
		if len(got) != len(ws) {
			t.Errorf("rule %s (%s): %d edges, want %d", id, aws.ToString(r.GroupId), len(got), len(ws))
			continue
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Key() < got[j].Key() })
		if len(ws) == 2 { // prefix-list entries: keys end with the CIDR, so sort expectations likewise
			sort.Slice(ws, func(i, j int) bool { return ws[i].mapped["CIDR"].(string) < ws[j].mapped["CIDR"].(string) })
		}
		for i, w := range ws {
			e := got[i]
			if e["ingress"] != !aws.ToBool(r.IsEgress) || e["egress"] != aws.ToBool(r.IsEgress) || e["securityGroupId"] != aws.ToString(r.GroupId) {
				t.Errorf("rule %s direction props %v", id, e)
			}
			wantProto := sgrules.Protocol(aws.ToString(r.IpProtocol))
			if e["ipProtocol"] != wantProto {
				t.Errorf("rule %s protocol %v want %s", id, e["ipProtocol"], wantProto)
			}
			if wantProto == "tcp" && (e["fromPort"] != int64(aws.ToInt32(r.FromPort)) || e["toPort"] != int64(aws.ToInt32(r.ToPort))) {
				t.Errorf("rule %s ports %v-%v", id, e["fromPort"], e["toPort"])
			}
			if w.mapped == nil {
				if e.Mapping() != nil || e.FromKey() != w.from || e.ToKey() != w.to {
					t.Errorf("rule %s: %s → %s, want %s → %s", id, e.FromKey(), e.ToKey(), w.from, w.to)
				}
			} else {
				mp := e.Mapping()
				if mp == nil {
					t.Errorf("rule %s not mapped: %v", id, e)
					continue
				}
				for k, v := range w.mapped {
					if mp.TargetEntity[k] != v {
						t.Errorf("rule %s target %s=%v want %v", id, k, mp.TargetEntity[k], v)
					}
				}
			}
			for k, v := range w.props {
				if e[k] != v {
					t.Errorf("rule %s %s=%v want %v", id, k, e[k], v)
				}
			}
		}
	}
	if total != len(ruleEdges) {
		t.Errorf("%d rule edges, want %d (every edge accounted for by a rule)", len(ruleEdges), total)
	}
	for _, r := range byRule[""] {
		t.Errorf("edge without rule id %v", r)
	}
	// The port-80 and port-8080 Internet rules of web are distinct edges.
	var p80, p8080 string
	for _, r := range ruleEdges {
		if r.ToKey() == webKey && r.FromKey() == sgrules.InternetKey {
			switch r["portRange"] {
			case "80":
				p80 = r.Key()
			case "8080":
				p8080 = r.Key()
			}
		}
	}
	if p80 == "" || p8080 == "" || p80 == p8080 {
		t.Errorf("80/8080 edges %q %q", p80, p8080)
	}
	inet, ok := job.Entity(sgrules.InternetKey)
	if !ok || inet["CIDR"] != "0.0.0.0/0" || inet["public"] != true || inet.Type() != "internet" {
		t.Errorf("internet entity %v", inet)
	}

	// Exposure: public vs private instances.
	inst := func(id string) graph.Entity {
		e, _ := job.Entity(key(m.TypeInstance, "instanceId", id))
		return e
	}
	webPorts := []string{"tcp:22", "tcp:80", "tcp:443", "tcp:8080", "icmp:8"}
	cases := []struct {
		id                 string
		exposed, reachable bool
		ports              []string
	}{
		{pubID, true, true, webPorts},
		{privID, true, false, webPorts},
		{dbID, false, false, []string{}},
	}
	for _, cs := range cases {
		e := inst(cs.id)
		if e["internetExposed"] != cs.exposed || e["internetReachable"] != cs.reachable || !reflect.DeepEqual(e["internetOpenPorts"], cs.ports) {
			t.Errorf("%s (public ip %v): exposed %v reachable %v ports %v; want %v %v %v", cs.id, e["publicIpAddress"],
				e["internetExposed"], e["internetReachable"], e["internetOpenPorts"], cs.exposed, cs.reachable, cs.ports)
		}
	}
	if inst(pubID)["publicIpAddress"] == nil || inst(privID)["publicIpAddress"] != nil {
		t.Fatalf("moto public IPs: public %v private %v", inst(pubID)["publicIpAddress"], inst(privID)["publicIpAddress"])
	}
	wg, _ := job.Entity(webKey)
	ag, _ := job.Entity(appKey)
	if wg["allowsInternetIngress"] != true || !reflect.DeepEqual(wg["internetIngressPorts"], webPorts) || ag["allowsInternetIngress"] != false {
		t.Errorf("group exposure web %v %v, app %v", wg["allowsInternetIngress"], wg["internetIngressPorts"], ag["allowsInternetIngress"])
	}

	// The README's SQL answers "which hosts have SSH open to the world" on the
	// store's schema.
	checkREADMEQueries(t, job, []string{inst(pubID).Key()})
}

// checkREADMEQueries loads the graph into the SQLite schema the store uses and
// runs the queries documented in README.md.
func checkREADMEQueries(t *testing.T, job *engine.Job, want []string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, block := range strings.Split(string(readme), "```sql")[1:] {
		queries = append(queries, strings.Split(block, "```")[0])
	}
	if len(queries) < 2 {
		t.Fatalf("README.md has %d sql blocks", len(queries))
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		`CREATE TABLE entities(instance_id TEXT, key TEXT, type TEXT, json TEXT)`,
		`CREATE TABLE relationships(instance_id TEXT, key TEXT, type TEXT, from_key TEXT, to_key TEXT, json TEXT)`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range job.Entities() {
		b, _ := json.Marshal(e)
		testbed.Must(db.Exec(`INSERT INTO entities VALUES ('test', ?, ?, ?)`, e.Key(), e.Type(), string(b)))
	}
	for _, r := range job.Relationships() {
		b, _ := json.Marshal(r)
		testbed.Must(db.Exec(`INSERT INTO relationships VALUES ('test', ?, ?, ?, ?, ?)`, r.Key(), r.Type(), r.FromKey(), r.ToKey(), string(b)))
	}
	for i, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("README query %d: %v\n%s", i, err, q)
		}
		var got []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			got = append(got, k)
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("README query %d returned %v, want %v", i, got, want)
		}
	}
}
