package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Page is the part of every page's data that the layout needs. Each page
// has its own struct embedding Page, so templates are checked against
// typed data, not maps.
type Page struct {
	Title     string
	Area      string // "manage", "portal" or "" (public pages); picks the navigation
	Nav       string // the active navigation entry
	Session   *sqldb.Session
	Companies []lintel.Membership // staff: companies to switch between
	Flash     string
	RequestID string
	Static    func(string) string
	Lang      string // the page's language: the portal's is the person's, others are English
	// Localized: a page outside the portal that residents reach from an
	// e-mail (an owner's approval link) and that speaks their language too.
	Localized bool
	// Portal is the portal's navigation (tabs, company switcher, approvals
	// waiting), read by render for signed-in Area "portal" pages.
	Portal sqldb.PortalNav
	// PlainHTTP: the page was asked for over plain HTTP from another
	// machine (the base URL is http:// and the request's host is not this
	// machine's), where signing in cannot work; the log-in page says so.
	PlainHTTP bool
	printer   i18n.Printer
}

func (p *Page) page() *Page { return p }

// T translates portal text: the English msg is the key (see internal/i18n),
// args are formatted with fmt verbs.
func (p *Page) T(msg string, args ...any) string { return p.printer.T(msg, args...) }

// Day formats a calendar day in the page's language ("3 févr. 2026").
func (p *Page) Day(d lintel.Date) string {
	if d.IsZero() {
		return ""
	}
	return p.printer.Date(d.Time())
}

// When formats a moment to the minute in the page's language.
func (p *Page) When(t time.Time) string { return p.printer.DateTime(t) }

// pageData is implemented by every page struct through the embedded Page.
type pageData interface{ page() *Page }

// pages holds the parsed templates: one set per page file and language,
// each with the layout and the partials.
type pages struct {
	byName map[string]map[string]*template.Template // language → page file
	mu     sync.Mutex
	used   map[string]bool // for the test that every template is executed
}

// constantT is a translation of fixed text, {{.T "…"}} (or a partial's
// {{.Page.T "…"}}) with nothing to format. Most of a portal page's text is such calls, and each cost a
// method look-up and call by reflection on every view; the templates of
// each language have them replaced by their translation, escaped, when
// they are parsed. The page renders the same text as the call would.
var constantT = regexp.MustCompile(`\{\{\s*\$?\.(?:Page\.)?T\s+("(?:[^"\\]|\\.)*")\s*\}\}`)

// translateConstants replaces each constantT call in src by its
// translation in lang.
func translateConstants(src, lang string) string {
	pr := i18n.For(lang)
	return constantT.ReplaceAllStringFunc(src, func(call string) string {
		lit := constantT.FindStringSubmatch(call)[1]
		msg, err := strconv.Unquote(lit)
		if err != nil {
			return call
		}
		out := template.HTMLEscapeString(pr.T(msg))
		if strings.Contains(out, "{{") {
			return call // would be read as an action
		}
		return out
	})
}

var funcs = template.FuncMap{
	"money":        lintel.FormatMoney,
	"moneyIn":      lintel.FormatMoneyInput,
	"field":        newField,
	"questionForm": QuestionForm,
	"questionFields": func(f Form, kinds []Option, prefix string) questionFieldsData {
		return questionFieldsData{Form: f, Kinds: kinds, Prefix: prefix}
	},
	"lower":     strings.ToLower,
	"join":      strings.Join,
	"initials":  initials,
	"timeShort": func(t time.Time) string { return t.Format("2 Jan 2006 15:04") },
	"dateLong":  func(d lintel.Date) string { return d.Long() },
	"dayOf":     lintel.DateOf, // a moment's calendar day, for Page.Day
	"add":       func(a, b int) int { return a + b },
	"query":     func(kv ...string) template.URL { return template.URL(queryString(kv...)) },
}

