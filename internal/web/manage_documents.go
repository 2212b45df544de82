package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// documentRoutes are shared documents: the manager
// uploads and shares, residents list, view and download.
func (s *Server) documentRoutes() []route {
	return []route{
		{"GET", "/manage/documents", staffView, s.manageDocuments},
		{"GET", "/manage/documents/new", staffEdit, s.newDocumentForm},
		{"POST", "/manage/documents", staffEdit, s.uploadDocument},
		{"GET", "/manage/documents/{id}", staffView, s.manageDocument},
		{"GET", "/manage/documents/{id}/file", staffView, s.manageDocumentFile},
		{"POST", "/manage/documents/{id}", staffEdit, s.updateDocument},
		{"POST", "/manage/documents/{id}/shares", staffEdit, s.shareDocument},
		{"POST", "/manage/documents/{id}/shares/{share}/remove", staffEdit, s.unshareDocument},
		{"POST", "/manage/documents/{id}/archive", staffEdit, s.archiveDocument},

		{"GET", "/portal/documents", resident, s.portalDocuments},
		{"GET", "/portal/documents/{id}/view", resident, s.portalDocumentView},
		{"GET", "/portal/documents/{id}/download", resident, s.portalDocumentDownload},
	}
}

// categoryOptions are the document categories for a select; all adds a
// first "every category" entry.
func categoryOptions(all string) []Option {
	var out []Option
	if all != "" {
		out = append(out, Option{"", all})
	}
	for _, c := range lintel.DocumentCategories {
		out = append(out, Option{string(c), c.Label()})
	}
	return out
}

// sizeText says a file's size the way people read it: "820 KB", "4.2 MB".
func sizeText(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+999)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

type documentsPage struct {
	Page
	Documents  []sqldb.DocumentItem
	Category   string
	Archived   bool
	Categories []Option
	CanEdit    bool
	NextURL    string
	PrevURL    string
}

