package ec2_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/ec2"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(mm *testing.M) { os.Exit(testbed.Main(mm)) }

const (
	regionA = "us-east-1"
	regionB = "eu-west-1"
	ami     = "ami-12c6146b"
)

// userData is what RunInstances gets; it must never reach the graph.
const userDataSecret = "#!/bin/bash\nexport DB_PASSWORD=hunter2-SECRET-USERDATA-7f3a\n"

// must unwraps a seeding or oracle call; a failure there is a broken test
// setup, so it panics (with the AWS error) rather than threading t through.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func tagSpec(rt types.ResourceType, kv ...string) []types.TagSpecification {
	var ts []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: rt, Tags: ts}}
}

// describeError is how the CLI explains errors to the engine.
func describeError(err error) engine.Failure {
	p, r, reason := awsclient.Describe(err)
	return engine.Failure{Permission: p, Region: r, Reason: reason}
}

func run(t *testing.T, sess *awsclient.Session, steps ...engine.Step) *engine.Result {
	t.Helper()
	all := append(account.Steps(sess), ec2.Steps(sess)...)
	all = append(all, steps...)
	res, err := engine.Run(context.Background(), engine.NewJob(), all, engine.Options{DescribeError: describeError})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type seeded struct {
	vpcID, pubSubnet, privSubnet string
	web, ssh, db                 string
	i1, i2, i3, iB               string
	extraVol, encVol, plainVol   string
	kmsKey                       string
}

func seed(t *testing.T, srv *testbed.Moto, acct string) seeded {
	ctx := context.Background()
	a := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, regionA))
	b := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, regionB))
	var s seeded
	vpc := must(a.CreateVpc(ctx, &sdkec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: tagSpec(types.ResourceTypeVpc, "Name", "main-vpc", "Env", "prod")}))
	s.vpcID = aws.ToString(vpc.Vpc.VpcId)
	pub := must(a.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24"),
		AvailabilityZone: aws.String("us-east-1a"), TagSpecifications: tagSpec(types.ResourceTypeSubnet, "Name", "public-a")}))
	s.pubSubnet = aws.ToString(pub.Subnet.SubnetId)
	must(a.ModifySubnetAttribute(ctx, &sdkec2.ModifySubnetAttributeInput{SubnetId: pub.Subnet.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	priv := must(a.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.2.0/24"),
		AvailabilityZone: aws.String("us-east-1b")}))
	s.privSubnet = aws.ToString(priv.Subnet.SubnetId)
	mkSG := func(name string) string {
		out := must(a.CreateSecurityGroup(ctx, &sdkec2.CreateSecurityGroupInput{GroupName: aws.String(name),
			Description: aws.String(name + " group"), VpcId: vpc.Vpc.VpcId,
			TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "Name", name+"-sg")}))
		return aws.ToString(out.GroupId)
	}
	s.web, s.ssh, s.db = mkSG("web"), mkSG("ssh"), mkSG("db")
	ud := base64.StdEncoding.EncodeToString([]byte(userDataSecret))
	runOne := func(c *sdkec2.Client, subnet string, groups []string, name string) string {
		in := &sdkec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceType: types.InstanceTypeT3Micro, UserData: aws.String(ud), KeyName: aws.String("ops-key"),
			TagSpecifications: tagSpec(types.ResourceTypeInstance, "Name", name, "Team", "core")}
		if subnet != "" {
			in.SubnetId = aws.String(subnet)
		}
		if groups != nil {
			in.SecurityGroupIds = groups
		}
		out := must(c.RunInstances(ctx, in))
		return aws.ToString(out.Instances[0].InstanceId)
	}
	s.i1 = runOne(a, s.pubSubnet, []string{s.web, s.ssh}, "web-1")
	s.i2 = runOne(a, s.privSubnet, []string{s.db}, "db-1")
	s.i3 = runOne(a, "", nil, "default-vpc-host") // default VPC, default group
	s.iB = runOne(b, "", nil, "eu-host")

	extra := must(a.CreateVolume(ctx, &sdkec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(20),
		VolumeType: types.VolumeTypeGp3, TagSpecifications: tagSpec(types.ResourceTypeVolume, "Name", "data-disk")}))
	s.extraVol = aws.ToString(extra.VolumeId)
	must(a.AttachVolume(ctx, &sdkec2.AttachVolumeInput{VolumeId: extra.VolumeId, InstanceId: aws.String(s.i1), Device: aws.String("/dev/sdf")}))
	s.kmsKey = "arn:aws:kms:us-east-1:" + acct + ":key/11111111-2222-3333-4444-555555555555"
	enc := must(a.CreateVolume(ctx, &sdkec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(8),
		Encrypted: aws.Bool(true), KmsKeyId: aws.String(s.kmsKey)}))
	s.encVol = aws.ToString(enc.VolumeId)
	plain := must(b.CreateVolume(ctx, &sdkec2.CreateVolumeInput{AvailabilityZone: aws.String("eu-west-1a"), Size: aws.Int32(5)}))
	s.plainVol = aws.ToString(plain.VolumeId)
	return s
}

