package web

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// matrixLinkA is company A's resource link in the access matrix's world.
var matrixLinkA int64

func init() {
	matrixFixtures = append(matrixFixtures, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		id, err := db.CreateResourceLink(context.Background(), w.A.Staff[testkit.Admin],
			lintel.ResourceLink{Title: "Building rules", URL: "https://harbour.example/rules.pdf"})
		if err != nil {
			t.Fatal(err)
		}
		matrixLinkA = id
	})
	linkA := func(*testkit.World) int64 { return matrixLinkA }
	addMatrixRows(map[string]matrixRow{
		"GET /help":        {fixed("/help"), nil, everyone},
		"GET /help/{slug}": {fixed("/help/sign-up"), nil, everyone},

		"GET /manage/settings/links":              {fixed("/manage/settings/links"), nil, staffList},
		"POST /manage/settings/links":             {fixed("/manage/settings/links"), nil, editList},
		"GET /manage/settings/links/{id}":         {withID("/manage/settings/links/%d", linkA), nil, editObject},
		"POST /manage/settings/links/{id}":        {withID("/manage/settings/links/%d", linkA), nil, editObject},
		"POST /manage/settings/links/{id}/move":   {withID("/manage/settings/links/%d/move", linkA), url.Values{"direction": {"down"}}, editObject},
		"POST /manage/settings/links/{id}/remove": {withID("/manage/settings/links/%d/remove", linkA), nil, editObject},
	})
}