// manageDocuments lists the company's documents, newest first.
func (s *Server) manageDocuments(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	q := r.URL.Query()
	f := sqldb.DocumentFilter{Category: lintel.DocumentCategory(q.Get("category")), Archived: q.Get("archived") == "1"}
	if !f.Category.Valid() {
		f.Category = ""
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	page, err := s.db.Documents(r.Context(), st, f)
	if err != nil {
		return err
	}
	p := &documentsPage{
		Page:      Page{Title: "Documents", Area: "manage", Nav: "documents"},
		Documents: page.Documents, Category: string(f.Category), Archived: f.Archived,
		Categories: categoryOptions("Every category"), CanEdit: st.Can(lintel.PermEditRecords),
	}
	keep := url.Values{}
	if f.Category != "" {
		keep.Set("category", string(f.Category))
	}
	if f.Archived {
		keep.Set("archived", "1")
	}
	if page.NextBefore != 0 {
		next := url.Values{}
		for k, v := range keep {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(page.NextBefore, 10))
		p.NextURL = "/manage/documents?" + next.Encode()
	}
	if f.Before != 0 {
		p.PrevURL = "/manage/documents"
		if len(keep) > 0 {
			p.PrevURL += "?" + keep.Encode()
		}
	}
	return s.render(w, r, http.StatusOK, "manage/documents.html", p)
}

type documentFormPage struct {
	Page
	Form       Form
	Categories []Option
	Choices    sqldb.ShareChoices
	MaxBytes   int64
	Back       string
}

// MaxSize is the upload limit in words.
func (p *documentFormPage) MaxSize() string { return sizeText(p.MaxBytes) }

// ShareSelect is the form's "Share with" select.
func (p *documentFormPage) ShareSelect() shareSelect {
	return shareSelect{Value: p.Form.Get("share"), Error: p.Form.Errors["share"], Choices: p.Choices, Optional: true,
		Hint: "Whom it is for. You can add more places, or remove one, on the document's page."}
}

// shareSelect is what partials/documents.html's "share-select" shows.
type shareSelect struct {
	Value, Error, Hint string
	Choices            sqldb.ShareChoices
	Optional           bool // an empty choice means "not shared yet"
}

// newDocumentForm is the upload form; ?share=lease:12 (from a lease, unit,
// property or contact page) chooses whom to share with.
func (s *Server) newDocumentForm(w http.ResponseWriter, r *http.Request) error {
	f := NewForm()
	f.Set("category", string(lintel.DocOther))
	if t, ok := lintel.ParseShareTarget(r.URL.Query().Get("share")); ok {
		f.Set("share", t.String())
		if t.LeaseID > 0 {
			f.Set("category", string(lintel.DocLease))
		}
	}
	return s.renderDocumentForm(w, r, http.StatusOK, f)
}

func (s *Server) renderDocumentForm(w http.ResponseWriter, r *http.Request, status int, f Form) error {
	choices, err := s.db.DocumentShareChoices(r.Context(), staffOf(r))
	if err != nil {
		return err
	}
	back := "/manage/documents"
	if t, ok := lintel.ParseShareTarget(f.Get("share")); ok {
		back = sqldb.ShareRef{Target: t}.Path()
	}
	return s.render(w, r, status, "manage/document_new.html", &documentFormPage{
		Page: Page{Title: "Upload a document", Area: "manage", Nav: "documents"},
		Form: f, Categories: categoryOptions(""), Choices: choices, MaxBytes: upload.MaxSharedDocumentBytes, Back: back,
	})
}

// uploadDocument stores an uploaded document, checked by its content, and
// shares it when the form chose whom with. The title, category and "share
// with" fields come before the file in the form.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	ctx, st := r.Context(), staffOf(r)
	f := NewForm()
	refuse := func(field, msg string) error {
		f.Errors.Add(field, msg)
		return s.renderDocumentForm(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := upload.Limit(w, r, upload.MaxSharedDocumentRequestBytes); err != nil {
		return refuse("file", lintel.MessageOf(err))
	}
	uf, err := upload.NewForm(r, upload.SharedDocument())
	if err != nil {
		if lintel.KindOf(err) == lintel.KindInvalid {
			return refuse("file", lintel.MessageOf(err))
		}
		return err
	}
	var doc *photo.Document
	var name string
	var fileErr error
	for {
		file, err := uf.NextFile()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				return err
			}
			fileErr = err
			break
		}
		if file.Field != "file" || doc != nil {
			continue
		}
		name = file.Name
		doc, fileErr = photo.ProcessSharedDocument(ctx, bytes.NewReader(file.Data), file.Name)
		file.Data = nil
		if fileErr != nil {
			if lintel.KindOf(fileErr) != lintel.KindInvalid {
				return fileErr
			}
			doc = nil
		}
	}
	f.Values = uf.Values
	title := f.Get("title")
	category := lintel.DocumentCategory(f.Get("category"))
	f.Merge(lintel.ValidateDocument(&title, category))
	share, shareOK := lintel.ParseShareTarget(f.Get("share"))
	if f.Get("share") != "" && !shareOK {
		f.Errors.Add("share", "Choose whom to share with from the list.")
	}
	if shareOK {
		msg, err := s.db.CheckShareTarget(ctx, st, share)
		if err != nil {
			return err
		}
		if msg != "" {
			f.Errors.Add("share", msg)
		}
	}
	switch {
	case fileErr != nil:
		f.Errors.Add("file", lintel.MessageOf(fileErr))
	case doc == nil:
		f.Errors.Add("file", "Choose the file to upload.")
	}
	if len(f.Errors) > 0 {
		return s.renderDocumentForm(w, r, http.StatusUnprocessableEntity, f)
	}
	if doc.ContentType == photo.ContentTypeJPEG && !hasExt(name, ".jpg", ".jpeg") {
		name += ".jpg" // a PNG was re-encoded as JPEG
	}
	nf, err := s.storeBlob(ctx, doc.Data, name, doc.ContentType)
	if err != nil {
		return err
	}
	id, err := s.db.CreateDocument(ctx, st, sqldb.NewDocument{File: nf, Title: title, Category: category, Share: share}, s.documentMailer())
	if err != nil {
		s.deleteBlobs(ctx, nf.Key)
		if f.Merge(err) || lintel.KindOf(err) == lintel.KindInvalid || lintel.KindOf(err) == lintel.KindConflict {
			if len(lintel.FieldsOf(err)) == 0 {
				f.Errors.Add("file", lintel.MessageOf(err))
			}
			return s.renderDocumentForm(w, r, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	if shareOK {
		s.flash(r, "Document uploaded and shared. The people it reaches get an e-mail, unless they turned document e-mails off.")
	} else {
		s.flash(r, "Document uploaded. Share it below so residents can see it.")
	}
	return redirect(w, r, fmt.Sprintf("/manage/documents/%d", id))
}

func hasExt(name string, exts ...string) bool {
	for _, e := range exts {
		if len(name) >= len(e) && equalFold(name[len(name)-len(e):], e) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

// documentSharedMail is the data of mail/templates/document_shared.tmpl.
type documentSharedMail struct {
	Name, Company, Title, Category, About string
	Attached                              bool
	FileName, Size                        string
	Link                                  string
}

// documentMailer composes the e-mail each recipient of a share gets: the
// document attached when it is at most lintel.MaxAttachmentBytes, a link
// to the portal otherwise.
func (s *Server) documentMailer() sqldb.DocumentMailer {
	link := s.link("/portal/documents", nil)
	return func(n sqldb.DocumentNotice) (lintel.Email, error) {
		d := documentSharedMail{Name: n.ToName, Company: n.CompanyName, Title: n.Title, Category: n.Category.Label(),
			About: n.About.Label(), Attached: n.Size <= lintel.MaxAttachmentBytes, FileName: n.FileName, Size: sizeText(n.Size), Link: link}
		if n.About.Kind() == "contact" {
			d.About = "You"
		}
		c, err := mail.Compose("document_shared", d)
		if err != nil {
			return lintel.Email{}, err
		}
		m := lintel.Email{Kind: "document_shared", To: n.To, ToName: n.ToName, Subject: c.Subject, Text: c.Text, HTML: c.HTML}
		if d.Attached {
			m.AttachmentFileID = n.FileID
		}
		return m, nil
	}
}

type documentPage struct {
	Page
	Doc        sqldb.DocumentItem
	CanEdit    bool
	EditForm   Form
	ShareForm  Form
	Categories []Option
	Choices    sqldb.ShareChoices
	Alert      string
}

// ShareSelect is the "share with more people" select.
func (p *documentPage) ShareSelect() shareSelect {
	return shareSelect{Value: p.ShareForm.Get("share"), Error: p.ShareForm.Errors["share"], Choices: p.Choices,
		Hint: "The people it reaches get an e-mail (once per document)."}
}

// SizeText says a size in words.
func (p *documentPage) SizeText(n int64) string { return sizeText(n) }

func (s *Server) documentPage(r *http.Request, id int64) (*documentPage, error) {
	st := staffOf(r)
	d, err := s.db.Document(r.Context(), st, id)
	if err != nil {
		return nil, err
	}
	p := &documentPage{
		Page: Page{Title: d.Title, Area: "manage", Nav: "documents"},
		Doc:  d, CanEdit: st.Can(lintel.PermEditRecords) && !d.IsArchived(),
		EditForm: NewForm(), ShareForm: NewForm(), Categories: categoryOptions(""),
	}
	p.EditForm.Set("title", d.Title)
	p.EditForm.Set("category", string(d.Category))
	if p.CanEdit {
		if p.Choices, err = s.db.DocumentShareChoices(r.Context(), st); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// manageDocument shows a document, whom it is shared with, and the forms
// to edit, share, unshare and archive it.
func (s *Server) manageDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.documentPage(r, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "manage/document.html", p)
}

// manageDocumentFile serves the file to staff: shown in the browser when
// it can be (?inline=1 and a PDF or image), downloaded otherwise.
func (s *Server) manageDocumentFile(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.db.StaffDocumentFile(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	disp := "attachment"
	if r.URL.Query().Get("inline") == "1" && lintel.ViewableType(f.ContentType) {
		disp = "inline"
	}
	return s.serveStoredFile(w, r, f, disp, cachePrivate)
}

// updateDocument saves a document's title and category.
func (s *Server) updateDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.documentPage(r, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.UpdateDocument(r.Context(), staffOf(r), id, f.Get("title"), lintel.DocumentCategory(f.Get("category")))
	if err != nil {
		if f.Merge(err) {
			p.EditForm = f
			return s.render(w, r, http.StatusUnprocessableEntity, "manage/document.html", p)
		}
		if lintel.KindOf(err) == lintel.KindConflict {
			p.Alert = lintel.MessageOf(err)
			return s.render(w, r, http.StatusConflict, "manage/document.html", p)
		}
		return err
	}
	s.flash(r, "Saved.")
	return redirect(w, r, fmt.Sprintf("/manage/documents/%d", id))
}

// shareDocument shares the document with one more lease, unit, property
// or contact, and e-mails the people it reaches.
func (s *Server) shareDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.documentPage(r, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	t, ok := lintel.ParseShareTarget(f.Get("share"))
	if !ok {
		f.Errors.Add("share", "Choose whom to share with from the list.")
		p.ShareForm = f
		return s.render(w, r, http.StatusUnprocessableEntity, "manage/document.html", p)
	}
	if _, err := s.db.ShareDocument(r.Context(), staffOf(r), id, t, s.documentMailer()); err != nil {
		switch {
		case f.Merge(err):
			p.ShareForm = f
			return s.render(w, r, http.StatusUnprocessableEntity, "manage/document.html", p)
		case lintel.KindOf(err) == lintel.KindConflict:
			p.ShareForm = f
			p.Alert = lintel.MessageOf(err)
			return s.render(w, r, http.StatusConflict, "manage/document.html", p)
		}
		return err
	}
	s.flash(r, "Shared. The people it reaches get an e-mail, unless they turned document e-mails off.")
	return redirect(w, r, fmt.Sprintf("/manage/documents/%d#h-shares", id))
}

// unshareDocument removes one share; the document stays.
func (s *Server) unshareDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	share, err := strconv.ParseInt(r.PathValue("share"), 10, 64)
	if err != nil || share <= 0 {
		return lintel.ErrNotFound
	}
	if err := s.db.UnshareDocument(r.Context(), staffOf(r), id, share); err != nil {
		return err
	}
	s.flash(r, "No longer shared there. The people it reached can no longer see it through that share.")
	return redirect(w, r, fmt.Sprintf("/manage/documents/%d#h-shares", id))
}

// archiveDocument takes the document out of every list, the portal's too.
func (s *Server) archiveDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveDocument(r.Context(), staffOf(r), id); err != nil {
		if lintel.KindOf(err) == lintel.KindConflict {
			s.flash(r, lintel.MessageOf(err))
			return redirect(w, r, fmt.Sprintf("/manage/documents/%d", id))
		}
		return err
	}
	s.flash(r, "Document archived. Residents no longer see it.")
	return redirect(w, r, "/manage/documents")
}

// sharedDocs is the "Documents" section of a lease, unit, property or
// contact page (partials/documents.html).
type sharedDocs struct {
	Documents []sqldb.DocumentItem
	Share     string // the target, for "Upload and share"
	CanEdit   bool
}

// sharedDocsOn reads what is shared on t for the section.
func (s *Server) sharedDocsOn(r *http.Request, t lintel.ShareTarget) (sharedDocs, error) {
	st := staffOf(r)
	docs, err := s.db.DocumentsSharedOn(r.Context(), st, t)
	return sharedDocs{Documents: docs, Share: t.String(), CanEdit: st.Can(lintel.PermEditRecords)}, err
}
