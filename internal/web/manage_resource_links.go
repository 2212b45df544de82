package web

import (
	"net/http"
	"strconv"

	"lintel.dev/lintel/internal/lintel"
)

// Resource links: the company's own links for its
// residents — the building's rules, the bin calendar — shown on the help
// page to the tenants and/or owners they are meant for. Like the
// maintenance categories, every staff member may look and those who edit
// records may change them.

func (s *Server) resourceLinkRoutes() []route {
	return []route{
		{"GET", "/manage/settings/links", staffView, s.manageResourceLinks},
		{"POST", "/manage/settings/links", staffEdit, s.createResourceLink},
		{"GET", "/manage/settings/links/{id}", staffEdit, s.editResourceLinkForm},
		{"POST", "/manage/settings/links/{id}", staffEdit, s.updateResourceLink},
		{"POST", "/manage/settings/links/{id}/move", staffEdit, s.moveResourceLink},
		{"POST", "/manage/settings/links/{id}/remove", staffEdit, s.removeResourceLink},
	}
}

const resourceLinksPath = "/manage/settings/links"

// linkAudienceOptions are the audiences for the forms' select.
func linkAudienceOptions() []Option {
	var out []Option
	for _, a := range lintel.LinkAudiences {
		out = append(out, Option{string(a), a.Label()})
	}
	return out
}

type resourceLinksPage struct {
	Page
	Links     []lintel.ResourceLink
	Form      Form // the new-link form
	CanEdit   bool
	Audiences []Option
}

func (s *Server) renderResourceLinks(w http.ResponseWriter, r *http.Request, status int, f Form) error {
	st := staffOf(r)
	links, err := s.db.ResourceLinks(r.Context(), st)
	if err != nil {
		return err
	}
	if f.Get("audience") == "" {
		f.Set("audience", string(lintel.AudienceEveryone))
	}
	return s.render(w, r, status, "manage/resource_links.html", &resourceLinksPage{
		Page:  Page{Title: "Links for residents", Area: "manage", Nav: "settings"},
		Links: links, Form: f, CanEdit: st.Can(lintel.PermEditRecords), Audiences: linkAudienceOptions(),
	})
}

// manageResourceLinks lists the links residents see on their help page.
func (s *Server) manageResourceLinks(w http.ResponseWriter, r *http.Request) error {
	return s.renderResourceLinks(w, r, http.StatusOK, NewForm())
}

// resourceLinkFrom reads a link's fields from a form.
func resourceLinkFrom(f Form) lintel.ResourceLink {
	return lintel.ResourceLink{Title: f.Get("title"), URL: f.Get("url"), Audience: lintel.LinkAudience(f.Get("audience"))}
}

func (s *Server) createResourceLink(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	_, err = s.db.CreateResourceLink(r.Context(), staffOf(r), resourceLinkFrom(f))
	if f.Merge(err) {
		return s.renderResourceLinks(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Link added. Residents see it on their help page.")
	return redirect(w, r, resourceLinksPath)
}

type resourceLinkPage struct {
	Page
	Link      lintel.ResourceLink
	Form      Form
	Audiences []Option
}

func (s *Server) renderResourceLink(w http.ResponseWriter, r *http.Request, status int, id int64, f *Form) error {
	l, err := s.db.ResourceLink(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	if f == nil {
		stored := NewForm()
		stored.Set("title", l.Title)
		stored.Set("url", l.URL)
		stored.Set("audience", string(l.Audience))
		f = &stored
	}
	return s.render(w, r, status, "manage/resource_link.html", &resourceLinkPage{
		Page: Page{Title: "Edit link · Links for residents", Area: "manage", Nav: "settings"},
		Link: l, Form: *f, Audiences: linkAudienceOptions(),
	})
}

// editResourceLinkForm shows one link's edit form.
func (s *Server) editResourceLinkForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderResourceLink(w, r, http.StatusOK, id, nil)
}

func (s *Server) updateResourceLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.UpdateResourceLink(r.Context(), staffOf(r), id, resourceLinkFrom(f))
	if f.Merge(err) {
		return s.renderResourceLink(w, r, http.StatusUnprocessableEntity, id, &f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Link saved.")
	return redirect(w, r, resourceLinksPath)
}

func (s *Server) moveResourceLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	if err := s.db.MoveResourceLink(r.Context(), staffOf(r), id, direction(f)); err != nil {
		return err
	}
	return redirect(w, r, resourceLinksPath+"#link-"+strconv.FormatInt(id, 10))
}

func (s *Server) removeResourceLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.db.RemoveResourceLink(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Link removed. Residents no longer see it.")
	return redirect(w, r, resourceLinksPath)
}
