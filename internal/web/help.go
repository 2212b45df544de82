package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The help pages: written for Lintel's residents, public
// so that "how to sign up" can be read before signing up, in the person's
// language. A signed-in person also sees the links their management
// company added (manage_resource_links.go).

// helpRoutes are the help pages and the manager's resource links.
func (s *Server) helpRoutes() []route {
	return append([]route{
		{"GET", "/help", public, s.helpIndex},
		{"GET", "/help/{slug}", public, s.helpTopicPage},
	}, s.resourceLinkRoutes()...)
}

// helpTopic is one help page. Title and Summary are catalog keys; the body
// is help/<lang>/<Slug>.html.
type helpTopic struct {
	Slug, Title, Summary string
}

// helpTopics are the help pages in the order a new resident meets them.
var helpTopics = []helpTopic{
	{"sign-up", "Sign up and log in", "Create your account with the e-mail address your property manager has on file, and get back in when you forget your password."},
	{"maintenance", "Report a problem and follow it", "Tell your property manager what needs fixing, with photos, and follow the request until the work is done."},
	{"approvals", "Approve maintenance work (owners)", "Decide on work your property manager asks you to approve, from the e-mail or from the portal."},
	{"documents", "Find your documents", "Leases, notices, statements and other files your property manager shares with you."},
	{"billing", "Read your billing", "Your balance, charges and receipts."},
	{"profile", "Your profile and settings", "Your name and phone, password, e-mail address, language and the e-mails you receive."},
}

// helpBodies are the help pages' bodies: small trusted HTML fragments,
// one per language and topic, parsed once as html/template so a malformed
// one is caught by the tests, not by a resident.
//
//go:embed help
var helpFiles embed.FS

var helpBodies = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, l := range i18n.Languages {
		for _, t := range helpTopics {
			name := "help/" + l.Code + "/" + t.Slug + ".html"
			tpl, err := template.ParseFS(helpFiles, name)
			if err != nil {
				panic(fmt.Sprintf("help page %s: %v", name, err)) // embedded: a build defect, caught by tests
			}
			out[l.Code+"/"+t.Slug] = tpl
		}
	}
	return out
}()

func findHelpTopic(slug string) (helpTopic, bool) {
	for _, t := range helpTopics {
		if t.Slug == slug {
			return t, true
		}
	}
	return helpTopic{}, false
}

// helpPage is the layout part of a help page: a signed-in person gets the
// portal's navigation, a visitor the public header with Log in and Sign
// up; both get the portal's language (Localized).
func helpPage(r *http.Request, title string) Page {
	p := Page{Title: title, Nav: "help", Localized: true}
	if sessionOf(r) != nil {
		p.Area = "portal"
	}
	return p
}

type helpIndexPage struct {
	Page
	Topics   []helpTopic
	Links    []sqldb.CompanyLinks // the management companies' own links, signed in only
	SignedIn bool
}

// helpIndex lists the help pages and, for a signed-in resident, the links
// their management companies added for them.
func (s *Server) helpIndex(w http.ResponseWriter, r *http.Request) error {
	p := &helpIndexPage{Page: helpPage(r, "Help"), Topics: helpTopics}
	if sessionOf(r) != nil {
		p.SignedIn = true
		links, err := s.db.ResidentResourceLinks(r.Context(), residentOf(r))
		if err != nil {
			return err
		}
		p.Links = links
	}
	return s.render(w, r, http.StatusOK, "portal/help.html", p)
}

type helpTopicView struct {
	Page
	Topic  helpTopic
	Others []helpTopic
}

// Body is the topic's text in the page's language (set by render).
func (p *helpTopicView) Body() (template.HTML, error) {
	tpl, ok := helpBodies[p.Lang+"/"+p.Topic.Slug]
	if !ok {
		tpl = helpBodies[i18n.Default+"/"+p.Topic.Slug]
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, nil); err != nil {
		return "", err
	}
	// The fragment was escaped by html/template while executing; it is
	// trusted, embedded text.
	return template.HTML(buf.String()), nil
}

// helpTopicPage shows one help page.
func (s *Server) helpTopicPage(w http.ResponseWriter, r *http.Request) error {
	t, ok := findHelpTopic(r.PathValue("slug"))
	if !ok {
		return lintel.ErrNotFound
	}
	p := &helpTopicView{Page: helpPage(r, t.Title), Topic: t}
	for _, o := range helpTopics {
		if o.Slug != t.Slug {
			p.Others = append(p.Others, o)
		}
	}
	return s.render(w, r, http.StatusOK, "portal/help_page.html", p)
}
