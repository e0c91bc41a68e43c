// Command fleetbench measures the managed service's throughput: it starts a
// moto_server, seeds N demo-sized accounts (testbed.SeedDemo, two regions),
// enqueues one instance event per account on a moto SQS queue and runs the
// queue worker in-process until the queue is empty (the product path:
// AssumeRole, every step, per-instance rate limits, graph files per
// instance, and PostgreSQL when -postgres-dsn is given). It prints accounts
// per minute, the worker's CPU seconds and peak RSS, and moto's own CPU time
// (the emulator's busy time: on this machine the floor of the run).
//
//	go run ./tools/fleetbench -accounts 10 -concurrency 4
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/handler"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/worker"
)

func main() {
	n := flag.Int("accounts", 10, "demo-sized accounts to collect")
	conc := flag.Int("concurrency", 4, "instances the worker runs at once")
	dsn := flag.String("postgres-dsn", "", "also write every instance into this PostgreSQL (default: graph files only)")
	flag.Parse()
	if err := run(*n, *conc, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench:", err)
		os.Exit(1)
	}
}

func run(n, conc int, dsn string) error {
	moto, err := testbed.Start()
	if err != nil {
		return err
	}
	defer moto.Stop()
	ctx := context.Background()
	regions := [2]string{"us-east-1", "eu-west-1"}
	var events []instance.Event
	seedStart := time.Now()
	for i := range n {
		acct := fmt.Sprintf("%012d", 200_000_000_000+i)
		if _, err := testbed.SeedDemo(ctx, moto.URL, acct, regions); err != nil {
			return fmt.Errorf("seeding %s: %w", acct, err)
		}
		events = append(events, instance.Event{IntegrationInstanceID: "bench-" + acct, Config: instance.Config{
			RoleArn: testbed.RoleArn(acct), ExternalID: testbed.ExternalID, Regions: regions[:]}})
	}
	fmt.Printf("seeded %d accounts in %s\n", n, time.Since(seedStart).Round(time.Second))
	cfg, err := awsclient.ServiceConfig(ctx, moto.URL, "us-east-1")
	if err != nil {
		return err
	}
	client := sqs.NewFromConfig(cfg)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("fleetbench")})
	if err != nil {
		return err
	}
	if err := worker.Enqueue(ctx, client, *q.QueueUrl, events); err != nil {
		return err
	}
	out, err := os.MkdirTemp("", "fleetbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	h := &handler.Handler{Settings: settings.Settings{OutputDir: filepath.Join(out, "graphs"), PostgresDSN: dsn, EndpointURL: moto.URL},
		PerInstanceOutput: true, AWS: moto.Options("")}
	h.AWS.RoleArn, h.AWS.ExternalID = "", ""
	motoBefore, selfBefore := procCPU(moto.PID()), selfCPU()
	start := time.Now()
	stats, err := worker.Run(ctx, client, worker.Options{QueueURL: *q.QueueUrl, Concurrency: conc, UntilEmpty: true,
		WaitTime: time.Second, Handle: h.Handle, Logger: slog.New(slog.DiscardHandler)})
	wall := time.Since(start)
	if err != nil {
		return err
	}
	if stats.Deleted != n {
		return fmt.Errorf("only %d of %d instances finished: %v", stats.Deleted, n, stats.ByStatus)
	}
	self, motoCPU := selfCPU()-selfBefore, procCPU(moto.PID())-motoBefore
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("accounts %d, concurrency %d, wall %s\n", n, conc, wall.Round(time.Millisecond))
	fmt.Printf("accounts/minute %.1f\n", float64(n)/wall.Minutes())
	fmt.Printf("worker CPU %.2fs (%.2fs per account), peak RSS %d MiB (%.0f MiB per concurrent instance)\n",
		self.Seconds(), self.Seconds()/float64(n), ru.Maxrss/1024, float64(ru.Maxrss)/1024/float64(conc))
	fmt.Printf("moto busy %.2fs (%.2fs per account; %.0f%% of wall)\n", motoCPU.Seconds(), motoCPU.Seconds()/float64(n), 100*motoCPU.Seconds()/wall.Seconds())
	return nil
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is another process's user+system CPU time, from /proc.
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}
