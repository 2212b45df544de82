package main

// Accessibility: axe-core checks every portal page a
// tenant, an owner and a former tenant can reach, at desktop and phone
// widths, and the public pages a visitor reads before signing in. The
// portal is crawled from /portal by following its own links, so a new tab
// is checked as soon as it is linked.

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserAccessibility(t *testing.T) {
	testkit.RequireAxe(t)
	data := t.TempDir()
	db, err := sqldb.Open(context.Background(), "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	// A link of the management company's own, for the help page's section.
	if _, err := db.CreateResourceLink(context.Background(), w.A.Staff[testkit.Admin],
		lintel.ResourceLink{Title: "Building rules", URL: "https://harbour.example/rules.pdf"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base}, nil)

	widths := []struct {
		name string
		opts []testkit.BrowserOption
	}{{"desktop", nil}, {"phone", []testkit.BrowserOption{testkit.Phone}}}

	for _, width := range widths {
		t.Run("visitor/"+width.name, func(t *testing.T) {
			p := &page{t, testkit.Browser(t, width.opts...)}
			for _, u := range []string{"/login", "/signup", "/password/forgot", "/help", "/help/sign-up"} {
				p.do("open "+u, chromedp.Navigate(base+u))
				testkit.Axe(t, p.ctx)
			}
		})
	}
	for _, tc := range []struct {
		persona testkit.Persona
		phone   bool
	}{
		{testkit.Tenant, false}, {testkit.Tenant, true},
		{testkit.PropertyOwner, false}, {testkit.PropertyOwner, true},
		{testkit.FormerTenant, false},
	} {
		width := widths[0]
		if tc.phone {
			width = widths[1]
		}
		t.Run(string(tc.persona)+"/"+width.name, func(t *testing.T) {
			p := &page{t, testkit.Browser(t, width.opts...)}
			p.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
				fill("f-email", w.A.Emails[tc.persona]), fill("f-password", testkit.Password),
				testkit.ClickAndLoad(chromedp.CSS("main form button")))
			visited := crawlPortal(t, p, base)
			// The crawl must have found the portal's tabs, or it checked
			// nothing worth having.
			for _, want := range []string{"/portal", "/portal/maintenance", "/help"} {
				if !visited[want] {
					t.Errorf("the crawl never reached %s; it visited %v", want, keys(visited))
				}
			}
			t.Logf("checked %d pages: %v", len(visited), keys(visited))
		})
	}
}

// crawlSkip are links the crawl does not follow: files (views, downloads,
// photos, quotes) and anything that is not a page.
var crawlSkip = regexp.MustCompile(`/view$|/download$|/file$|/photos/|/quote$|\.[A-Za-z0-9]{2,4}$`)

// idSegment is a path segment that names one object.
var idSegment = regexp.MustCompile(`/\d+(/|$)`)

// crawlPortal visits every page under /portal and /help that the portal
// links to, starting from /portal, following links (GET only) and running
// axe on each. Paths that differ only by ids are one route: at most two of
// each are checked. It returns the paths visited.
func crawlPortal(t *testing.T, p *page, base string) map[string]bool {
	t.Helper()
	visited := map[string]bool{}
	perRoute := map[string]int{}
	queue := []string{"/portal", "/help"}
	for len(queue) > 0 && len(visited) < 80 {
		u := queue[0]
		queue = queue[1:]
		if visited[u] {
			continue
		}
		route := idSegment.ReplaceAllString(u, "/{id}$1")
		route = idSegment.ReplaceAllString(route, "/{id}$1") // adjacent ids
		if perRoute[route] >= 2 {
			continue
		}
		perRoute[route]++
		visited[u] = true

		res, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(base+u))
		if err != nil {
			t.Errorf("open %s: %v", u, err)
			continue
		}
		if res.Status >= 400 {
			t.Errorf("the portal links to %s, which answers %d", u, res.Status)
			continue
		}
		if !strings.HasPrefix(res.MimeType, "text/html") {
			continue
		}
		if loc, _ := chromedp.Run(p.ctx, chromedp.Location()); strings.Contains(loc, "/login") {
			t.Fatalf("%s sent the signed-in person to %s", u, loc)
		}
		testkit.Axe(t, p.ctx)

		hrefs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href]"), (a) => a.href)`))
		if err != nil {
			t.Errorf("links of %s: %v", u, err)
			continue
		}
		for _, h := range hrefs {
			if next, ok := crawlTarget(base, h); ok && !visited[next] {
				queue = append(queue, next)
			}
		}
	}
	return visited
}

// crawlTarget returns the path to visit for a link, or false when the
// crawl leaves it alone: another site, outside the portal and help, or a
// file. Queries and fragments are dropped: the crawl checks pages, not
// each filter.
func crawlTarget(base, href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || !strings.HasPrefix(href, base+"/") {
		return "", false
	}
	p := path.Clean(u.Path)
	inside := p == "/portal" || strings.HasPrefix(p, "/portal/") || p == "/help" || strings.HasPrefix(p, "/help/")
	if !inside || crawlSkip.MatchString(p) {
		return "", false
	}
	return p, true
}

func keys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
