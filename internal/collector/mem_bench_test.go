package collector

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/ec2"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/regional"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// The synthetic account of the memory benchmark: every collection step of
// AllSteps keeps its id, dependencies and declarations, but reads generated
// SDK shapes instead of AWS (the EC2 ones through the real converters; the
// others read nothing), so the analyses and sinks run as in a collection.

const synthAccount = "123456789012"

var synthRegions = []string{"us-east-1", "eu-west-1"}

// synthSession is a session no step uses to call AWS.
func synthSession() *awsclient.Session {
	return &awsclient.Session{AccountID: synthAccount, Partition: "aws", Regions: synthRegions, Calls: awsclient.NewCallCounter()}
}

// synthSteps are AllSteps with every step that calls AWS replaced by a
// generator: instances per region, 2 volumes each, a security group per 20
// instances and a subnet per 100, a VPC per 1,000.
func synthSteps(s *awsclient.Session, instances int) []engine.Step {
	gen := map[string]func(*engine.StepContext) error{
		account.StepID: func(sc *engine.StepContext) error {
			return sc.AddEntity(account.NewEntity("aws", synthAccount, "bench"))
		},
		m.StepVPCs:           func(sc *engine.StepContext) error { return synthVPCs(sc, s, instances) },
		m.StepSubnets:        func(sc *engine.StepContext) error { return synthSubnets(sc, s, instances) },
		m.StepSecurityGroups: func(sc *engine.StepContext) error { return synthGroups(sc, s, instances) },
		m.StepInstances:      func(sc *engine.StepContext) error { return synthInstances(sc, s, instances) },
		m.StepVolumes:        func(sc *engine.StepContext) error { return synthVolumes(sc, s, instances) },
	}
	steps := AllSteps(s)
	for i, st := range steps {
		if len(st.Permissions) == 0 {
			continue // an analysis: runs for real
		}
		run := gen[st.ID]
		steps[i].Run = func(context.Context, *engine.StepContext) error { return nil }
		if run != nil {
			steps[i].Run = func(_ context.Context, sc *engine.StepContext) error { return run(sc) }
		}
	}
	return steps
}

func perRegion(n, per int) int { return max(1, (n/len(synthRegions)+per-1)/per) }

func synthVPCs(sc *engine.StepContext, s *awsclient.Session, n int) error {
	for _, r := range synthRegions {
		for i := range perRegion(n, 1000) {
			v := types.Vpc{VpcId: aws.String(fmt.Sprintf("vpc-%08x", i)), CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i%256)),
				OwnerId: aws.String(synthAccount), State: types.VpcStateAvailable, IsDefault: aws.Bool(false),
				Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("vpc %d", i))}}}
			if err := regional.AddOwned(sc, s, ec2.NewVPCEntity(ec2.Scope{Partition: "aws", AccountID: synthAccount, Region: r}, v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func synthSubnets(sc *engine.StepContext, s *awsclient.Session, n int) error {
	for _, r := range synthRegions {
		scope := ec2.Scope{Partition: "aws", AccountID: synthAccount, Region: r}
		for i := range perRegion(n, 100) {
			sn := types.Subnet{SubnetId: aws.String(fmt.Sprintf("subnet-%08x", i)), VpcId: aws.String(fmt.Sprintf("vpc-%08x", i/10)),
				CidrBlock: aws.String(fmt.Sprintf("10.%d.%d.0/24", (i/10)%256, i%256)), AvailabilityZone: aws.String(r + "a"),
				AvailableIpAddressCount: aws.Int32(200), MapPublicIpOnLaunch: aws.Bool(i%2 == 0), OwnerId: aws.String(synthAccount),
				State: types.SubnetStateAvailable, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("subnet %d", i))}}}
			e := ec2.NewSubnetEntity(scope, sn)
			if err := regional.AddOwned(sc, s, e); err != nil {
				return err
			}
			vpc := scope.ARN("", "vpc", aws.ToString(sn.VpcId))
			if err := sc.AddRelationship(graph.DirectByKey(vpc, m.TypeVPC, "CONTAINS", e.Key(), m.TypeSubnet, nil)); err != nil {
				return err
			}
		}
	}
	return nil
}

