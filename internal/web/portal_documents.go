package web

import (
	"net/http"
	"net/url"
	"strconv"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The portal's Documents tab: what managers shared with
// the person, newest first, filtered by category; PDFs and photos open in
// the browser, everything downloads. Scope is the store's (myShares).

type portalDocumentsPage struct {
	Page
	Documents  []sqldb.ResidentDocument
	Category   string
	Categories []lintel.DocumentCategory // those the person has, for the filter
	NextURL    string
	PrevURL    string
	Companies  int // how many companies the listed documents come from
}

func (s *Server) portalDocuments(w http.ResponseWriter, r *http.Request) error {
	ctx, res := r.Context(), residentOf(r)
	q := r.URL.Query()
	f := sqldb.ResidentDocumentFilter{Category: lintel.DocumentCategory(q.Get("category"))}
	if !f.Category.Valid() {
		f.Category = ""
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	page, err := s.db.ResidentDocuments(ctx, res, f)
	if err != nil {
		return err
	}
	cats, err := s.db.ResidentDocumentCategories(ctx, res)
	if err != nil {
		return err
	}
	p := &portalDocumentsPage{
		Page:      Page{Title: "Documents", Area: "portal", Nav: "documents"},
		Documents: page.Documents, Category: string(f.Category), Categories: cats,
	}
	companies := map[int64]bool{}
	for _, d := range page.Documents {
		companies[d.CompanyID] = true
	}
	p.Companies = len(companies)
	keep := url.Values{}
	if f.Category != "" {
		keep.Set("category", string(f.Category))
	}
	if page.NextBefore != 0 {
		next := url.Values{"before": {strconv.FormatInt(page.NextBefore, 10)}}
		if f.Category != "" {
			next.Set("category", string(f.Category))
		}
		p.NextURL = "/portal/documents?" + next.Encode()
	}
	if f.Before != 0 {
		p.PrevURL = "/portal/documents"
		if len(keep) > 0 {
			p.PrevURL += "?" + keep.Encode()
		}
	}
	return s.render(w, r, http.StatusOK, "portal/documents.html", p)
}

// portalDocumentView shows a PDF or photo in the browser; other files are
// only downloaded, so their view link is a 404 like any unknown one.
func (s *Server) portalDocumentView(w http.ResponseWriter, r *http.Request) error {
	return s.portalDocumentFile(w, r, "inline")
}

func (s *Server) portalDocumentDownload(w http.ResponseWriter, r *http.Request) error {
	return s.portalDocumentFile(w, r, "attachment")
}

func (s *Server) portalDocumentFile(w http.ResponseWriter, r *http.Request, disposition string) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.db.ResidentDocumentFile(r.Context(), residentOf(r), id)
	if err != nil {
		return err
	}
	if disposition == "inline" && !lintel.ViewableType(f.ContentType) {
		return lintel.ErrNotFound
	}
	return s.serveStoredFile(w, r, f, disposition, cachePrivate)
}
