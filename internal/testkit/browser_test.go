package testkit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Without the viewport tag a phone lays the page out 980 pixels wide,
		// as real phones do.
		w.Write([]byte(`<meta name="viewport" content="width=device-width, initial-scale=1">` +
			`<form method="post"><label for="n">Name</label><input id="n" name="n"></form>` +
			`<p id="greeting">Hello, <b>Ana</b></p>`))
	}))
	defer srv.Close()

	tests := []struct {
		name      string
		opts      []BrowserOption
		wantWidth int
	}{
		{"desktop", nil, DesktopWidth},
		{"phone", []BrowserOption{Phone}, PhoneWidth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := Browser(t, tt.opts...)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#greeting")))
			if err != nil {
				t.Fatal(err)
			}
			if text != "Hello, Ana" {
				t.Errorf("text of #greeting = %q, want %q", text, "Hello, Ana")
			}
			width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("window.innerWidth"))
			if err != nil {
				t.Fatal(err)
			}
			if width != tt.wantWidth {
				t.Errorf("window.innerWidth = %d, want %d", width, tt.wantWidth)
			}
		})
	}
}

// The binary's browser is started once, by whichever test asks first, so
// the start itself is what is tested here.
func TestBrowserMissingChromium(t *testing.T) {
	t.Setenv(ChromiumEnv, "/nonexistent/chromium")
	_, err := startBrowser()
	if err == nil {
		t.Fatal("a browser started without a Chromium binary")
	}
	msg := err.Error()
	for _, want := range []string{"/nonexistent/chromium", "make test-deps"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message %q does not mention %q", msg, want)
		}
	}
}

// Tests share one Chromium but never each other's cookies or storage.
func TestBrowserTestsAreIsolated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "who", Value: "first", Path: "/"})
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<p id="p">page</p>`))
	}))
	defer srv.Close()
	read := `document.cookie + "|" + (localStorage.getItem("who") || "")`
	var first string
	t.Run("first", func(t *testing.T) {
		ctx := Browser(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/set")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`localStorage.setItem("who", "first"), true`)); err != nil {
			t.Fatal(err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](read))
		if err != nil {
			t.Fatal(err)
		}
		first = v
	})
	if first != "who=first|first" {
		t.Fatalf("the first test saw %q, want its own cookie and storage", first)
	}
	t.Run("second", func(t *testing.T) {
		ctx := Browser(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](read))
		if err != nil {
			t.Fatal(err)
		}
		if v != "|" {
			t.Fatalf("the second test saw %q from the first", v)
		}
	})
}