func synthGroups(sc *engine.StepContext, s *awsclient.Session, n int) error {
	for _, r := range synthRegions {
		scope := ec2.Scope{Partition: "aws", AccountID: synthAccount, Region: r}
		for i := range perRegion(n, 20) {
			id := fmt.Sprintf("sg-%08x", i)
			g := types.SecurityGroup{GroupId: aws.String(id), GroupName: aws.String("group-" + id), VpcId: aws.String(fmt.Sprintf("vpc-%08x", i/50)),
				Description: aws.String("bench group"), OwnerId: aws.String(synthAccount),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("t" + strconv.Itoa(i%7))}}}
			rules := ec2.GroupRules{
				Ingress: []m.Rule{
					{RuleID: "sgr-a" + id, IPProtocol: "tcp", FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIPv4: "10.0.0.0/8"},
					{RuleID: "sgr-b" + id, IPProtocol: "tcp", FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIPv4: "0.0.0.0/0"},
					{RuleID: "sgr-c" + id, IPProtocol: "-1", ReferencedGroup: &m.GroupRef{GroupID: id, UserID: synthAccount}},
				},
				Egress: []m.Rule{{RuleID: "sgr-d" + id, IPProtocol: "-1", CidrIPv4: "0.0.0.0/0"}},
			}
			e := ec2.NewSecurityGroupEntity(scope, g, rules)
			if err := regional.AddOwned(sc, s, e); err != nil {
				return err
			}
			vpc := scope.ARN("", "vpc", aws.ToString(g.VpcId))
			if err := sc.AddRelationship(graph.DirectByKey(vpc, m.TypeVPC, "HAS", e.Key(), m.TypeSecurityGroup, nil)); err != nil {
				return err
			}
		}
	}
	return nil
}

func synthInstance(r string, i int) types.Instance {
	id := fmt.Sprintf("i-%017x", i)
	ip := fmt.Sprintf("10.%d.%d.%d", (i/25600)%256, (i/100)%256, i%100+4)
	in := types.Instance{
		InstanceId: aws.String(id), ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeT3Micro,
		State: &types.InstanceState{Name: types.InstanceStateNameRunning}, Architecture: types.ArchitectureValuesX8664,
		PrivateIpAddress: aws.String(ip), PrivateDnsName: aws.String("ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal"),
		SubnetId: aws.String(fmt.Sprintf("subnet-%08x", i/100)), VpcId: aws.String(fmt.Sprintf("vpc-%08x", i/1000)),
		Placement:  &types.Placement{AvailabilityZone: aws.String(r + "a"), Tenancy: types.TenancyDefault},
		Monitoring: &types.Monitoring{State: types.MonitoringStateDisabled}, RootDeviceType: types.DeviceTypeEbs,
		PlatformDetails: aws.String("Linux/UNIX"), KeyName: aws.String("deploy"), LaunchTime: aws.Time(time.Unix(1.7e9, 0)),
		SecurityGroups: []types.GroupIdentifier{{GroupId: aws.String(fmt.Sprintf("sg-%08x", i/20))}, {GroupId: aws.String(fmt.Sprintf("sg-%08x", (i/20+1)%max(1, i/20+1)))}},
		NetworkInterfaces: []types.InstanceNetworkInterface{{NetworkInterfaceId: aws.String(fmt.Sprintf("eni-%017x", i)),
			MacAddress:         aws.String(fmt.Sprintf("02:00:%02x:%02x:%02x:01", i>>16&255, i>>8&255, i&255)),
			PrivateIpAddresses: []types.InstancePrivateIpAddress{{PrivateIpAddress: aws.String(ip)}}}},
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web-" + strconv.Itoa(i))},
			{Key: aws.String("env"), Value: aws.String([]string{"prod", "staging", "dev"}[i%3])},
			{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("stack-" + strconv.Itoa(i/50))}},
	}
	if i%4 == 0 {
		pub := fmt.Sprintf("54.%d.%d.%d", (i/65536)%256, (i/256)%256, i%256)
		in.PublicIpAddress = aws.String(pub)
		in.PublicDnsName = aws.String("ec2-" + strings.ReplaceAll(pub, ".", "-") + ".compute-1.amazonaws.com")
	}
	return in
}