// loadPages gives a server the parsed templates. They are parsed once per
// process and shared: the same embedded files and functions always give the
// same templates, executing them concurrently is safe, and parsing every
// page in every language is far more work than anything else a new server
// does (tests start hundreds).
func loadPages() (*pages, error) {
	byName, err := parsedPages()
	if err != nil {
		return nil, err
	}
	return &pages{byName: byName, used: map[string]bool{}}, nil
}

var parsedPages = sync.OnceValues(parsePages)

func parsePages() (map[string]map[string]*template.Template, error) {
	p := &pages{byName: map[string]map[string]*template.Template{}}
	read := func(name string) (string, error) {
		b, err := templateFiles.ReadFile(name)
		return string(b), err
	}
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	for _, l := range i18n.Languages {
		p.byName[l.Code] = map[string]*template.Template{}
	}
	err = fs.WalkDir(templateFiles, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".html") {
			return err
		}
		rel := strings.TrimPrefix(name, "templates/")
		if rel == "layout.html" || strings.HasPrefix(rel, "partials/") {
			return nil
		}
		for _, l := range i18n.Languages {
			// As ParseFS would: the layout is the set's root, every other
			// file a template named by its base name.
			t := template.New("layout.html").Funcs(funcs)
			for _, file := range append(shared, name) {
				src, err := read(file)
				if err != nil {
					return err
				}
				into := t
				if file != "templates/layout.html" {
					into = t.New(path.Base(file))
				}
				if _, err := into.Parse(translateConstants(src, l.Code)); err != nil {
					return fmt.Errorf("parse template %s (%s): %w", rel, file, err)
				}
			}
			p.byName[l.Code][rel] = t
		}
		return nil
	})
	return p.byName, err
}

// staticVersion is a content hash appended to asset URLs so browsers can
// cache them forever and still see changes.
var staticVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFiles, "static", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(name)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

func staticURL(name string) string { return "/static/" + name + "?v=" + staticVersion }

func (s *Server) static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") == staticVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		fsrv.ServeHTTP(w, r)
	})
}

