package sqldb_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func resident(c *testkit.Company, p testkit.Persona) lintel.Resident {
	return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p]}
}

func docIDs(docs []sqldb.ResidentDocument) []int64 {
	var out []int64
	for _, d := range docs {
		out = append(out, d.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// Every scope rule of the Documents tab, on both companies: B's people see
// none of A's documents and A's people none of B's.
func TestResidentDocumentScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		for _, c := range []*testkit.Company{w.A, w.B} {
			for _, tc := range []struct {
				p    testkit.Persona
				sees []int64
			}{
				{testkit.Tenant, []int64{c.LeaseDocument, c.ContactDocument}},
				{testkit.Cotenant, []int64{c.LeaseDocument}},
				// A former tenant keeps their ended lease's documents.
				{testkit.FormerTenant, []int64{c.EndedLeaseDocument}},
				{testkit.OtherTenant, nil},
				// A whole property's owner sees its units' documents too.
				{testkit.PropertyOwner, []int64{c.UnitDocument, c.PropertyDocument}},
				// A unit's owner sees the property's (all its owners).
				{testkit.UnitOwner, []int64{c.UnitDocument, c.PropertyDocument}},
				{testkit.OtherOwner, nil},
			} {
				page, err := db.ResidentDocuments(ctx, resident(c, tc.p), sqldb.ResidentDocumentFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := docIDs(page.Documents), sorted(tc.sees...); !slices.Equal(got, want) {
					t.Errorf("%s %s sees %v, want %v", c.Name, tc.p, got, want)
				}
				all := []int64{c.LeaseDocument, c.EndedLeaseDocument, c.UnitDocument, c.PropertyDocument, c.ContactDocument, c.OtherDocument}
				for _, id := range all {
					_, err := db.ResidentDocumentFile(ctx, resident(c, tc.p), id)
					if slices.Contains(tc.sees, id) != (err == nil) {
						t.Errorf("%s %s download %d: %v, want allowed=%v", c.Name, tc.p, id, err, slices.Contains(tc.sees, id))
					}
					if err != nil && !lintel.IsNotFound(err) {
						t.Errorf("%s %s download %d: %v, want not found", c.Name, tc.p, id, err)
					}
				}
			}
		}
	})
}

func TestResidentDocumentsListing(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		tenant := resident(a, testkit.Tenant)

		// Newest first, with what each is about.
		page, err := db.ResidentDocuments(ctx, tenant, sqldb.ResidentDocumentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Documents) != 2 || page.Documents[0].ID != a.ContactDocument || page.Documents[1].ID != a.LeaseDocument {
			t.Fatalf("tenant's list = %+v", page.Documents)
		}
		if ab := page.Documents[1].About; len(ab) != 1 || ab[0].Kind() != "lease" || ab[0].UnitLabel != "Apt 1" || ab[0].SharedBy != "" {
			t.Errorf("lease document is about %+v", ab)
		}
		if page.Documents[1].CompanyName != a.Name {
			t.Errorf("company = %q", page.Documents[1].CompanyName)
		}
		// Filter by category.
		page, _ = db.ResidentDocuments(ctx, tenant, sqldb.ResidentDocumentFilter{Category: lintel.DocNotice})
		if got := docIDs(page.Documents); !slices.Equal(got, []int64{a.ContactDocument}) {
			t.Errorf("notices = %v", got)
		}
		cats, err := db.ResidentDocumentCategories(ctx, tenant)
		if err != nil || !slices.Equal(cats, []lintel.DocumentCategory{lintel.DocLease, lintel.DocNotice}) {
			t.Errorf("categories = %v, %v", cats, err)
		}
		// Keyset pages.
		page, _ = db.ResidentDocuments(ctx, tenant, sqldb.ResidentDocumentFilter{Limit: 1})
		if len(page.Documents) != 1 || page.NextBefore != a.ContactDocument {
			t.Fatalf("first page = %v next %d", docIDs(page.Documents), page.NextBefore)
		}
		page, _ = db.ResidentDocuments(ctx, tenant, sqldb.ResidentDocumentFilter{Limit: 1, Before: page.NextBefore})
		if got := docIDs(page.Documents); !slices.Equal(got, []int64{a.LeaseDocument}) || page.NextBefore != 0 {
			t.Errorf("second page = %v next %d", got, page.NextBefore)
		}

		// The lease and asset pages.
		onLease, err := db.DocumentsOnLease(ctx, tenant, a.Lease)
		if err != nil || !slices.Equal(docIDs(onLease), []int64{a.LeaseDocument}) {
			t.Errorf("on lease: %v %v", docIDs(onLease), err)
		}
		if got, _ := db.DocumentsOnLease(ctx, tenant, a.EndedLease); len(got) != 0 {
			t.Errorf("tenant sees the former tenant's lease documents: %v", docIDs(got))
		}
		if got, _ := db.DocumentsOnLease(ctx, resident(a, testkit.FormerTenant), a.EndedLease); !slices.Equal(docIDs(got), []int64{a.EndedLeaseDocument}) {
			t.Errorf("former tenant on ended lease: %v", docIDs(got))
		}
		if got, _ := db.DocumentsOnLease(ctx, resident(w.B, testkit.Tenant), a.Lease); len(got) != 0 {
			t.Errorf("company B's tenant sees A's lease documents: %v", docIDs(got))
		}
		owner := resident(a, testkit.UnitOwner)
		if got, _ := db.DocumentsOnAsset(ctx, owner, a.Property, a.OwnedUnit); !slices.Equal(docIDs(got), []int64{a.UnitDocument}) {
			t.Errorf("unit owner on their unit: %v", docIDs(got))
		}
		if got, _ := db.DocumentsOnAsset(ctx, owner, a.Property, 0); !slices.Equal(docIDs(got), []int64{a.PropertyDocument}) {
			t.Errorf("unit owner on the property: %v", docIDs(got))
		}
		if got, _ := db.DocumentsOnAsset(ctx, resident(a, testkit.OtherOwner), a.Property, 0); len(got) != 0 {
			t.Errorf("other owner on the property: %v", docIDs(got))
		}

		// Unsharing and archiving take documents away.
		d, err := db.Document(ctx, admin, a.LeaseDocument)
		if err != nil || len(d.Shares) != 1 {
			t.Fatalf("document = %+v, %v", d, err)
		}
		if err := db.UnshareDocument(ctx, admin, a.LeaseDocument, d.Shares[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ResidentDocumentFile(ctx, tenant, a.LeaseDocument); !lintel.IsNotFound(err) {
			t.Errorf("unshared document still downloads: %v", err)
		}
		if err := db.ArchiveDocument(ctx, admin, a.ContactDocument); err != nil {
			t.Fatal(err)
		}
		if page, _ := db.ResidentDocuments(ctx, tenant, sqldb.ResidentDocumentFilter{}); len(page.Documents) != 0 {
			t.Errorf("after unshare and archive the tenant sees %v", docIDs(page.Documents))
		}
		// An ended ownership no longer shows the property's documents.
		if err := db.ArchiveOwnership(ctx, admin, a.Ownership); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ResidentDocuments(ctx, resident(a, testkit.PropertyOwner), sqldb.ResidentDocumentFilter{}); len(got.Documents) != 0 {
			t.Errorf("former property owner sees %v", docIDs(got.Documents))
		}
	})
}

func TestManageDocuments(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, b := w.A, w.B
		admin, book := a.Staff[testkit.Admin], a.Staff[testkit.Bookkeeper]
		file := func(key string) sqldb.NewFile {
			return sqldb.NewFile{Key: key, Name: "x.pdf", ContentType: "application/pdf", Size: 10, SHA256: "00"}
		}

		// Validation, and ids of another company refused like unknown ones.
		_, err := db.CreateDocument(ctx, admin, sqldb.NewDocument{File: file("2026/01/a"), Title: " ", Category: "bogus",
			Share: lintel.ShareTarget{LeaseID: b.Lease}}, nil)
		fe := lintel.FieldsOf(err)
		if fe["title"] == "" || fe["category"] == "" || fe["share"] == "" {
			t.Fatalf("bad document: %v", err)
		}
		_, err = db.CreateDocument(ctx, admin, sqldb.NewDocument{File: file("2026/01/a"), Title: "Pipes", Category: lintel.DocOther,
			Share: lintel.ShareTarget{ContactID: a.Operator}}, nil)
		if !strings.Contains(lintel.FieldsOf(err)["share"], "tenants and owners") {
			t.Fatalf("share with an operator: %v", err)
		}
		if _, err := db.CreateDocument(ctx, book, sqldb.NewDocument{File: file("2026/01/a"), Title: "X", Category: lintel.DocOther}, nil); !errors.Is(err, lintel.ErrForbidden) {
			t.Fatalf("bookkeeper uploads: %v", err)
		}

		id, err := db.CreateDocument(ctx, admin, sqldb.NewDocument{File: file("2026/01/b"), Title: "  Boiler   certificate ", Category: lintel.DocInspection}, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Document(ctx, book, id) // every role may look
		if err != nil || d.Title != "Boiler certificate" || len(d.Shares) != 0 || d.UploadedBy != admin.Name {
			t.Fatalf("document = %+v, %v", d, err)
		}
		if _, err := db.Document(ctx, b.Staff[testkit.Admin], id); !lintel.IsNotFound(err) {
			t.Fatalf("company B reads A's document: %v", err)
		}
		if _, err := db.StaffDocumentFile(ctx, b.Staff[testkit.Admin], id); !lintel.IsNotFound(err) {
			t.Fatalf("company B downloads A's document: %v", err)
		}
		if _, err := db.ShareDocument(ctx, b.Staff[testkit.Admin], id, lintel.ShareTarget{LeaseID: b.Lease}, nil); !lintel.IsNotFound(err) {
			t.Fatalf("company B shares A's document: %v", err)
		}
		for _, tgt := range []lintel.ShareTarget{{LeaseID: a.Lease}, {UnitID: a.Unit}, {PropertyID: a.Property}, {ContactID: a.Contacts[testkit.UnitOwner]}} {
			if _, err := db.ShareDocument(ctx, admin, id, tgt, nil); err != nil {
				t.Fatalf("share with %v: %v", tgt, err)
			}
		}
		if _, err := db.ShareDocument(ctx, admin, id, lintel.ShareTarget{LeaseID: a.Lease}, nil); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("second share on the same lease: %v", err)
		}
		d, _ = db.Document(ctx, admin, id)
		var labels []string
		for _, s := range d.Shares {
			labels = append(labels, s.Label())
		}
		want := []string{"Lease of Apt 1, Harbour House", "Apt 1, Harbour House", "Harbour House (all owners)", "Unit Owner Harbour"}
		if !slices.Equal(labels, want) {
			t.Errorf("shares = %q, want %q", labels, want)
		}
		// Unshare: another company's manager cannot, a wrong pair is 404.
		if err := db.UnshareDocument(ctx, b.Staff[testkit.Admin], id, d.Shares[0].ID); !lintel.IsNotFound(err) {
			t.Errorf("company B unshares: %v", err)
		}
		if err := db.UnshareDocument(ctx, admin, a.LeaseDocument, d.Shares[0].ID); !lintel.IsNotFound(err) {
			t.Errorf("unshare through another document: %v", err)
		}
		if err := db.UnshareDocument(ctx, admin, id, d.Shares[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.UnshareDocument(ctx, admin, id, d.Shares[0].ID); !lintel.IsNotFound(err) {
			t.Errorf("unshare twice: %v", err)
		}
		on, err := db.DocumentsSharedOn(ctx, admin, lintel.ShareTarget{PropertyID: a.Property})
		if err != nil || len(on) != 2 || on[0].ID != id || on[1].ID != a.PropertyDocument {
			t.Errorf("shared on the property: %+v %v", on, err)
		}
		log, err := db.AuditLog(ctx, admin, "document", id, 20)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if !slices.Contains(actions, "document.unshare") || !slices.Contains(actions, "document.share") || !slices.Contains(actions, "document.upload") {
			t.Errorf("audit = %v", actions)
		}

		// Edit and archive.
		if err := db.UpdateDocument(ctx, admin, id, "Boiler certificate 2026", lintel.DocInsurance); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateDocument(ctx, b.Staff[testkit.Admin], id, "Mine", lintel.DocOther); !lintel.IsNotFound(err) {
			t.Errorf("company B edits: %v", err)
		}
		list, err := db.Documents(ctx, admin, sqldb.DocumentFilter{Category: lintel.DocInsurance})
		if err != nil || len(list.Documents) != 1 || list.Documents[0].Title != "Boiler certificate 2026" || len(list.Documents[0].Shares) != 3 {
			t.Fatalf("insurance list = %+v, %v", list, err)
		}
		if err := db.ArchiveDocument(ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ShareDocument(ctx, admin, id, lintel.ShareTarget{LeaseID: a.Lease}, nil); lintel.KindOf(err) != lintel.KindConflict {
			t.Errorf("share an archived document: %v", err)
		}
		list, _ = db.Documents(ctx, admin, sqldb.DocumentFilter{})
		for _, d := range list.Documents {
			if d.ID == id {
				t.Error("archived document still listed")
			}
			if d.CompanyID != a.ID {
				t.Errorf("company A's list has %+v", d)
			}
		}
		if arch, _ := db.Documents(ctx, admin, sqldb.DocumentFilter{Archived: true}); len(arch.Documents) != 1 || arch.Documents[0].ID != id {
			t.Errorf("archived list = %+v", arch.Documents)
		}
		// Keyset pages over the five fixture documents.
		p1, _ := db.Documents(ctx, admin, sqldb.DocumentFilter{Limit: 3})
		p2, _ := db.Documents(ctx, admin, sqldb.DocumentFilter{Limit: 3, Before: p1.NextBefore})
		if len(p1.Documents) != 3 || len(p2.Documents) != 2 || p2.NextBefore != 0 || p2.Documents[0].ID >= p1.Documents[2].ID {
			t.Errorf("pages: %d then %d (next %d)", len(p1.Documents), len(p2.Documents), p2.NextBefore)
		}
	})
}

// Sharing mails each address once, respects the opt-out, and a failure
// rolls everything back, the e-mails included (SECURITY.md 30).
func TestShareDocumentEmails(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		var notices []sqldb.DocumentNotice
		mailer := func(n sqldb.DocumentNotice) (lintel.Email, error) {
			notices = append(notices, n)
			return lintel.Email{Kind: "document_shared", To: n.To, ToName: n.ToName, Subject: "New document: " + n.Title, Text: n.About.Label(), AttachmentFileID: n.FileID}, nil
		}
		file := sqldb.NewFile{Key: "2026/01/mail", Name: "rules.pdf", ContentType: "application/pdf", Size: 10, SHA256: "00"}

		// The unit owner opted out of document e-mails.
		if err := db.SetNotifyDocumentsForTest(ctx, a.Emails[testkit.UnitOwner], false); err != nil {
			t.Fatal(err)
		}
		id, err := db.CreateDocument(ctx, admin, sqldb.NewDocument{File: file, Title: "House rules", Category: lintel.DocRules,
			Share: lintel.ShareTarget{PropertyID: a.Property}}, mailer)
		if err != nil {
			t.Fatal(err)
		}
		if len(notices) != 1 || notices[0].To != a.Emails[testkit.PropertyOwner] || notices[0].About.Kind() != "property" || notices[0].CompanyName != a.Name {
			t.Fatalf("notices = %+v", notices)
		}
		ms := docEmails(t, db, a.Emails[testkit.PropertyOwner])
		if len(ms) != 1 || ms[0].AttachmentFileID == 0 || ms[0].CompanyID != a.ID {
			t.Fatalf("queued = %+v", ms)
		}
		if ms := docEmails(t, db, a.Emails[testkit.UnitOwner]); len(ms) != 0 {
			t.Errorf("opted-out owner got %d e-mails", len(ms))
		}
		// Reached again through the unit: no second e-mail.
		if _, err := db.ShareDocument(ctx, admin, id, lintel.ShareTarget{UnitID: a.OwnedUnit}, mailer); err != nil {
			t.Fatal(err)
		}
		if ms := docEmails(t, db, a.Emails[testkit.PropertyOwner]); len(ms) != 1 {
			t.Errorf("property owner got %d e-mails for one document", len(ms))
		}
		// Both tenants of a lease, the former tenant's lease too.
		notices = nil
		if _, err := db.ShareDocument(ctx, admin, id, lintel.ShareTarget{LeaseID: a.Lease}, mailer); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ShareDocument(ctx, admin, id, lintel.ShareTarget{LeaseID: a.EndedLease}, mailer); err != nil {
			t.Fatal(err)
		}
		var to []string
		for _, n := range notices {
			to = append(to, n.To)
		}
		slices.Sort(to)
		if want := sorted2(a.Emails[testkit.Cotenant], a.Emails[testkit.FormerTenant], a.Emails[testkit.Tenant]); !slices.Equal(to, want) {
			t.Errorf("lease shares mailed %v, want %v", to, want)
		}

		// A failing mailer rolls the upload back: no document, no e-mail.
		before, _ := db.Documents(ctx, admin, sqldb.DocumentFilter{})
		boom := errors.New("template broke")
		calls := 0
		_, err = db.CreateDocument(ctx, admin, sqldb.NewDocument{File: sqldb.NewFile{Key: "2026/01/boom", Name: "b.pdf", ContentType: "application/pdf", Size: 1, SHA256: "00"},
			Title: "Notice", Category: lintel.DocNotice, Share: lintel.ShareTarget{LeaseID: a.Lease}},
			func(n sqldb.DocumentNotice) (lintel.Email, error) {
				calls++
				if calls == 2 {
					return lintel.Email{}, boom
				}
				return mailer(n)
			})
		if !errors.Is(err, boom) {
			t.Fatalf("failing mailer: %v", err)
		}
		after, _ := db.Documents(ctx, admin, sqldb.DocumentFilter{})
		if len(after.Documents) != len(before.Documents) {
			t.Error("a failed share left a document behind")
		}
		for _, p := range []testkit.Persona{testkit.Tenant, testkit.Cotenant} {
			for _, m := range docEmails(t, db, a.Emails[p]) {
				if strings.Contains(m.Subject, "Notice") {
					t.Errorf("rolled-back share mailed %s", p)
				}
			}
		}
	})
}

func sorted2(s ...string) []string {
	slices.Sort(s)
	return s
}

// docEmails are the document e-mails queued for to.
func docEmails(t *testing.T, db *sqldb.DB, to string) []lintel.Email {
	t.Helper()
	ms, err := db.QueuedEmails(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	var out []lintel.Email
	for _, m := range ms {
		if m.Kind == "document_shared" {
			out = append(out, m)
		}
	}
	return out
}
