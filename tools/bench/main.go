// Command bench measures a whole collection against moto: it starts a
// moto_server, seeds an account of the requested size in two regions, runs
// the collector through the product path (AssumeRole, every step, graph files
// and the SQLite store), and prints wall time, graph size and API calls per
// operation. Run: go run ./tools/bench -instances 200 -principals 600
//
// With -synthetic it collects instead a generated account of about -objects
// graph objects from the synthetic responder (internal/testbed/synthaws, run
// as a child process so its memory and CPU are not the collector's) into
// -store sqlite, postgres or both, and prints objects, wall, CPU, peak RSS,
// store size, API calls and step durations:
// go run ./tools/bench -synthetic -objects 1000000 -store both
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func main() {
	instances := flag.Int("instances", 200, "EC2 instances per region (each with an extra volume)")
	groups := flag.Int("groups", 40, "security groups per region")
	principals := flag.Int("principals", 600, "IAM users and roles (half each)")
	buckets := flag.Int("buckets", 30, "S3 buckets")
	synthetic := flag.Bool("synthetic", false, "collect a generated account from the synthetic responder (internal/testbed/synthaws) instead of moto")
	serve := flag.Bool("serve-synthetic", false, "be the synthetic responder: print its URL, serve until stdin closes (the bench runs this as its child)")
	sf := synthFlagSet(flag.CommandLine)
	flag.Parse()
	var err error
	switch {
	case *serve:
		err = serveSynthetic(sf.objects)
	case *synthetic:
		err = runSynthetic(*sf)
	default:
		err = run(*instances, *groups, *principals, *buckets)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parallel(n, workers int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	ch := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	return first
}

func run(nInst, nGroups, nPrincipals, nBuckets int) error {
	ctx := context.Background()
	srv, err := testbed.Start()
	if err != nil {
		return err
	}
	defer srv.Stop()
	const acct = "210987654321"
	regions := [2]string{"us-east-1", "eu-west-1"}
	seedStart := time.Now()
	if err := seed(ctx, srv.URL, acct, regions, nInst, nGroups, nPrincipals, nBuckets); err != nil {
		return err
	}
	seedTime := time.Since(seedStart)

	dir, _ := os.MkdirTemp("", "awsgraph-bench")
	defer os.RemoveAll(dir)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	out, err := collector.Run(ctx, collector.Options{
		Config:    instance.Config{RoleArn: testbed.RoleArn(acct), ExternalID: testbed.ExternalID, Regions: regions[:]},
		OutputDir: filepath.Join(dir, "out"), DBPath: filepath.Join(dir, "g.db"),
		AWS: awsclient.Options{EndpointURL: srv.URL, Region: "us-east-1",
			BaseCredentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
	})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	s := out.Summary
	ents, rels := 0, 0
	for _, n := range s.EntityCounts {
		ents += n
	}
	for _, n := range s.RelationshipCounts {
		rels += n
	}
	fmt.Printf("seeded in %.1fs: %d instances/region, %d groups/region, %d IAM principals, %d+3 buckets\n", seedTime.Seconds(), nInst, nGroups, nPrincipals, nBuckets)
	fmt.Printf("collect: %.2fs wall, %d entities, %d relationships, %d API calls, %d partial types, %.0f MB allocated\n",
		wall.Seconds(), ents, rels, s.APICalls.Total, len(s.Metadata.PartialDatasets.Types), float64(after.TotalAlloc-before.TotalAlloc)/1e6)
	keys := make([]string, 0, len(s.APICalls.ByOperation))
	for k := range s.APICalls.ByOperation {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-40s %d\n", k, s.APICalls.ByOperation[k])
	}
	types := make([]string, 0, len(s.EntityCounts))
	for t := range s.EntityCounts {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Printf("  entities %-36s %d\n", t, s.EntityCounts[t])
	}
	for _, r := range s.IntegrationStepResults {
		fmt.Printf("  step %-45s %6d ms %s\n", r.ID, r.DurationMs, r.Status)
	}
	return nil
}

// seed adds the demo account and the bench's resources: per region nGroups
// groups and nInst instances with an extra volume each; nPrincipals users
// and roles; nBuckets buckets.
func seed(ctx context.Context, endpoint, acct string, regions [2]string, nInst, nGroups, nPrincipals, nBuckets int) error {
	if _, err := testbed.SeedDemo(ctx, endpoint, acct, regions); err != nil {
		return err
	}
	for _, region := range regions {
		if err := seedRegion(ctx, endpoint, acct, region, nInst, nGroups); err != nil {
			return err
		}
	}
	cfg, _ := testbed.SeedConfigFor(endpoint, acct, "us-east-1")
	ic := iam.NewFromConfig(cfg)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	if err := parallel(nPrincipals/2, 8, func(i int) error {
		if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("bench-user-%d", i))}); err != nil {
			return err
		}
		_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("bench-role-%d", i)), AssumeRolePolicyDocument: aws.String(trust)})
		return err
	}); err != nil {
		return err
	}
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if err := parallel(nBuckets, 4, func(i int) error {
		_, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("bench-bucket-%d-%s", i, acct))})
		return err
	}); err != nil {
		return err
	}
	return nil
}

// seedRegion adds nGroups security groups and nInst instances (10 per
// RunInstances), each with an attached extra volume, to one region.
func seedRegion(ctx context.Context, endpoint, acct, region string, nInst, nGroups int) error {
	cfg, _ := testbed.SeedConfigFor(endpoint, acct, region)
	c := ec2.NewFromConfig(cfg)
	var groupIDs []string
	for g := 0; g < nGroups; g++ {
		out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("bench-%d", g)), Description: aws.String("bench")})
		if err != nil {
			return err
		}
		groupIDs = append(groupIDs, aws.ToString(out.GroupId))
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: []ec2types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(int32(1000 + g)), ToPort: aws.Int32(int32(1000 + g)), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(fmt.Sprintf("10.%d.0.0/16", g))}}},
		}})
		if err != nil {
			return err
		}
	}
	err := parallel(nInst/10, 4, func(i int) error {
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(10), MaxCount: aws.Int32(10),
			SecurityGroupIds: []string{groupIDs[i%len(groupIDs)], groupIDs[(i+1)%len(groupIDs)]}})
		if err != nil {
			return err
		}
		for _, in := range out.Instances {
			v, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: in.Placement.AvailabilityZone, Size: aws.Int32(10)})
			if err != nil {
				return err
			}
			if _, err := c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: v.VolumeId, InstanceId: in.InstanceId, Device: aws.String("/dev/sdg")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}