// render executes a page into a buffer and only then writes the status,
// so a template error becomes a clean 500 instead of half a page.
// renderBuffers hold pages while they render (a page is sent only once it
// rendered whole, so a template error is a clean error page): reused, they
// save growing a fresh buffer to a page's size on every request.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putRenderBuffer(b *bytes.Buffer) {
	// A rare huge page (a long list) would otherwise pin its memory.
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) error {
	if _, ok := s.pages.byName[i18n.Default][name]; !ok {
		return fmt.Errorf("no template %q", name)
	}
	p := data.page()
	p.RequestID = requestIDOf(r)
	p.Static = staticURL
	p.PlainHTTP = s.cfg.BaseURL.Scheme == "http" && PlainHTTPOutside(&url.URL{Scheme: "http", Host: r.Host})
	if p.Session == nil {
		p.Session = sessionOf(r)
	}
	p.Lang = i18n.Default
	if p.Area == "portal" || p.Localized {
		p.Lang = langOf(r)
	}
	p.printer = i18n.For(p.Lang)
	t, ok := s.pages.byName[p.Lang][name]
	if !ok {
		t = s.pages.byName[i18n.Default][name]
	}
	if p.Session != nil {
		p.Flash = p.Session.Flash
		if p.Area == "manage" && p.Companies == nil {
			p.Companies, _ = s.db.Memberships(r.Context(), p.Session.User.ID)
		}
		if p.Area == "portal" {
			// A failure here leaves the navigation at its plainest (no
			// Lease or Assets tab) rather than failing the page.
			nav, err := s.db.PortalNavOf(r.Context(), p.Session.Resident())
			if err != nil {
				s.log.Warn("portal navigation", "id", requestIDOf(r), "err", err)
			}
			p.Portal = nav
		}
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.Execute(buf, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	s.pages.mu.Lock()
	s.pages.used[name] = true
	s.pages.mu.Unlock()
	if p.Flash != "" && p.Session != nil {
		if err := s.db.ClearFlash(r.Context(), p.Session.TokenHash); err != nil {
			s.log.Warn("clear flash", "err", err)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// langOf is the portal language for the request: the signed-in person's
// choice, else what their browser asks for.
func langOf(r *http.Request) string {
	saved := ""
	if sess := sessionOf(r); sess != nil {
		saved = sess.User.Language
	}
	return i18n.Match(saved, r.Header.Get("Accept-Language"))
}

// flash stores a one-time message for the next page of this session.
func (s *Server) flash(r *http.Request, msg string) {
	if sess := sessionOf(r); sess != nil {
		if err := s.db.SetFlash(r.Context(), sess.TokenHash, msg); err != nil {
			s.log.Warn("set flash", "err", err)
		}
	}
}

// redirect answers a POST with 303 See Other, so reloading the next page
// does not submit the form again.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

type errorPage struct {
	Page
	Status  int
	Message string
}

// renderError turns an error into the page for its kind. Internal errors
// are logged with the request id and shown without detail.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	// The file store first: its network errors would pass for the
	// database's below.
	if errors.Is(err, blob.ErrUnavailable) {
		s.log.Error("file storage unavailable", "id", requestIDOf(r), "path", logPath(r.URL.Path), "err", err)
		s.renderUnavailable(w, r, filesUnavailableMessage)
		return
	}
	if unavailable(err) {
		s.log.Error("database unavailable", "id", requestIDOf(r), "path", logPath(r.URL.Path), "err", err)
		s.renderUnavailable(w, r, unavailableMessage)
		return
	}
	status := http.StatusInternalServerError
	switch lintel.KindOf(err) {
	case lintel.KindNotFound:
		status = http.StatusNotFound
	case lintel.KindInvalid:
		status = http.StatusUnprocessableEntity
	case lintel.KindConflict:
		status = http.StatusConflict
	case lintel.KindForbidden:
		status = http.StatusForbidden
	case lintel.KindUnauthorized:
		status = http.StatusUnauthorized
	case lintel.KindTooMany:
		status = http.StatusTooManyRequests
	default:
		s.log.Error("request failed", "id", requestIDOf(r), "path", logPath(r.URL.Path), "err", err)
	}
	title := http.StatusText(status)
	if status == http.StatusNotFound {
		title = "Page not found"
	}
	p := &errorPage{Page: Page{Title: title}, Status: status, Message: lintel.MessageOf(err)}
	if sess := sessionOf(r); sess != nil {
		p.Session = sess
		if strings.HasPrefix(r.URL.Path, "/manage") && sess.Staff != nil {
			p.Area = "manage"
		}
		if strings.HasPrefix(r.URL.Path, "/portal") {
			p.Area = "portal"
		}
	}
	if rerr := s.render(w, r, status, "error.html", p); rerr != nil {
		s.log.Error("render error page", "id", requestIDOf(r), "err", rerr)
		http.Error(w, "Something went wrong. Request id: "+requestIDOf(r), http.StatusInternalServerError)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error { return lintel.ErrNotFound }

// initials is what the portal shows in the profile button: "Ada Lovelace" → "AL".
func initials(name string) string {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return "?"
	case 1:
		return strings.ToUpper(string([]rune(f[0])[:1]))
	}
	return strings.ToUpper(string([]rune(f[0])[:1]) + string([]rune(f[len(f)-1])[:1]))
}

func queryString(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext accepts only local paths as a post-login destination, so a
// crafted link cannot send someone to another site after signing in.
// Browsers drop tabs and newlines inside a URL and read a backslash as a
// slash, so "/\t/evil.example" or "/\\evil.example" would reach another
// origin: any control character, space or backslash refuses the path, and
// what is left must parse with neither scheme nor host (SECURITY.md 33).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !utf8.ValidString(next) {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return ""
		}
	}
	p, rest := next, ""
	if i := strings.IndexAny(next, "?#"); i >= 0 {
		p, rest = next[:i], next[i:]
	}
	clean := path.Clean(p) + rest
	u, err := url.Parse(clean)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return ""
	}
	return clean
}