// truth is what the EC2 API reports for the account, read with the seed clients.
type truth struct {
	vpcs, subnets, groups, volumes map[string]string // id → region
	instances                      map[string]types.Instance
	volumeAttachments              map[string][]string // instance id → volume ids
}

func readTruth(t *testing.T, srv *testbed.Moto, acct string) truth {
	ctx := context.Background()
	tr := truth{vpcs: map[string]string{}, subnets: map[string]string{}, groups: map[string]string{}, volumes: map[string]string{},
		instances: map[string]types.Instance{}, volumeAttachments: map[string][]string{}}
	for _, r := range []string{regionA, regionB} {
		c := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, r))
		for _, v := range must(c.DescribeVpcs(ctx, &sdkec2.DescribeVpcsInput{})).Vpcs {
			tr.vpcs[aws.ToString(v.VpcId)] = r
		}
		for _, v := range must(c.DescribeSubnets(ctx, &sdkec2.DescribeSubnetsInput{})).Subnets {
			tr.subnets[aws.ToString(v.SubnetId)] = r
		}
		for _, v := range must(c.DescribeSecurityGroups(ctx, &sdkec2.DescribeSecurityGroupsInput{})).SecurityGroups {
			tr.groups[aws.ToString(v.GroupId)] = r
		}
		for _, res := range must(c.DescribeInstances(ctx, &sdkec2.DescribeInstancesInput{})).Reservations {
			for _, in := range res.Instances {
				tr.instances[aws.ToString(in.InstanceId)] = in
			}
		}
		for _, v := range must(c.DescribeVolumes(ctx, &sdkec2.DescribeVolumesInput{})).Volumes {
			tr.volumes[aws.ToString(v.VolumeId)] = r
			for _, at := range v.Attachments {
				id := aws.ToString(at.InstanceId)
				tr.volumeAttachments[id] = append(tr.volumeAttachments[id], aws.ToString(v.VolumeId))
			}
		}
	}
	return tr
}