// getLang requests path with an Accept-Language header.
func (c *testClient) getLang(path, lang string) *resp {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// TestHelpTopicsAreComplete: every topic has a body in every language,
// every body file is a topic, and titles and summaries have French.
func TestHelpTopicsAreComplete(t *testing.T) {
	t.Parallel()
	for _, l := range i18n.Languages {
		for _, topic := range helpTopics {
			body := &helpTopicView{Page: Page{Lang: l.Code}, Topic: topic}
			h, err := body.Body()
			if err != nil || len(h) < 200 {
				t.Errorf("%s/%s: %d bytes, %v", l.Code, topic.Slug, len(h), err)
			}
			if strings.Contains(string(h), "<h1") {
				t.Errorf("%s/%s: the page has its own <h1> (the title); start at <h2>", l.Code, topic.Slug)
			}
		}
	}
	err := fs.WalkDir(helpFiles, "help", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		parts := strings.Split(strings.TrimSuffix(name, ".html"), "/")
		if _, ok := findHelpTopic(parts[len(parts)-1]); !ok || len(parts) != 3 || !i18n.Supported(parts[1]) {
			t.Errorf("%s is not the body of a help topic: name it help/<language>/<slug>.html and list the slug in helpTopics", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range helpTopics {
		for _, key := range []string{topic.Title, topic.Summary} {
			if !i18n.Has("fr", key) {
				t.Errorf("help topic %s: no French for %q (internal/i18n/fr/help.json)", topic.Slug, key)
			}
		}
	}
}

func TestHelpPagesForVisitors(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	c := app.client(t)

	r := c.get("/help").want(t, 200)
	r.wantBody(t, `<html lang="en"`, `href="/login"`, `href="/signup"`, "Sign up and log in", "Report a problem and follow it",
		"Approve maintenance work (owners)", "Find your documents", "Read your billing", "Your profile and settings")
	if strings.Contains(r.Body, "From your management company") || strings.Contains(r.Body, `aria-label="Portal"`) {
		t.Error("a visitor sees the signed-in parts of the help page")
	}
	for _, topic := range helpTopics {
		c.get("/help/"+topic.Slug).want(t, 200).wantBody(t, "<h1>"+topic.Title+"</h1>", `href="/help"`)
	}
	c.get("/help/sign-up").wantBody(t, `href="/signup"`, "e-mail address your property manager has on file", "Nothing is linked to this e-mail yet")
	c.get("/help/no-such-topic").want(t, 404)

	// French from the browser's language, page and body alike.
	r = c.getLang("/help", "fr-CA,fr;q=0.9,en;q=0.5").want(t, 200)
	r.wantBody(t, `<html lang="fr"`, "<h1>Aide</h1>", "S’inscrire et se connecter", ">Se connecter</a>", ">S’inscrire</a>")
	c.getLang("/help/maintenance", "fr").want(t, 200).wantBody(t, "<h1>Signaler un problème et le suivre</h1>", "Envoyer à mon gestionnaire")
	c.getLang("/help/maintenance", "de").want(t, 200).wantBody(t, `<html lang="en"`, "Send to my property manager")

	// Log-in and sign-up pages point to help.
	c.get("/login").want(t, 200).wantBody(t, `href="/help`)
	c.get("/signup").want(t, 200).wantBody(t, `href="/help/sign-up"`)
}

func TestHelpPageShowsTheCompanysLinks(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		app := newTestApp(t, db)
		for _, c := range []*testkit.Company{w.A, w.B} {
			slug := strings.ReplaceAll(c.Name, " ", "-")
			for _, l := range []lintel.ResourceLink{
				{Title: c.Name + " tenants' guide", URL: "https://example.com/" + slug + "/tenants", Audience: lintel.AudienceTenants},
				{Title: c.Name + " owners' reports", URL: "https://example.com/" + slug + "/owners", Audience: lintel.AudienceOwners},
				{Title: c.Name + " bin calendar", URL: "https://www.bins.example/" + slug, Audience: lintel.AudienceEveryone},
			} {
				if _, err := db.CreateResourceLink(ctx, c.Staff[testkit.Admin], l); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tc := range []struct {
			persona   testkit.Persona
			see, hide []string
		}{
			{testkit.Tenant, []string{"Harbour Lettings tenants&#39; guide", "Harbour Lettings bin calendar"}, []string{"owners&#39; reports", "Ridge"}},
			{testkit.FormerTenant, []string{"Harbour Lettings tenants&#39; guide"}, []string{"owners&#39; reports", "Ridge"}},
			{testkit.PropertyOwner, []string{"Harbour Lettings owners&#39; reports", "Harbour Lettings bin calendar"}, []string{"tenants&#39; guide", "Ridge"}},
			{testkit.Admin, nil, []string{"From your management company", "Harbour Lettings bin"}}, // staff: no resident links
		} {
			t.Run(string(tc.persona), func(t *testing.T) {
				c := app.client(t)
				c.loginAs(w.A.Emails[tc.persona], testkit.Password)
				r := c.get("/help").want(t, 200)
				r.wantBody(t, `aria-label="Portal"`) // the portal's navigation, not the public header
				if strings.Contains(r.Body, `href="/signup"`) {
					t.Error("a signed-in person is offered to sign up")
				}
				if tc.see != nil {
					r.wantBody(t, "From your management company", `rel="noopener noreferrer"`, "bins.example", "opens another website in a new tab")
				}
				r.wantBody(t, tc.see...)
				for _, h := range tc.hide {
					if strings.Contains(r.mainOf(), h) {
						t.Errorf("%s sees %q", tc.persona, h)
					}
				}
			})
		}
	})
}

func TestManageResourceLinks(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)

	admin := app.client(t)
	admin.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	admin.get("/manage/settings").want(t, 200).wantBody(t, `href="/manage/settings/links"`)
	admin.get("/manage/settings/links").want(t, 200).wantBody(t, "No links yet", "Add a link")

	// A script address is refused, with what was typed kept.
	admin.postForm("/manage/settings/links", url.Values{"title": {"Rules"}, "url": {"javascript:alert(document.cookie)"}, "audience": {"tenants"}}).
		want(t, 422).wantBody(t, "starting with https://", `value="Rules"`, `<option value="tenants" selected>`)
	admin.postForm("/manage/settings/links", url.Values{"title": {""}, "url": {"https://harbour.example/rules.pdf"}}).
		want(t, 422).wantBody(t, "Give the link a title")

	admin.postForm("/manage/settings/links", url.Values{"title": {"Building rules"}, "url": {"https://harbour.example/rules.pdf"}, "audience": {"tenants"}}).
		wantRedirect(t, "/manage/settings/links")
	admin.postForm("/manage/settings/links", url.Values{"title": {"Bin calendar"}, "url": {"http://bins.example/harbour"}, "audience": {"everyone"}}).
		wantRedirect(t, "/manage/settings/links")
	links, err := db.ResourceLinks(context.Background(), w.A.Staff[testkit.Admin])
	if err != nil || len(links) != 2 {
		t.Fatalf("links = %+v, %v", links, err)
	}
	rules, bins := links[0].ID, links[1].ID
	r := admin.get("/manage/settings/links").want(t, 200)
	r.wantBody(t, "Link added", "Building rules", "Tenants", "Bin calendar", "Tenants and owners", `rel="noopener noreferrer"`)
	if strings.Index(r.Body, "Building rules") > strings.Index(r.Body, "Bin calendar") {
		t.Error("links are not in the order they were added")
	}

	// Edit: the form shows what is stored; a bad change comes back.
	edit := "/manage/settings/links/" + strconv.FormatInt(rules, 10)
	admin.get(edit).want(t, 200).wantBody(t, `value="Building rules"`, `value="https://harbour.example/rules.pdf"`)
	admin.postForm(edit, url.Values{"title": {"House rules"}, "url": {"data:text/html,hi"}, "audience": {"everyone"}}).
		want(t, 422).wantBody(t, "starting with https://", `value="House rules"`)
	admin.postForm(edit, url.Values{"title": {"House rules"}, "url": {"https://harbour.example/house-rules"}, "audience": {"everyone"}}).
		wantRedirect(t, "/manage/settings/links")

	// Move down, then remove.
	admin.postForm(edit+"/move", url.Values{"direction": {"down"}}).want(t, 303)
	r = admin.get("/manage/settings/links").want(t, 200)
	if strings.Index(r.Body, "House rules") < strings.Index(r.Body, "Bin calendar") {
		t.Error("moving down did not move the link")
	}
	admin.postForm("/manage/settings/links/"+strconv.FormatInt(bins, 10)+"/remove", nil).wantRedirect(t, "/manage/settings/links")
	r = admin.get("/manage/settings/links").want(t, 200).wantBody(t, "Link removed", "House rules")
	if strings.Contains(r.mainOf(), "Bin calendar") {
		t.Error("the removed link is still listed")
	}

	// A bookkeeper sees the list but no forms, and may not change it;
	// company B's admin cannot reach A's link.
	bk := app.client(t)
	bk.loginAs(w.A.Emails[testkit.Bookkeeper], testkit.Password)
	r = bk.get("/manage/settings/links").want(t, 200).wantBody(t, "House rules")
	if strings.Contains(r.Body, "Add a link") || strings.Contains(r.Body, "/remove") {
		t.Error("a bookkeeper is offered to change links")
	}
	bk.postForm("/manage/settings/links", url.Values{"title": {"x"}, "url": {"https://x.example"}}).want(t, 403)
	other := app.client(t)
	other.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	other.get(edit).want(t, 404)
	other.postForm(edit+"/remove", nil).want(t, 404)

	// The tenant sees it on their help page.
	tenant := app.client(t)
	tenant.loginAs(w.A.Emails[testkit.Tenant], testkit.Password)
	tenant.get("/help").want(t, 200).wantBody(t, `href="https://harbour.example/house-rules"`, "House rules", "harbour.example")
}

// TestWelcomeEmailLinksToHelp: the manager's invitation to the portal
// points to the help pages, built from the base URL like its other links.
func TestWelcomeEmailLinksToHelp(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := app.client(t)
	a.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	a.postForm("/manage/contacts/"+strconv.FormatInt(w.A.Contacts[testkit.Tenant], 10)+"/invite", nil).want(t, 303)
	m := app.lastEmailTo(t, w.A.Emails[testkit.Tenant])
	app.linkIn(t, m, "/help")
	if !strings.Contains(m.HTML, `href="`+app.base+`/help"`) {
		t.Errorf("the HTML part has no help link:\n%s", m.HTML)
	}
	c := app.client(t)
	c.get(strings.TrimPrefix(app.linkIn(t, m, "/help"), app.base)).want(t, 200)
}
