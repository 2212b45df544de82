package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// matrixDocs holds what the document rows need beyond the world: a share
// id to remove.
var matrixDocs struct{ leaseShareA int64 }

// addMatrixDocuments stores the fixture documents' blobs, so the download
// rows reach a real file, and notes a share id for the unshare row.
func addMatrixDocuments(t *testing.T, db *sqldb.DB, files blob.Store, w *testkit.World) {
	t.Helper()
	storeFixtureDocuments(t, files, w)
	d, err := db.Document(context.Background(), w.A.Staff[testkit.Admin], w.A.LeaseDocument)
	if err != nil || len(d.Shares) != 1 {
		t.Fatalf("fixture document: %v", err)
	}
	matrixDocs.leaseShareA = d.Shares[0].ID
}

func storeFixtureDocuments(t *testing.T, files blob.Store, w *testkit.World) {
	t.Helper()
	for _, c := range []*testkit.Company{w.A, w.B} {
		for _, k := range c.DocumentKeys {
			if err := files.Put(context.Background(), k, bytes.NewReader(testkit.FixturePDF), int64(len(testkit.FixturePDF)), "application/pdf"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// seesDocument: the personas of company A a document is shared with;
// everyone else signed in gets the 404 of a missing document.
func seesDocument(ps ...testkit.Persona) profile {
	return func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case other:
			return notFound
		}
		for _, p := range ps {
			if a.persona == p {
				return allow
			}
		}
		return notFound
	}
}

func init() {
	docA := func(w *testkit.World) int64 { return w.A.LeaseDocument }
	addMatrixRows(map[string]matrixRow{
		"GET /manage/documents":              {fixed("/manage/documents?category=lease"), nil, staffList},
		"GET /manage/documents/new":          {withID("/manage/documents/new?share=lease:%d", leaseA), nil, editList},
		"POST /manage/documents":             {fixed("/manage/documents"), nil, editList}, // not multipart: the form's 422
		"GET /manage/documents/{id}":         {withID("/manage/documents/%d", docA), nil, staffObject},
		"GET /manage/documents/{id}/file":    {withID("/manage/documents/%d/file?inline=1", docA), nil, staffObject},
		"POST /manage/documents/{id}":        {withID("/manage/documents/%d", docA), url.Values{"title": {"Lease 2026"}, "category": {"lease"}}, editObject},
		"POST /manage/documents/{id}/shares": {withID("/manage/documents/%d/shares", docA), nil, editObject},
		"POST /manage/documents/{id}/shares/{share}/remove": {func(w *testkit.World) string {
			return fmt.Sprintf("/manage/documents/%d/shares/%d/remove", w.A.LeaseDocument, matrixDocs.leaseShareA)
		}, nil, editObject},
		"POST /manage/documents/{id}/archive": {withID("/manage/documents/%d/archive", docA), nil, editObject},

		"GET /portal/documents": {fixed("/portal/documents"), nil, portal},
		// The former tenant keeps their ended lease's document; nobody else
		// (the current tenants included) sees it.
		"GET /portal/documents/{id}/view": {withID("/portal/documents/%d/view", func(w *testkit.World) int64 { return w.A.EndedLeaseDocument }),
			nil, seesDocument(testkit.FormerTenant)},
		// Co-tenants share the lease's documents; owners, other tenants,
		// staff (in the portal) and company B do not see them.
		"GET /portal/documents/{id}/download": {withID("/portal/documents/%d/download", docA), nil, seesDocument(testkit.Tenant, testkit.Cotenant)},
	})
}

// Every resident persona against every fixture document, through HTTP:
// allowed downloads get the bytes, the rest the 404 of a missing id.
func TestPortalDocumentDownloads(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	storeFixtureDocuments(t, app.srv.files, w)
	a := w.A
	ctx := context.Background()
	// A document on Apt 1 (the leased unit): its owners are the property's
	// owner only; the unit owner owns Apt 2.
	key := blob.NewKey()
	if err := app.srv.files.Put(ctx, key, bytes.NewReader(testkit.FixturePDF), int64(len(testkit.FixturePDF)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	apt1, err := db.CreateDocument(ctx, a.Staff[testkit.Admin], sqldb.NewDocument{
		File:  sqldb.NewFile{Key: key, Name: "apt1.pdf", ContentType: "application/pdf", Size: int64(len(testkit.FixturePDF)), SHA256: "00"},
		Title: "Apt 1 inspection", Category: lintel.DocInspection, Share: lintel.ShareTarget{UnitID: a.Unit}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]int64{"lease": a.LeaseDocument, "ended": a.EndedLeaseDocument, "unit": a.UnitDocument, "apt1": apt1,
		"property": a.PropertyDocument, "contact": a.ContactDocument, "other company": a.OtherDocument}
	sees := map[testkit.Persona][]string{
		testkit.Tenant:        {"lease", "contact"},
		testkit.Cotenant:      {"lease"},
		testkit.FormerTenant:  {"ended"},
		testkit.OtherTenant:   nil,
		testkit.PropertyOwner: {"unit", "apt1", "property"},
		testkit.UnitOwner:     {"unit", "property"},
		testkit.OtherOwner:    nil,
		testkit.Admin:         nil,
	}
	missing := ""
	for p, allowed := range sees {
		cl := loginPersona(t, app, a, p)
		if missing == "" {
			missing = cl.get("/portal/documents/987654321/download").want(t, 404).mainOf()
		}
		for name, id := range docs {
			r := cl.get(fmt.Sprintf("/portal/documents/%d/download", id))
			want := false
			for _, n := range allowed {
				want = want || n == name
			}
			switch {
			case want && (r.Status != 200 || r.Body != string(testkit.FixturePDF)):
				t.Errorf("%s downloads %s: %d", p, name, r.Status)
			case want:
				if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
					t.Errorf("%s %s: Content-Disposition %q", p, name, cd)
				}
				if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("%s %s: headers %v", p, name, r.Header)
				}
			case r.Status != 404 || r.mainOf() != missing:
				t.Errorf("%s downloads %s: %d, want the 404 of a missing document", p, name, r.Status)
			}
		}
	}
	anon := app.client(t)
	if r := anon.get(fmt.Sprintf("/portal/documents/%d/download", a.LeaseDocument)); r.Status != 303 || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("anonymous download: %d %q", r.Status, r.Location)
	}
	// Another company's manager, in the manager app, gets a 404 too.
	bAdmin := loginPersona(t, app, w.B, testkit.Admin)
	bAdmin.get(fmt.Sprintf("/manage/documents/%d/file", a.LeaseDocument)).want(t, 404)
	bAdmin.get(fmt.Sprintf("/manage/documents/%d", a.LeaseDocument)).want(t, 404)
}

func TestPortalDocumentsPage(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	storeFixtureDocuments(t, app.srv.files, w)
	a := w.A
	tenant := loginPersona(t, app, a, testkit.Tenant)
	r := tenant.get("/portal/documents").want(t, 200)
	r.wantBody(t, "Lease agreement", "Rent notice", "Lease of Apt 1, Harbour House", "Shared with you",
		fmt.Sprintf(`href="/portal/documents/%d/view"`, a.LeaseDocument), fmt.Sprintf(`href="/portal/documents/%d/download"`, a.LeaseDocument))
	if strings.Index(r.Body, "Rent notice") > strings.Index(r.Body, "Lease agreement<") {
		t.Error("not newest first")
	}
	if strings.Contains(r.Body, "Building rules") || strings.Contains(r.Body, "Ridge") {
		t.Error("the tenant sees documents that are not theirs")
	}
	r = tenant.get("/portal/documents?category=notice").want(t, 200)
	if strings.Contains(r.mainOf(), "Lease agreement") || !strings.Contains(r.mainOf(), "Rent notice") {
		t.Error("category filter")
	}
	// View: inline for a PDF.
	v := tenant.get(fmt.Sprintf("/portal/documents/%d/view", a.LeaseDocument)).want(t, 200)
	if cd := v.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") || v.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("view headers %v", v.Header)
	}
	// The empty state says what happens next.
	other := loginPersona(t, app, a, testkit.OtherTenant)
	other.get("/portal/documents").want(t, 200).wantBody(t, "When your manager shares a document with you, it appears here and you get an e-mail.")
}

// A manager uploads and shares; the recipients get one e-mail each, with
// the file attached (a link above the limit), except those who opted
// out; a refused file stores nothing.
func TestManageDocumentUploadAndShare(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		storeFixtureDocuments(t, app.srv.files, w)
		a := w.A
		ctx := context.Background()
		admin := loginPersona(t, app, a, testkit.Admin)

		// The cotenant turned document e-mails off.
		co := lintel.Resident{UserID: a.Users[testkit.Cotenant], Email: a.Emails[testkit.Cotenant]}
		set, err := db.SettingsOf(ctx, co)
		if err != nil {
			t.Fatal(err)
		}
		set.NotifyDocuments = false
		if err := db.SaveSettings(ctx, co, set, func(string) bool { return true }); err != nil {
			t.Fatal(err)
		}

		admin.get(fmt.Sprintf("/manage/documents/new?share=lease:%d", a.Lease)).want(t, 200).
			wantBody(t, fmt.Sprintf(`value="lease:%d" selected`, a.Lease), "data-doc-upload", `class="upload-progress"`)

		// Refused: HTML dressed as a PDF, a missing title, another company's lease.
		r := admin.postMultipart("/manage/documents", []part{{name: "title", value: ""}, {name: "category", value: "lease"},
			{name: "share", value: fmt.Sprintf("lease:%d", w.B.Lease)}, {name: "file", filename: "lease.pdf", data: []byte("<html><script>alert(1)</script>")}})
		r.want(t, 422).wantBody(t, "cannot be shared", "Give the document a title", "Choose whom to share with")
		page, _ := db.Documents(ctx, a.Staff[testkit.Admin], sqldb.DocumentFilter{})
		if len(page.Documents) != 5 {
			t.Fatalf("a refused upload stored a document: %d", len(page.Documents))
		}

		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("lease terms "), 1000)...)
		r = admin.postMultipart("/manage/documents", []part{{name: "title", value: "Lease agreement 2026"}, {name: "category", value: "lease"},
			{name: "share", value: fmt.Sprintf("lease:%d", a.Lease)}, {name: "file", filename: "Lease 2026.pdf", data: pdf}})
		if r.Status != 303 || !strings.HasPrefix(r.Location, "/manage/documents/") {
			t.Fatalf("upload: %d %q\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		admin.get(r.Location).want(t, 200).wantBody(t, "Document uploaded and shared", "Lease of Apt 1, Harbour House", "Lease 2026.pdf")
		id := regexp.MustCompile(`/manage/documents/(\d+)`).FindStringSubmatch(r.Location)[1]
		admin.get("/manage/documents/"+id+"/file").want(t, 200)
		admin.get(fmt.Sprintf("/manage/leases/%d", a.Lease)).want(t, 200).wantBody(t, "Lease agreement 2026", "Upload and share")
		admin.get("/manage/documents").want(t, 200).wantBody(t, "Lease agreement 2026")

		// A large image-free file: announced with a link, not attached.
		big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), lintel.MaxAttachmentBytes+10)...)
		r = admin.postMultipart("/manage/documents", []part{{name: "title", value: "Building survey"}, {name: "category", value: "inspection"},
			{name: "share", value: fmt.Sprintf("property:%d", a.Property)}, {name: "file", filename: "survey.pdf", data: big}})
		r.want(t, 303)

		// Deliver through a real SMTP server.
		srv := testkit.SMTP(t)
		sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), From: "Lintel <no-reply@lintel.example>", TLS: mail.TLSNone, Timeout: 5 * time.Second}, nil)
		if err != nil {
			t.Fatal(err)
		}
		worker := mail.NewWorker(db, sender, mail.WorkerConfig{Files: app.srv.files})
		for {
			did, err := worker.DeliverOne(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !did {
				break
			}
		}
		got := srv.WaitFor(t, a.Emails[testkit.Tenant], 5*time.Second)
		if got.Subject != "New document from Harbour Lettings: Lease agreement 2026" || len(got.Attachments) != 1 {
			t.Fatalf("tenant's e-mail %q with %d attachments", got.Subject, len(got.Attachments))
		}
		if at := got.Attachments[0]; !bytes.Equal(at.Data, pdf) || at.Name != "Lease 2026.pdf" || at.ContentType != "application/pdf" {
			t.Errorf("attachment %q %q %d bytes", at.Name, at.ContentType, len(at.Data))
		}
		if !strings.Contains(got.TextBody, "/portal/documents") {
			t.Errorf("no portal link: %q", got.TextBody)
		}
		if n := len(srv.To(a.Emails[testkit.Cotenant])); n != 0 {
			t.Errorf("the cotenant opted out but got %d e-mails", n)
		}
		owner := srv.WaitFor(t, a.Emails[testkit.PropertyOwner], 5*time.Second)
		for _, m := range srv.To(a.Emails[testkit.PropertyOwner]) {
			if strings.Contains(m.Subject, "Building survey") {
				owner = m
			}
		}
		if !strings.Contains(owner.Subject, "Building survey") || len(owner.Attachments) != 0 || !strings.Contains(crlfToLF(owner.TextBody), "too large to attach") {
			t.Errorf("large document e-mail %q, %d attachments", owner.Subject, len(owner.Attachments))
		}

		// Share, edit, unshare and archive from the document's page.
		base := "/manage/documents/" + id
		admin.postForm(base+"/shares", url.Values{"share": {fmt.Sprintf("contact:%d", a.Contacts[testkit.UnitOwner])}}).wantRedirect(t, base+"#h-shares")
		admin.postForm(base+"/shares", url.Values{"share": {fmt.Sprintf("contact:%d", a.Contacts[testkit.UnitOwner])}}).want(t, 409)
		admin.postForm(base+"/shares", url.Values{"share": {fmt.Sprintf("unit:%d", w.B.Unit)}}).want(t, 422)
		admin.postForm(base, url.Values{"title": {"Lease agreement (signed)"}, "category": {"lease"}}).wantRedirect(t, base)
		admin.postForm(base, url.Values{"title": {""}, "category": {"nope"}}).want(t, 422)
		d, _ := db.Document(ctx, a.Staff[testkit.Admin], mustInt(t, id))
		if d.Title != "Lease agreement (signed)" || len(d.Shares) != 2 {
			t.Fatalf("document now %+v", d)
		}
		admin.postForm(fmt.Sprintf("%s/shares/%d/remove", base, d.Shares[0].ID), nil).wantRedirect(t, base+"#h-shares")
		portalFile := "/portal/documents/" + id + "/download"
		tenant := loginPersona(t, app, a, testkit.Tenant)
		tenant.get(portalFile).want(t, 404) // the lease share is gone
		owner2 := loginPersona(t, app, a, testkit.UnitOwner)
		owner2.get(portalFile).want(t, 200) // shared with them directly
		admin.postForm(base+"/archive", nil).wantRedirect(t, "/manage/documents")
		owner2.get(portalFile).want(t, 404)
		admin.get("/manage/documents?archived=1").want(t, 200).wantBody(t, "Lease agreement (signed)")

		// Bookkeepers see, but may not change.
		book := loginPersona(t, app, a, testkit.Bookkeeper)
		book.get(fmt.Sprintf("/manage/documents/%d", a.LeaseDocument)).want(t, 200)
		book.postForm(fmt.Sprintf("/manage/documents/%d/archive", a.LeaseDocument), nil).want(t, 403)
	})
}

func crlfToLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
