package testkit

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync/atomic"
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

// Browser starts a headless Chromium for the test and returns a chromedp
// context with one tab, in a 1280×900 window unless Phone is given. The
// browser has a fresh profile and is closed when the test ends. A missing
// Chromium fails the test, saying to run `make test-deps`.
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
	path := os.Getenv(ChromiumEnv)
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("testkit: no Chromium at %s (%v): run `make test-deps`, or set %s to a Chromium or Chrome binary", path, err, ChromiumEnv)
	}
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
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
	base, cancelTimeout := context.WithTimeout(context.Background(), cfg.timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, allocOpts...)
	// Chromedp's logs go to the test log, but only while the test runs:
	// logging to a finished test panics, and the browser's goroutines can
	// outlive it by a moment.
	var done atomic.Bool
	logf := func(format string, args ...any) {
		if !done.Load() {
			t.Logf("browser: "+format, args...)
		}
	}
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the browser gracefully
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
		done.Store(true)
	})
	// Start the browser now, so a failure to start is reported here and not
	// in the test's first step.
	start := []chromedp.Action[chromedp.Void]{}
	if cfg.phone {
		start = append(start, chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
			chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	}
	if err := chromedp.Do(ctx, start...); err != nil {
		t.Fatalf("testkit: start Chromium %s: %v (run `make test-deps` if it is missing or broken)", path, err)
	}
	return ctx
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