func synthInstances(sc *engine.StepContext, s *awsclient.Session, n int) error {
	for _, r := range synthRegions {
		scope := ec2.Scope{Partition: "aws", AccountID: synthAccount, Region: r}
		for i := range n / len(synthRegions) {
			in := synthInstance(r, i)
			e := ec2.NewInstanceEntity(scope, in)
			if err := regional.AddOwned(sc, s, e); err != nil {
				return err
			}
			subnet := scope.ARN("", "subnet", aws.ToString(in.SubnetId))
			if err := sc.AddRelationship(graph.DirectByKey(subnet, m.TypeSubnet, "HAS", e.Key(), m.TypeInstance, nil)); err != nil {
				return err
			}
			for _, gid := range ec2.InstanceGroupIDs(in) {
				g := scope.ARN(synthAccount, "security-group", gid)
				if err := sc.AddRelationshipOnce(graph.DirectByKey(g, m.TypeSecurityGroup, "PROTECTS", e.Key(), m.TypeInstance, nil)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func synthVolumes(sc *engine.StepContext, s *awsclient.Session, n int) error {
	for _, r := range synthRegions {
		scope := ec2.Scope{Partition: "aws", AccountID: synthAccount, Region: r}
		for i := range n / len(synthRegions) {
			iid := fmt.Sprintf("i-%017x", i)
			instances := map[string]string{iid: scope.ARN("", "instance", iid)}
			for d := range 2 {
				v := types.Volume{VolumeId: aws.String(fmt.Sprintf("vol-%016x%d", i, d)), Size: aws.Int32(8 + int32(d)*92), VolumeType: types.VolumeTypeGp3,
					Iops: aws.Int32(3000), Throughput: aws.Int32(125), State: types.VolumeStateInUse, Encrypted: aws.Bool(d == 0),
					AvailabilityZone: aws.String(r + "a"), MultiAttachEnabled: aws.Bool(false), CreateTime: aws.Time(time.Unix(1.7e9, 0)),
					Attachments: []types.VolumeAttachment{{InstanceId: aws.String(iid), Device: aws.String("/dev/xvd" + string(rune('a'+d))),
						State: types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(true)}}}
				e := ec2.NewVolumeEntity(scope, v)
				if err := regional.AddOwned(sc, s, e); err != nil {
					return err
				}
				rels, _ := ec2.VolumeUses(e, v, instances)
				for _, rel := range rels {
					if err := sc.AddRelationship(rel); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() uint64 {
	data, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// synthRun is one collection of the synthetic account into the graph files
// and a SQLite store under dir; it returns the objects written and the heap
// the finished job retains (after GC, before the sinks).
func synthRun(tb testing.TB, dir string, instances int) (objects int, retained uint64) {
	base := heapInuse()
	ctx := context.Background()
	outs, err := openOutputs(ctx, Options{OutputDir: filepath.Join(dir, "out"), DBPath: filepath.Join(dir, "graph.db")})
	if err != nil {
		tb.Fatal(err)
	}
	defer outs.Close()
	s := synthSession()
	job := engine.NewJob()
	res, err := engine.Run(ctx, job, synthSteps(s, instances), engine.Options{Concurrency: 4})
	if err != nil {
		tb.Fatal(err)
	}
	for _, st := range res.Steps {
		if st.Status != engine.StatusSuccess {
			tb.Fatalf("step %s: %s %s", st.ID, st.Status, st.Error)
		}
	}
	if h := heapInuse(); h > base {
		retained = h - base
	}
	writeHeapProfile(tb)
	now := time.Now()
	summary := summarize(instance.Config{IntegrationInstanceID: "bench"}, s, res, now, now)
	snap := &sink.Snapshot{InstanceID: "bench", Source: job, PartialTypes: res.PartialTypes,
		PartialRegions: res.PartialRegions, Summary: summary}
	for _, st := range res.Steps {
		snap.DeclaredTypes = append(snap.DeclaredTypes, st.DeclaredTypes...)
	}
	if err := outs.write(ctx, snap); err != nil {
		tb.Fatal(err)
	}
	return job.NumEntities() + job.NumRelationships(), retained
}

var benchInstances = flag.Int("mem.instances", 10000, "instances of the synthetic account in BenchmarkCollectMemory (about 10 graph objects each)")

// BenchmarkCollectMemory collects the synthetic account (analyses included)
// into graph files and a SQLite store, and reports the heap the finished job
// retains per graph object, the peak RSS per object and the graph objects
// per CPU-second end to end. Run it alone, with -benchtime=1x for the peak.
func BenchmarkCollectMemory(b *testing.B) {
	var objects int
	var retained uint64
	cpu := cpuTime()
	for b.Loop() {
		objects, retained = synthRun(b, b.TempDir(), *benchInstances)
	}
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(objects), "objects")
	b.ReportMetric(float64(retained)/float64(objects), "retained-B/object")
	b.ReportMetric(float64(peakRSS())/float64(objects), "peakRSS-B/object")
	b.ReportMetric(float64(objects)*float64(b.N)/cpu.Seconds(), "objects/CPU-s")
}

var heapProfile = flag.String("mem.heapprofile", "", "write the heap profile of the finished job (before the sinks) to this file")

func writeHeapProfile(tb testing.TB) {
	if *heapProfile == "" {
		return
	}
	f, err := os.Create(*heapProfile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		tb.Fatal(err)
	}
}

// The queue worker collects instance after instance in one process: what a
// collection leaves behind once it is done (per-job string tables, arenas)
// must go with it, so the heap returns to where it was instead of growing
// with the number of instances collected.
func TestRepeatedCollectionsReturnHeapToBaseline(t *testing.T) {
	const runs, instances = 4, 1000
	synthRun(t, t.TempDir(), instances) // first-use allocations: driver, schemas, encoders
	base := heapInuse()
	var perJob uint64
	for range runs {
		objects, retained := synthRun(t, t.TempDir(), instances)
		perJob = max(perJob, retained)
		if objects < 10*instances {
			t.Fatalf("the synthetic account has %d objects, want at least %d", objects, 10*instances)
		}
	}
	after := heapInuse()
	t.Logf("heap in use: %d B before, %d B after %d collections; one finished job retained up to %d B", base, after, runs, perJob)
	// Anything kept per collection would leave about runs × perJob behind.
	if after > base+perJob/2 {
		t.Errorf("heap grew from %d to %d B over %d collections (one job retains %d B): something outlives its collection", base, after, runs, perJob)
	}
}
