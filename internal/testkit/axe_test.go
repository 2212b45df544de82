package testkit

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestAxe(t *testing.T) {
	RequireAxe(t)
	pages := map[string]string{
		// A picture without a text alternative, a field without a label,
		// pale grey text on white, all under a strict CSP like Lintel's.
		"/bad": `<!doctype html><html lang="en"><title>Bad</title><main><h1>Bad</h1>` +
			`<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">` +
			`<input name="email"><p style="color:#bbb">Hard to read</p></main></html>`,
		"/good": `<!doctype html><html lang="en"><title>Good</title><main><h1>Good</h1>` +
			`<label for="e">E-mail</label><input id="e" name="email"><p>Easy to read</p></main></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src data:; style-src 'unsafe-inline'")
		w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()
	ctx := Browser(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs, err := AxeCheck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
		if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 || v.Help == "" {
			t.Errorf("violation without detail: %+v", v)
		}
	}
	for _, want := range []string{"image-alt", "label", "color-contrast"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe found %q, want %s among them", ids, want)
		}
	}
	// A second check on the same page reuses the loaded script.
	if again, err := AxeCheck(ctx); err != nil || len(again) != len(vs) {
		t.Errorf("second check: %d violations, %v", len(again), err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	if vs, err := AxeCheck(ctx); err != nil || len(vs) != 0 {
		t.Errorf("clean page: %v, %v", vs, err)
	}
	Axe(t, ctx)
}
