package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jackc/pgx/v5"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/testbed/synthaws"
)

// synthFlags are the flags of the synthetic mode.
type synthFlags struct {
	objects    int
	store      string
	cpuProfile string
	memProfile string
	keep       string
}

// serveSynthetic is the responder's own process: it prints its URL and
// serves until its standard input closes (the bench ended), so its memory
// and CPU are never counted as the collector's.
func serveSynthetic(objects int) error {
	srv := synthaws.New(synthaws.ForObjects(objects))
	url, ln, err := srv.Listen()
	if err != nil {
		return err
	}
	fmt.Println(url)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = ln.Close()
	if u := srv.Unknown(); len(u) > 0 {
		fmt.Fprintf(os.Stderr, "synthaws: calls without an answer: %v\n", u)
	}
	return nil
}

// startResponder runs this binary with -serve-synthetic as a child.
func startResponder(objects int) (url string, stop func() (user, sys time.Duration), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-serve-synthetic", fmt.Sprint("-objects=", objects))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return "", nil, fmt.Errorf("synthetic responder did not start: %w", err)
	}
	return strings.TrimSpace(line), func() (time.Duration, time.Duration) {
		_ = stdin.Close()
		_ = cmd.Wait()
		if cmd.ProcessState == nil {
			return 0, 0
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			fmt.Printf("responder peak RSS %.1f MiB (its own process)\n", float64(ru.Maxrss)/1024)
		}
		return cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime()
	}, nil
}

// runSynthetic is -synthetic: with -store both it runs itself once per
// store, so each collection's peak RSS is its own.
func runSynthetic(f synthFlags) error {
	if f.store == "both" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		for _, st := range []string{"sqlite", "postgres"} {
			args := []string{"-synthetic", fmt.Sprint("-objects=", f.objects), "-store=" + st}
			if f.cpuProfile != "" {
				args = append(args, "-cpuprofile="+f.cpuProfile+"."+st)
			}
			if f.memProfile != "" {
				args = append(args, "-memprofile="+f.memProfile+"."+st)
			}
			if f.keep != "" {
				args = append(args, "-keep="+filepath.Join(f.keep, st))
				if err := os.MkdirAll(filepath.Join(f.keep, st), 0o755); err != nil {
					return err
				}
			}
			cmd := exec.Command(self, args...)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%s run: %w", st, err)
			}
		}
		return nil
	}
	if f.store != "sqlite" && f.store != "postgres" {
		return fmt.Errorf("-store: sqlite, postgres or both, not %q", f.store)
	}
	return synthOnce(f)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return "?"
	}
	return strings.Join(fs[:3], " ")
}

