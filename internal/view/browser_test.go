package view

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns Debian's chromium binary. Without it the browser tests
// skip locally but FAIL under CI=true (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if strings.EqualFold(os.Getenv("CI"), "true") {
		t.Fatal("chromium is not installed (under CI it is required: apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// browser is a headless chromium on a page, recording console errors,
// warnings and uncaught exceptions.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func openBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.WindowSize(1400, 900), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() }) // cancelCtx closes the browser
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx) // subscribes now, before any page loads
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

type viewState struct {
	Ready    bool `json:"ready"`
	Nodes    int  `json:"nodes"`
	Edges    int  `json:"edges"`
	LayoutMs int  `json:"layoutMs"`
}

// load opens the page and waits for its layout to finish.
func (b *browser) load(t *testing.T, path string) viewState {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`!!(window.awsgraphView && window.awsgraphView.ready)`,
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for the layout of %s: %v (page problems: %v)", path, err, b.problems())
	}
	st, err := chromedp.Run(b.ctx, chromedp.Evaluate[viewState](`window.awsgraphView`))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func run[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatalf("%v (page problems: %v)", err, b.problems())
	}
	return v
}

func do(t *testing.T, b *browser, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("%v (page problems: %v)", err, b.problems())
	}
}

func writeTestPage(t *testing.T, g *Subgraph, title string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "graph.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Render(f, g, title); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// artifact keeps a test output: in $AWSGRAPH_ARTIFACTS when set, and in
// testdata/ (ignored by git) for a look after a local run.
func artifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dirs := []string{"testdata"}
	if d := os.Getenv("AWSGRAPH_ARTIFACTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(p)
		t.Logf("artefact: %s", abs)
	}
}

func TestPageInChromiumShowsTheStoresGraph(t *testing.T) {
	s := fixtureStore(t)
	g, err := Load(context.Background(), s, Selection{InstanceID: "inst-a"})
	if err != nil {
		t.Fatal(err)
	}
	path := writeTestPage(t, g, "instance inst-a")
	b := openBrowser(t, 60*time.Second)
	st := b.load(t, path)
	if st.Nodes != len(g.Entities) || st.Edges != len(g.Relationships) {
		t.Errorf("page draws %d nodes, %d edges; the subgraph has %d, %d", st.Nodes, st.Edges, len(g.Entities), len(g.Relationships))
	}
	// A real click on the db host's position on the canvas.
	pos := run(t, b, chromedp.Evaluate[struct{ X, Y float64 }](`(function(){ var r = document.getElementById("cy").getBoundingClientRect();
		var p = cy_for_test().getElementById("i-db").renderedPosition(); return {X: r.left + p.x, Y: r.top + p.y}; })()`))
	do(t, b, chromedp.MouseClickXY(pos.X, pos.Y), chromedp.WaitVisible(chromedp.CSS(`#props-table`)))
	props := run(t, b, chromedp.Text(chromedp.CSS(`#props`)))
	if !strings.Contains(props, "r6g.large") || !strings.Contains(props, "aws_instance") {
		t.Errorf("clicking i-db shows %q; want its instanceType r6g.large and _type", props)
	}
	dashed := run(t, b, chromedp.Evaluate[string](`cy_for_test().edges("[mapped = 1]").map(function(e){ return e.style("line-style"); }).join(",")`))
	if dashed != "dashed" {
		t.Errorf("mapped edges' line styles %q, want dashed", dashed)
	}
	// Search by name: the host whose name holds markup is found, and its
	// name shows as text (the markup is not interpreted).
	do(t, b, chromedp.SendKeys(chromedp.CSS(`#search`), "web</script>"))
	result := run(t, b, chromedp.Text(chromedp.CSS(`#search-result`)))
	heading := run(t, b, chromedp.Text(chromedp.CSS(`#props h2`)))
	injected := run(t, b, chromedp.Evaluate[bool](`document.querySelectorAll("#props b").length > 0`))
	if result != "1 match" || heading != "web</script><b>1</b>" || injected {
		t.Errorf("search: result %q, heading %q, markup interpreted: %v", result, heading, injected)
	}
	shot := run(t, b, chromedp.CaptureScreenshot())
	artifact(t, "view-fixture.png", shot)
	if p := b.problems(); len(p) > 0 {
		t.Errorf("console errors or exceptions: %v", p)
	}
}

// synthetic is a graph shaped like a large account: n entities in chains of
// VPCs, subnets and instances, with security groups protecting several
// instances each.
func synthetic(n int) *Subgraph {
	g := &Subgraph{}
	classes := []string{"Network", "Network", "Host", "Firewall", "Host", "Host", "User", "DataStore"}
	for i := range n {
		c := classes[i%len(classes)]
		g.Entities = append(g.Entities, Node{Key: fmt.Sprintf("e-%04d", i), Type: "t_" + c, Class: c, Name: fmt.Sprintf("node %d", i),
			Props: map[string]any{"_key": fmt.Sprintf("e-%04d", i), "index": i}})
	}
	for i := 1; i < n; i++ {
		parent := (i - 1) / 3
		g.Relationships = append(g.Relationships, Edge{Key: fmt.Sprintf("r-%04d", i), Type: "t_has", Verb: "HAS",
			From: g.Entities[parent].Key, To: g.Entities[i].Key})
		if i%7 == 0 {
			g.Relationships = append(g.Relationships, Edge{Key: fmt.Sprintf("m-%04d", i), Type: "t_protects", Verb: "PROTECTS",
				From: g.Entities[(i*13)%n].Key, To: g.Entities[i].Key, Mapped: i%2 == 0})
		}
	}
	return g
}

func TestPageInChromiumLoadsTwoThousandNodes(t *testing.T) {
	g := synthetic(2000)
	path := writeTestPage(t, g, "synthetic 2000")
	b := openBrowser(t, 3*time.Minute) // generous: the machine is shared; no timing assertion
	start := time.Now()
	st := b.load(t, path)
	t.Logf("2000 nodes, %d edges: page ready in %s (layout %d ms in the page)", len(g.Relationships), time.Since(start).Round(time.Millisecond), st.LayoutMs)
	if st.Nodes != 2000 || st.Edges != len(g.Relationships) {
		t.Errorf("page draws %d nodes, %d edges; want 2000, %d", st.Nodes, st.Edges, len(g.Relationships))
	}
	artifact(t, "view-2000.png", run(t, b, chromedp.CaptureScreenshot()))
	if p := b.problems(); len(p) > 0 {
		t.Errorf("console errors or exceptions: %v", p)
	}
}
