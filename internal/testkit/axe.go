package testkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeScript is where axe-core's browser script is, under the module root.
// `npm ci` (run by `make test-deps`) installs it from package-lock.json.
const AxeScript = "node_modules/axe-core/axe.min.js"

// AxeTags are the rule sets Axe runs: WCAG 2.0 A and AA and WCAG 2.1 A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxeViolation is one rule the page breaks, with the elements that break it.
type AxeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"` // minor, moderate, serious, critical
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule.
type AxeNode struct {
	Target  []string `json:"target"` // CSS selectors, outermost first
	HTML    string   `json:"html"`
	Summary string   `json:"summary"` // what to fix
}

// Blocking reports whether the violation must fail a test: serious and
// critical ones keep people out; minor and moderate ones are logged.
func (v AxeViolation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s: %s", strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

var axeSource struct {
	once sync.Once
	src  string
	path string
	err  error
}

// axeScript reads axe-core's script once per test binary.
func axeScript() (src, path string, err error) {
	axeSource.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			axeSource.err = err
			return
		}
		axeSource.path = filepath.Join(root, AxeScript)
		b, err := os.ReadFile(axeSource.path)
		axeSource.src, axeSource.err = string(b), err
	})
	return axeSource.src, axeSource.path, axeSource.err
}

// moduleRoot is the folder of go.mod above the working directory (a test
// runs in its package's folder).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testkit: no go.mod above the working directory")
		}
		dir = parent
	}
}

// axeRun runs axe on the whole document and returns the violations, in a
// shape that survives JSON (targets inside shadow roots are nested arrays).
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then((r) =>
	r.violations.map((v) => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""}))})))`

// AxeCheck runs axe-core on the page the browser tab shows and returns
// every violation of AxeTags. The script is injected through DevTools, so
// the page's Content-Security-Policy does not stand in its way.
func AxeCheck(ctx context.Context) ([]AxeViolation, error) {
	src, path, err := axeScript()
	if err != nil {
		return nil, fmt.Errorf("testkit: read %s: %w", path, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("testkit: load axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(AxeTags)
	return chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](fmt.Sprintf(axeRun, tags), chromedp.EvalAwaitPromise))
}

// Axe checks the page the browser tab shows for accessibility problems
// with axe-core and fails the test (without stopping it, so one run lists
// every page's problems) for each serious or critical violation, naming
// the rule, what it asks and the elements that break it; lesser ones are
// logged. Without node_modules/axe-core the test is skipped with how to
// install it, except under CI=true, where it fails.
func Axe(t testing.TB, ctx context.Context) {
	t.Helper()
	RequireAxe(t)
	vs, err := AxeCheck(ctx)
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	where, _ := chromedp.Run(ctx, chromedp.Location())
	for _, v := range vs {
		if v.Blocking() {
			t.Errorf("accessibility at %s: %s", where, v)
		} else {
			t.Logf("accessibility (not blocking) at %s: %s", where, v)
		}
	}
}

// RequireAxe skips the test when axe-core is not installed, saying how to
// install it; under CI=true it fails instead. Call it before costly set-up
// of a test that runs Axe.
func RequireAxe(t testing.TB) {
	t.Helper()
	if _, path, err := axeScript(); err != nil {
		msg := fmt.Sprintf("testkit: no axe-core at %s (%v): run `npm ci` at the module root (or `make test-deps`)", path, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}