func synthOnce(f synthFlags) error {
	ctx := context.Background()
	sizes := synthaws.ForObjects(f.objects)
	url, stopResponder, err := startResponder(f.objects)
	if err != nil {
		return err
	}
	responderStopped := false
	defer func() {
		if !responderStopped {
			stopResponder()
		}
	}()
	dir := f.keep
	if dir == "" {
		dir, err = os.MkdirTemp("", "awsgraph-synthbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	opts := collector.Options{
		Config:    instance.Config{RoleArn: testbed.RoleArn(sizes.AccountID), ExternalID: testbed.ExternalID, Regions: sizes.Regions},
		OutputDir: filepath.Join(dir, "out"),
		AWS: awsclient.Options{EndpointURL: url, Region: "us-east-1",
			BaseCredentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
	}
	storeSize, stopPG, err := setupStore(ctx, f.store, dir, &opts)
	if err != nil {
		return err
	}
	defer func() { stopPG() }()
	stopProfiles, err := startProfiles(f.cpuProfile, f.memProfile)
	if err != nil {
		return err
	}
	load := loadAvg()
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	phases := watchPhases(&opts)
	out, err := collector.Run(ctx, opts)
	phases.stop()
	wall := time.Since(start)
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	if perr := stopProfiles(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	respUser, respSys := stopResponder()
	responderStopped = true
	size, err := storeSize()
	if err != nil {
		return err
	}
	files, _ := pathSize(filepath.Join(dir, "out"))
	// The PostgreSQL server's CPU (its backends are reaped by the
	// postmaster, which we reap on Stop) is the children's total less the
	// responder's; it includes initdb.
	stopPG()
	stopPG = func() {}
	var children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	storeCPU := tv(children.Utime) + tv(children.Stime) - respUser - respSys
	cpu := tv(ru1.Utime) - tv(ru0.Utime) + tv(ru1.Stime) - tv(ru0.Stime)
	report(out.Summary, sizes, f, wall, cpu, ru1.Maxrss*1024, size, files, load, respUser+respSys)
	phases.print(start)
	if f.store == "postgres" {
		fmt.Printf("PostgreSQL server CPU %.2fs (initdb included; not in the collector CPU above)\n", storeCPU.Seconds())
	}
	return nil
}

// phases samples the process's resident memory while a collection runs
// and notes when its last step ended, to tell the steps' peak from the
// outputs' (store and graph files, written after every step).
type phases struct {
	mu       sync.Mutex
	lastStep time.Time
	samples  []rssSample
	done     chan struct{}
	wg       sync.WaitGroup
}

type rssSample struct {
	at  time.Time
	rss int64
}

func watchPhases(opts *collector.Options) *phases {
	p := &phases{done: make(chan struct{})}
	opts.OnStepDone = func(engine.StepResult) {
		p.mu.Lock()
		p.lastStep = time.Now()
		p.mu.Unlock()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case now := <-tick.C:
				if rss := currentRSS(); rss > 0 {
					p.mu.Lock()
					p.samples = append(p.samples, rssSample{now, rss})
					p.mu.Unlock()
				}
			}
		}
	}()
	return p
}

func (p *phases) stop() {
	close(p.done)
	p.wg.Wait()
}

func (p *phases) print(start time.Time) {
	var steps, outputs int64
	for _, s := range p.samples {
		if s.at.After(p.lastStep) {
			outputs = max(outputs, s.rss)
		} else {
			steps = max(steps, s.rss)
		}
	}
	end := time.Now()
	if n := len(p.samples); n > 0 {
		end = p.samples[n-1].at
	}
	fmt.Printf("phases: steps %.1fs wall (RSS max %.0f MiB), outputs after the last step %.1fs wall (RSS max %.0f MiB), sampled every 100 ms\n",
		p.lastStep.Sub(start).Seconds(), float64(steps)/(1<<20), end.Sub(p.lastStep).Seconds(), float64(outputs)/(1<<20))
}

// currentRSS is VmRSS from /proc/self/status in bytes (0 when unreadable).
func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb * 1024
		}
	}
	return 0
}

