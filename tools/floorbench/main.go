// Command floorbench measures how far a collection's wall time is from the
// emulator's floor (issue 15). It starts moto_server, seeds the account at
// the scale (internal/testbed/scale), and puts a counting reverse
// proxy in front of moto that records each request's server time. Then it
// runs the collector (the product path) through the proxy twice:
//
//   - floor: the proxy forwards one request at a time, whatever the client
//     sends at once, so moto serves the collector's own calls serially; the
//     sum of their server times is the floor (the emulator's busy time for
//     the calls, made serially);
//   - wall: the proxy passes requests through as they come; the collector's
//     wall time is compared with the floor.
//
// A first pass warms moto up (it loads each service's backend on first use).
// Run: go run ./tools/floorbench -scale 1
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/testbed/scale"
)

func main() {
	n := flag.Int("scale", 1, "account scale (1 = the issue's x1)")
	passes := flag.Int("passes", 1, "wall passes after the warm-up")
	variants := flag.String("variants", "default", "comma-separated adaptive settings to compare, each wall pass in turn: "+
		"default, service (one bound per service and region), fixedN (a fixed shared bound of N), growG:shrinkS (thresholds)")
	flag.Parse()
	if err := run(*n, *passes, strings.Split(*variants, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "floorbench:", err)
		os.Exit(1)
	}
}

// proxy counts requests and their server time; serial makes it forward one
// at a time.
type proxy struct {
	rp     *httputil.ReverseProxy
	serial sync.Mutex
	mu     sync.Mutex
	// under mu
	serialOn        bool
	requests        int
	server          time.Duration // sum of per-request server time
	inFlight, maxIn int
	busySince       time.Time
	busy            time.Duration // time with at least one request in flight
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	serial := p.serialOn
	p.mu.Unlock()
	if serial {
		p.serial.Lock()
		defer p.serial.Unlock()
	}
	p.mu.Lock()
	start := time.Now()
	if p.inFlight == 0 {
		p.busySince = start
	}
	p.inFlight++
	p.maxIn = max(p.maxIn, p.inFlight)
	p.mu.Unlock()
	p.rp.ServeHTTP(w, r)
	end := time.Now()
	p.mu.Lock()
	p.requests++
	p.server += end.Sub(start)
	p.inFlight--
	if p.inFlight == 0 {
		p.busy += end.Sub(p.busySince)
	}
	p.mu.Unlock()
}

type stats struct {
	requests, maxIn int
	server, busy    time.Duration
}

func (p *proxy) reset(serial bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serialOn, p.requests, p.server, p.maxIn, p.busy = serial, 0, 0, 0, 0
}

func (p *proxy) snapshot() stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return stats{requests: p.requests, maxIn: p.maxIn, server: p.server, busy: p.busy}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// variant turns a -variants entry into the adaptive settings.
func variant(v string) (awsclient.AdaptiveConfig, error) {
	var c awsclient.AdaptiveConfig
	var g, sh float64
	var fixed int
	switch {
	case v == "default":
	case v == "service":
		c.Scope = awsclient.ScopeService
	case strings.HasPrefix(v, "fixed"):
		if _, err := fmt.Sscanf(v, "fixed%d", &fixed); err != nil {
			return c, fmt.Errorf("variant %q: %w", v, err)
		}
		c.Initial, c.Min, c.Max = fixed, fixed, fixed
	default:
		if _, err := fmt.Sscanf(v, "grow%g:shrink%g", &g, &sh); err != nil {
			return c, fmt.Errorf("variant %q: %w", v, err)
		}
		c.Grow, c.Shrink = g, sh
	}
	return c, nil
}

func run(n, passes int, variants []string) error {
	ctx := context.Background()
	srv, err := testbed.Start()
	if err != nil {
		return err
	}
	defer srv.Stop()
	const acct = "210987654321"
	regions := []string{"us-east-1", "eu-west-1"}
	t0 := time.Now()
	if err := scale.Seed(ctx, srv.URL, acct, regions, scale.Of(n)); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("scale x%d seeded in %.1fs (load %s)\n", n, time.Since(t0).Seconds(), loadavg())
	target, _ := url.Parse(srv.URL)
	p := &proxy{rp: httputil.NewSingleHostReverseProxy(target)}
	ps := &http.Server{Handler: p}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = ps.Serve(ln) }()
	defer ps.Close()
	endpoint := "http://" + ln.Addr().String()

	dir, _ := os.MkdirTemp("", "awsgraph-floorbench")
	defer os.RemoveAll(dir)
	collect := func(name string, serial bool, ac awsclient.AdaptiveConfig) (time.Duration, stats, *collector.Outcome, error) {
		p.reset(serial)
		_ = os.RemoveAll(filepath.Join(dir, name))
		start := time.Now()
		out, err := collector.Run(ctx, collector.Options{
			Config:    instance.Config{RoleArn: testbed.RoleArn(acct), ExternalID: testbed.ExternalID, Regions: regions},
			OutputDir: filepath.Join(dir, name, "out"), DBPath: filepath.Join(dir, name, "g.db"),
			AWS: awsclient.Options{EndpointURL: endpoint, Region: "us-east-1",
				BaseCredentials: credentials.NewStaticCredentialsProvider("k", "s", ""), Adaptive: ac},
		})
		return time.Since(start), p.snapshot(), out, err
	}
	if _, _, _, err := collect("warmup", false, awsclient.AdaptiveConfig{}); err != nil {
		return err
	}
	_, floor, fout, err := collect("floor", true, awsclient.AdaptiveConfig{})
	if err != nil {
		return err
	}
	report("floor (serial at the proxy)", floor.server, floor, fout)
	for i := range passes {
		for _, v := range variants {
			ac, err := variant(v)
			if err != nil {
				return err
			}
			wall, st, out, err := collect(fmt.Sprintf("wall%d-%s", i, v), false, ac)
			if err != nil {
				return err
			}
			report("wall "+v, wall, st, out)
			fmt.Printf("RATIO %s wall/floor = %.2f (wall %.2fs, floor %.2fs; load %s)\n", v, wall.Seconds()/floor.server.Seconds(), wall.Seconds(), floor.server.Seconds(), loadavg())
		}
	}
	return nil
}

func report(what string, d time.Duration, st stats, out *collector.Outcome) {
	s := out.Summary
	ents, rels := 0, 0
	for _, n := range s.EntityCounts {
		ents += n
	}
	for _, n := range s.RelationshipCounts {
		rels += n
	}
	fmt.Printf("%s: %.2fs; %d requests (collector counted %d), server time sum %.2fs, busy %.2fs, max in flight %d; %d entities, %d relationships, %d partial types\n",
		what, d.Seconds(), st.requests, s.APICalls.Total, st.server.Seconds(), st.busy.Seconds(), st.maxIn, ents, rels, len(s.Metadata.PartialDatasets.Types))
	steps := append([]engine.StepResult(nil), s.IntegrationStepResults...)
	sort.Slice(steps, func(i, j int) bool { return steps[i].DurationMs > steps[j].DurationMs })
	for _, r := range steps[:min(6, len(steps))] {
		fmt.Printf("    step %-40s %6d ms\n", r.ID, r.DurationMs)
	}
}