func byProp(es []graph.Entity, prop string) map[string]graph.Entity {
	out := map[string]graph.Entity{}
	for _, e := range es {
		out[e.String(prop)] = e
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func equalSets(a, b []string) bool {
	a, b = sorted(a), sorted(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCollectEC2AgainstMoto(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	s := seed(t, srv, acct)
	sess := srv.Session(t, acct)
	sess.Regions = []string{regionA, regionB}
	before := sess.Calls.Snapshot()
	res := run(t, sess)
	tr := readTruth(t, srv, acct)
	job := res.Job

	for _, st := range res.Steps {
		if st.Status != engine.StatusSuccess {
			t.Errorf("step %s: %s %s", st.ID, st.Status, st.Error)
		}
	}
	if len(res.PartialTypes) != 0 || len(res.Warnings) != 0 {
		t.Errorf("partial %v warnings %+v", res.PartialTypes, res.Warnings)
	}

	// Calls: exactly one request of each Describe per region, nothing per resource.
	calls := sess.Calls.Snapshot()
	for _, op := range []string{"DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeInstances", "DescribeVolumes"} {
		if got := calls["ec2:"+op] - before["ec2:"+op]; got != 2 {
			t.Errorf("ec2:%s called %d times, want 2 (one per region)", op, got)
		}
	}
	for k := range calls {
		if strings.HasPrefix(k, "ec2:") && !strings.HasPrefix(k, "ec2:Describe") {
			t.Errorf("unexpected call %s", k)
		}
		if k == "ec2:DescribeInstanceAttribute" || k == "ec2:DescribeManagedPrefixLists" {
			t.Errorf("unexpected call %s", k)
		}
	}
	t.Logf("API calls: %v", calls)
	if testing.Verbose() {
		b, _ := json.MarshalIndent(job.EntitiesOfType(m.TypeInstance)[0], "", " ")
		t.Logf("%s", b)
	}

	// Counts equal what the API reports; exact classes.
	checkType := func(typ string, idProp string, want map[string]string, classes ...string) map[string]graph.Entity {
		es := job.EntitiesOfType(typ)
		got := byProp(es, idProp)
		if len(es) != len(want) || len(got) != len(want) {
			t.Errorf("%s: %d entities, API reports %d", typ, len(es), len(want))
		}
		for id, region := range want {
			e, ok := got[id]
			if !ok {
				t.Errorf("%s %s missing", typ, id)
				continue
			}
			if e.String("region") != region || e.String("accountId") != acct {
				t.Errorf("%s %s: region %v account %v", typ, id, e["region"], e["accountId"])
			}
			if !equalSets(e.Classes(), classes) {
				t.Errorf("%s classes %v want %v", typ, e.Classes(), classes)
			}
			if err := schema.Validate(e); err != nil {
				t.Error(err)
			}
			if !strings.HasPrefix(e.String("webLink"), "https://"+region+".console.aws.amazon.com/") {
				t.Errorf("%s webLink %v", id, e["webLink"])
			}
		}
		return got
	}
	vpcs := checkType(m.TypeVPC, "vpcId", tr.vpcs, "Network")
	subnets := checkType(m.TypeSubnet, "subnetId", tr.subnets, "Network")
	groups := checkType(m.TypeSecurityGroup, "groupId", tr.groups, "Firewall")
	instRegions := map[string]string{}
	for id := range tr.instances {
		instRegions[id] = regionA
	}
	instRegions[s.iB] = regionB
	instances := checkType(m.TypeInstance, "instanceId", instRegions, "Host")
	volumes := checkType(m.TypeVolume, "volumeId", tr.volumes, "DataStore", "Disk")
	if len(instances) != 4 {
		t.Errorf("instances: %d, want 4", len(instances))
	}
	if len(tr.vpcs) < 3 {
		t.Errorf("expected 2 default VPCs + 1 custom, API reports %d", len(tr.vpcs))
	}

	// Keys and properties.
	v := vpcs[s.vpcID]
	if v.Key() != "arn:aws:ec2:us-east-1:"+acct+":vpc/"+s.vpcID || v["CIDR"] != "10.0.0.0/16" || v["public"] != false ||
		v["internal"] != true || v["defaultVpc"] != false || v["displayName"] != "main-vpc" || v["tag.Env"] != "prod" {
		t.Errorf("vpc %v", v)
	}
	// IPv6 CIDRs are in ipv6CidrBlocks only: the data model types CIDRv6 as
	// an address, which a CIDR block is not.
	if cv6, ok := v["CIDRv6"]; ok {
		t.Errorf("vpc CIDRv6 should be omitted: %v", cv6)
	}
	if b, ok := v["ipv6CidrBlocks"].([]string); !ok || len(b) != 0 {
		t.Errorf("vpc ipv6CidrBlocks %#v, want an empty list", v["ipv6CidrBlocks"])
	}
	defaults := 0
	for _, e := range vpcs {
		if e["defaultVpc"] == true {
			defaults++
			if e["CIDR"] != "172.31.0.0/16" {
				t.Errorf("default vpc CIDR %v", e["CIDR"])
			}
		}
	}
	if defaults != 2 {
		t.Errorf("default VPCs %d, want 2", defaults)
	}
	ps := subnets[s.pubSubnet]
	if ps["public"] != true || ps["internal"] != false || ps["CIDR"] != "10.0.1.0/24" || ps["displayName"] != "public-a" || ps["vpcId"] != s.vpcID {
		t.Errorf("public subnet %v", ps)
	}
	if pr := subnets[s.privSubnet]; pr["public"] != false || pr["internal"] != true {
		t.Errorf("private subnet %v", pr)
	}
	g := groups[s.web]
	if g.Key() != "arn:aws:ec2:us-east-1:"+acct+":security-group/"+s.web || g["groupName"] != "web" || g["isStateful"] != true ||
		!equalSets(g.Strings("category"), []string{"network"}) || g["displayName"] != "web-sg" {
		t.Errorf("sg %v", g)
	}
	eg := g.Strings("egressRules")
	if len(eg) != 1 {
		t.Fatalf("default egress rules %v", eg)
	}
	rule := must(m.DecodeRule(eg[0]))
	if rule.IPProtocol != "-1" || rule.CidrIPv4 != "0.0.0.0/0" || !strings.HasPrefix(rule.RuleID, "sgr-") {
		t.Errorf("default egress rule %+v", rule)
	}
	i1 := instances[s.i1]
	if i1.Key() != "arn:aws:ec2:us-east-1:"+acct+":instance/"+s.i1 || i1["displayName"] != "web-1" || i1["tag.Team"] != "core" ||
		i1["platform"] != "linux" || i1["keyName"] != "ops-key" || i1["instanceType"] != "t3.micro" || i1["subnetId"] != s.pubSubnet ||
		i1["vpcId"] != s.vpcID || i1["state"] != "running" || i1["imageId"] != ami {
		t.Errorf("instance %v", i1)
	}
	if _, ok := i1["createdOn"].(int64); !ok {
		t.Errorf("createdOn %T", i1["createdOn"])
	}
	// hostname is the DNS label (data model Host), the full name is in fqdn.
	dns := aws.ToString(tr.instances[s.i1].PrivateDnsName)
	if label, _, _ := strings.Cut(dns, "."); dns == "" || i1["hostname"] != label || !slices.Contains(i1.Strings("fqdn"), dns) {
		t.Errorf("hostname %v fqdn %v, private DNS name %q", i1["hostname"], i1["fqdn"], dns)
	}
	if !equalSets(i1.Strings("securityGroupIds"), []string{s.web, s.ssh}) {
		t.Errorf("securityGroupIds %v", i1["securityGroupIds"])
	}
	ev := volumes[s.encVol]
	if ev["encrypted"] != true || ev["encryptionKeyRef"] != s.kmsKey || ev["classification"] != nil || ev["size"] != int64(8) {
		t.Errorf("encrypted volume %v", ev)
	}
	if _, ok := ev["classification"]; !ok {
		t.Error("classification must be present (null)")
	}
	if xv := volumes[s.extraVol]; xv["encrypted"] != false || xv["volumeType"] != "gp3" || xv["displayName"] != "data-disk" {
		t.Errorf("extra volume %v", xv)
	}

	// Relationships, instance by instance.
	relsFrom := func(typ string) map[string][]string {
		out := map[string][]string{}
		for _, r := range job.RelationshipsOfType(typ) {
			out[r.FromKey()] = append(out[r.FromKey()], r.ToKey())
		}
		return out
	}
	relsTo := func(typ string) map[string][]string {
		out := map[string][]string{}
		for _, r := range job.RelationshipsOfType(typ) {
			out[r.ToKey()] = append(out[r.ToKey()], r.FromKey())
		}
		return out
	}
	uses := relsFrom("aws_ec2_instance_uses_volume")
	protects := relsTo("aws_ec2_security_group_protects_instance")
	subnetHas := relsTo("aws_ec2_subnet_has_instance")
	for id, in := range tr.instances {
		ik := instances[id].Key()
		var wantVols []string
		for _, vid := range tr.volumeAttachments[id] {
			wantVols = append(wantVols, volumes[vid].Key())
		}
		if !equalSets(uses[ik], wantVols) {
			t.Errorf("%s USES %v, want %v", id, uses[ik], wantVols)
		}
		var wantGroups []string
		for _, gid := range ec2.InstanceGroupIDs(in) {
			wantGroups = append(wantGroups, groups[gid].Key())
		}
		if !equalSets(protects[ik], wantGroups) {
			t.Errorf("%s PROTECTED BY %v, want %v", id, protects[ik], wantGroups)
		}
		if want := subnets[aws.ToString(in.SubnetId)].Key(); len(subnetHas[ik]) != 1 || subnetHas[ik][0] != want {
			t.Errorf("%s in subnets %v, want %s", id, subnetHas[ik], want)
		}
	}
	if len(uses[instances[s.i1].Key()]) != 2 {
		t.Errorf("web-1 should use its root volume and data-disk: %v", uses[instances[s.i1].Key()])
	}
	if len(protects[instances[s.i1].Key()]) != 2 {
		t.Errorf("web-1 should be protected by 2 groups")
	}
	for _, r := range job.RelationshipsOfType("aws_ec2_instance_uses_volume") {
		if r.ToKey() == volumes[s.extraVol].Key() && (r["deviceName"] != "/dev/sdf" || r["_key"] != r.FromKey()+"|uses|"+r.ToKey()) {
			t.Errorf("uses edge %v", r)
		}
	}
	contains := relsTo("aws_ec2_vpc_contains_subnet")
	for id, sn := range subnets {
		if want := vpcs[sn.String("vpcId")].Key(); len(contains[sn.Key()]) != 1 || contains[sn.Key()][0] != want {
			t.Errorf("subnet %s contained by %v, want %s", id, contains[sn.Key()], want)
		}
	}
	vpcHas := relsTo("aws_ec2_vpc_has_security_group")
	for id, sg := range groups {
		if want := vpcs[sg.String("vpcId")].Key(); len(vpcHas[sg.Key()]) != 1 || vpcHas[sg.Key()][0] != want {
			t.Errorf("group %s in vpcs %v, want %s", id, vpcHas[sg.Key()], want)
		}
	}
	acctKey := account.Key("aws", acct)
	has := map[string]int{}
	for _, r := range job.Relationships() {
		if r.FromKey() == acctKey && r.Class() == "HAS" {
			has[r.ToKey()]++
		}
		if r.Mapping() == nil && (!job.HasKey(r.FromKey()) || !job.HasKey(r.ToKey())) {
			t.Errorf("dangling %s", r.Key())
		}
	}
	for _, typ := range []string{m.TypeVPC, m.TypeSubnet, m.TypeSecurityGroup, m.TypeInstance, m.TypeVolume} {
		for _, e := range job.EntitiesOfType(typ) {
			if has[e.Key()] != 1 {
				t.Errorf("account HAS %s: %d edges", e.Key(), has[e.Key()])
			}
		}
	}

	// User data never reaches the graph.
	blob, err := json.Marshal(map[string]any{"e": job.Entities(), "r": job.Relationships()})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "SECRET-USERDATA", base64.StdEncoding.EncodeToString([]byte(userDataSecret))} {
		if strings.Contains(string(blob), secret) {
			t.Errorf("user data %q found in the graph", secret)
		}
	}
}
