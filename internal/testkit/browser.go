package testkit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumEnv names the environment variable with the path of the Chromium
// (or Chrome) binary that Browser drives; the default is /usr/bin/chromium.
const ChromiumEnv = "LINTEL_CHROMIUM"

// Viewport sizes for Browser.
const (
	DesktopWidth, DesktopHeight = 1280, 900
	PhoneWidth, PhoneHeight     = 390, 844 // a current mid-size phone, in CSS pixels
)

// BrowserOption changes what Browser starts.
type BrowserOption func(*browserConfig)

type browserConfig struct {
	phone   bool
	timeout time.Duration
}

// Phone makes the page a phone: a 390×844 viewport at 3× scale with touch
// and the mobile flag, so responsive CSS and touch targets are what a
// resident on a phone gets.
func Phone(c *browserConfig) { c.phone = true }

// BrowserTimeout replaces the default limit of 3 minutes on the whole
// browser session; a hung page then fails the test instead of the whole
// test binary timing out.
func BrowserTimeout(d time.Duration) BrowserOption {
	return func(c *browserConfig) { c.timeout = d }
}

// Browser returns a chromedp context with a new tab for the test, in a
// 1280×900 window unless Phone is given. Every test of a binary shares one
// headless Chromium, started on first use (a start costs about a second),
// and each test gets a fresh incognito browser context: no cookies,
// storage or cache from another test. The tab and its context are closed
// when the test ends. A missing Chromium fails the test, saying to run
// `make test-deps`.
//
// Use it with chromedp.Do(ctx, steps...) and chromedp.Run(ctx, action).
// Pages must be served as text/html: content sniffing makes a page that
// starts with <form> plain text, and then no element is found.
func Browser(t testing.TB, opts ...BrowserOption) context.Context {
	t.Helper()
	cfg := browserConfig{timeout: 3 * time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	b, err := sharedBrowser()
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	limited, cancelTimeout := context.WithTimeout(b, cfg.timeout)
	ctx, cancelCtx := chromedp.NewContext(limited, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancelCtx() // closes the tab and disposes of its browser context
		cancelTimeout()
	})
	// Open the tab now, so a failure is reported here and not in the
	// test's first step.
	start := []chromedp.Action[chromedp.Void]{}
	if cfg.phone {
		start = append(start, chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
			chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	}
	if err := chromedp.Do(ctx, start...); err != nil {
		t.Fatalf("testkit: open a Chromium tab: %v (run `make test-deps` if Chromium is missing or broken)", err)
	}
	return ctx
}

var browserState struct {
	once   sync.Once
	ctx    context.Context
	cancel []context.CancelFunc
	err    error
}

// sharedBrowser starts the test binary's Chromium once. It is never closed
// by hand: the allocator asks the kernel to kill it when the test binary
// exits (Pdeathsig on Linux).
func sharedBrowser() (context.Context, error) {
	browserState.once.Do(func() { browserState.ctx, browserState.err = startBrowser() })
	return browserState.ctx, browserState.err
}

func startBrowser() (context.Context, error) {
	path := os.Getenv(ChromiumEnv)
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		return nil, fmt.Errorf("no Chromium at %s (%v): run `make test-deps`, or set %s to a Chromium or Chrome binary", path, err, ChromiumEnv)
	}
	profile, err := browserProfileDir()
	if err != nil {
		return nil, err
	}
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		// No traffic of its own: tests see only the requests they cause,
		// and runs don't depend on the network.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-GB"),
	}
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root.
		allocOpts = append(allocOpts, chromedp.NoSandbox)
	}
	// The cancel functions are kept, never called: the browser lives as
	// long as the test binary.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	browserState.cancel = []context.CancelFunc{cancelBrowser, cancelAlloc}
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("start Chromium %s: %v (run `make test-deps` if it is missing or broken)", path, err)
	}
	return ctx, nil
}

// browserProfileDir makes the shared browser's profile folder, named by the
// test binary's process, and removes those of test binaries that have
// exited (their browser went with them).
func browserProfileDir() (string, error) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "lintel-chromium-*"))
	for _, dir := range old {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), "lintel-chromium-"))
		if err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == syscall.ESRCH {
			_ = os.RemoveAll(dir)
		}
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("lintel-chromium-%d", os.Getpid()))
	return dir, os.MkdirAll(dir, 0o700)
}

// ClickAndLoad clicks sel and waits until the browser has loaded the page
// the click leads to (a form's response, a link's target). Waiting for an
// element instead races: the old page's elements are still there for a
// moment after the click, and a test that reads them sees the old page.
func ClickAndLoad[S chromedp.Selectable](sel S, opts ...chromedp.QueryOption) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		// A marker on the old document: the new one does not have it.
		if _, err := chromedp.Evaluate[bool]("window.__lintelOldPage = true")(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Click(sel, opts...)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return WaitLoad()(ctx, t)
	}
}

// WaitLoad waits until the document marked by ClickAndLoad has been
// replaced and the new one has finished loading. Errors while the old page
// is torn down (its JavaScript context goes away) are part of navigating
// and are retried.
func WaitLoad() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(30 * time.Second)
		for {
			loaded, err := chromedp.Evaluate[bool]("!window.__lintelOldPage && document.readyState === 'complete'")(ctx, t)
			if err == nil && loaded {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-deadline:
				return chromedp.Void{}, errors.New("testkit: the page did not change within 30s of the click")
			case <-tick.C:
			}
		}
	}
}