// setupStore points opts at the store: a SQLite file in dir, or a database
// on a private PostgreSQL server (stop it with stopPG). size reports the
// store's bytes on disk.
func setupStore(ctx context.Context, store, dir string, opts *collector.Options) (size func() (int64, error), stopPG func(), err error) {
	if store != "postgres" {
		opts.DBPath = filepath.Join(dir, "g.db")
		return func() (int64, error) { return pathSize(opts.DBPath) }, func() {}, nil
	}
	pg, err := testbed.StartPostgresServer()
	if err != nil {
		return nil, nil, err
	}
	if err := createDB(ctx, pg.DSN("postgres"), "bench"); err != nil {
		pg.Stop()
		return nil, nil, err
	}
	opts.PostgresDSN = pg.DSN("bench")
	return func() (int64, error) { return pgSize(ctx, pg.DSN("bench")) }, pg.Stop, nil
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

func createDB(ctx context.Context, adminDSN, name string) error {
	c, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

func pgSize(ctx context.Context, dsn string) (int64, error) {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	var n int64
	err = c.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
	return n, err
}

// pathSize is the bytes of a file or directory tree; for a SQLite file its
// -wal and -shm files count too.
func pathSize(path string) (int64, error) {
	var total int64
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		err := filepath.Walk(p, func(_ string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.IsDir() {
				total += info.Size()
			}
			return nil
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	return total, nil
}

// startProfiles starts the CPU profile and a sampler that rewrites the heap
// profile each time the live heap grows 5% past the last one written, so the
// file left is the heap in use near its peak.
func startProfiles(cpuPath, memPath string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpuPath != "" {
		if cpuFile, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			return nil, err
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var memErr error
	if memPath != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			memErr = sampleHeap(memPath, done)
		}()
	}
	return func() error {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				return err
			}
		}
		close(done)
		wg.Wait()
		return memErr
	}, nil
}

func sampleHeap(path string, done <-chan struct{}) error {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var written uint64
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			if written == 0 {
				return writeHeap(path)
			}
			return nil
		case <-tick.C:
		}
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > written+written/20 {
			// The profile is of the last GC: force one so it is this heap.
			runtime.GC()
			if err := writeHeap(path); err != nil {
				return err
			}
			written = v
		}
	}
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func report(s *collector.Summary, sizes synthaws.Sizes, f synthFlags, wall, cpu time.Duration, rss, store, files int64, load string, respCPU time.Duration) {
	ents, rels := 0, 0
	for _, n := range s.EntityCounts {
		ents += n
	}
	for _, n := range s.RelationshipCounts {
		rels += n
	}
	objs := ents + rels
	t := sizes.Truth()
	fmt.Printf("synthetic bench, %d objects asked, store %s, load average before %s, after %s, GOMAXPROCS %d\n", f.objects, f.store, load, loadAvg(), runtime.GOMAXPROCS(0))
	fmt.Printf("account: %d instances, %d volumes, %d security groups, %d VPCs, %d subnets (%d regions); %d users, %d groups, %d roles, %d policies\n",
		t.Instances, t.Volumes, t.SecurityGroups, t.VPCs, t.Subnets, len(sizes.Regions), t.Users, t.IAMGroups, t.Roles, t.Policies)
	fmt.Printf("objects %d (entities %d, relationships %d), partial types %d\n", objs, ents, rels, len(s.Metadata.PartialDatasets.Types))
	fmt.Printf("wall %.2fs, collector CPU %.2fs (user+sys), %.0f objects/CPU-s, responder CPU %.2fs\n", wall.Seconds(), cpu.Seconds(), float64(objs)/cpu.Seconds(), respCPU.Seconds())
	fmt.Printf("peak RSS %.1f MiB, %.0f bytes/object; store %.1f MiB (%.0f bytes/object); graph files %.1f MiB\n",
		float64(rss)/(1<<20), float64(rss)/float64(max(objs, 1)), float64(store)/(1<<20), float64(store)/float64(max(objs, 1)), float64(files)/(1<<20))
	printTop("entities", s.EntityCounts)
	printTop("relationships", s.RelationshipCounts)
	fmt.Printf("API calls %d\n", s.APICalls.Total)
	keys := make([]string, 0, len(s.APICalls.ByOperation))
	for k := range s.APICalls.ByOperation {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-45s %d\n", k, s.APICalls.ByOperation[k])
	}
	steps := append(s.IntegrationStepResults[:0:0], s.IntegrationStepResults...)
	sort.Slice(steps, func(i, j int) bool { return steps[i].DurationMs > steps[j].DurationMs })
	for _, r := range steps {
		fmt.Printf("  step %-45s %7d ms %s\n", r.ID, r.DurationMs, r.Status)
	}
}

// printTop prints the 12 largest types of counts.
func printTop(what string, counts map[string]int) {
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		return counts[types[i]] > counts[types[j]] || counts[types[i]] == counts[types[j]] && types[i] < types[j]
	})
	fmt.Printf("%s by type (largest %d of %d):\n", what, min(12, len(types)), len(types))
	for _, t := range types[:min(12, len(types))] {
		fmt.Printf("  %-60s %d\n", t, counts[t])
	}
}

func synthFlagSet(fs *flag.FlagSet) *synthFlags {
	f := &synthFlags{}
	fs.IntVar(&f.objects, "objects", 100000, "synthetic: about this many graph objects (entities + relationships)")
	fs.StringVar(&f.store, "store", "sqlite", "synthetic: sqlite, postgres or both")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the collection to this file")
	fs.StringVar(&f.memProfile, "memprofile", "", "write the heap profile (in use, near its peak) to this file")
	fs.StringVar(&f.keep, "keep", "", "synthetic: keep the store and graph files in this directory")
	return f
}
