package testkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// Password is the password of every fixture user.
const Password = "harbour lights at dusk 7"

// passwordHash is computed once, at the lowest cost (see HashPassword).
var passwordHash = HashPassword(Password)

// Persona names one kind of actor of the access matrix (DESIGN.md, Tests).
type Persona string

const (
	Anonymous     Persona = "anonymous"
	Admin         Persona = "admin"          // admin of the company
	Bookkeeper    Persona = "bookkeeper"     // staff, may not edit records
	Maintenance   Persona = "maintenance"    // staff, dispatch only
	Tenant        Persona = "tenant"         // on the active lease of Unit
	Cotenant      Persona = "cotenant"       // on the same lease
	OtherTenant   Persona = "other-tenant"   // on the lease of OtherUnit
	FormerTenant  Persona = "former-tenant"  // on the ended lease of Unit
	PropertyOwner Persona = "property-owner" // owns Property (60%)
	UnitOwner     Persona = "unit-owner"     // owns OwnedUnit of Property only
	OtherOwner    Persona = "other-owner"    // owns OtherProperty
)

// Company is one fixture company: a property with a leased unit, a
// separately owned unit and a common area; a second property with its own
// owner and tenant; an operator; staff of every role and a portal login
// for every resident persona.
type Company struct {
	ID            int64
	Name          string
	Currency      string
	Staff         map[Persona]lintel.Staff // Admin, Bookkeeper, Maintenance
	Users         map[Persona]int64        // every persona but Anonymous → user id
	Emails        map[Persona]string
	Contacts      map[Persona]int64 // resident personas → contact id
	Property      int64
	Unit          int64 // leased to Tenant and Cotenant; earlier to FormerTenant
	OwnedUnit     int64 // owned by UnitOwner
	CommonArea    int64
	OtherProperty int64
	OtherUnit     int64 // leased to OtherTenant
	Lease         int64 // active, Tenant + Cotenant
	EndedLease    int64 // FormerTenant
	OtherLease    int64 // OtherTenant
	Operator      int64 // contact id
	Ownership     int64 // PropertyOwner's

	// Maintenance.
	Operator2        int64  // a second operator (electrician), for reassigning
	Plumbing         int64  // category id
	PlumbingQuestion int64  // the first troubleshooting question of Plumbing
	Request          int64  // Tenant's, on Unit; assigned to Operator
	Visit            int64  // Operator's open visit on Request
	VisitToken       string // the raw contractor link token of Visit
	OwnerRequest     int64  // UnitOwner's, on OwnedUnit; submitted
	OtherRequest     int64  // OtherTenant's, on OtherUnit; assigned to Operator2
	OtherVisit       int64  // Operator2's open visit on OtherRequest
	OtherVisitToken  string // the raw contractor link token of OtherVisit

	// Owner approval.
	ApprovalRequest int64  // Tenant's, on CommonArea; awaiting the owners' approval
	Approval        int64  // the pending approval of ApprovalRequest, asked of PropertyOwner (not UnitOwner)
	ApprovalToken   string // PropertyOwner's raw one-click link token for Approval

	// Shared documents (PDFs whose bytes are FixturePDF; only the rows
	// exist until a test stores the blobs under DocumentKeys).
	LeaseDocument      int64 // on Lease: Tenant and Cotenant
	EndedLeaseDocument int64 // on EndedLease: FormerTenant keeps it
	UnitDocument       int64 // on OwnedUnit: UnitOwner, and PropertyOwner (owns the whole property)
	PropertyDocument   int64 // on Property: PropertyOwner and UnitOwner (all its owners)
	ContactDocument    int64 // to Tenant's contact only
	OtherDocument      int64 // the other company's LeaseDocument: never visible here
	DocumentKeys       []string
}

// World is two look-alike companies: whatever A can see, B's people must
// not (SECURITY.md 11).
type World struct {
	A, B *Company
}

// NewWorld builds two look-alike companies in db.
func NewWorld(t testing.TB, db *sqldb.DB) *World {
	t.Helper()
	w := &World{A: NewCompany(t, db, "Harbour Lettings", "harbour"), B: NewCompany(t, db, "Ridge Lettings", "ridge")}
	w.A.OtherDocument, w.B.OtherDocument = w.B.LeaseDocument, w.A.LeaseDocument
	return w
}

// FixturePDF is the content of every fixture document: a small valid PDF.
var FixturePDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// addDocuments shares one fixture document with each kind of target.
func addDocuments(t testing.TB, db *sqldb.DB, c *Company) {
	t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256(FixturePDF)
	doc := func(title string, cat lintel.DocumentCategory, to lintel.ShareTarget) int64 {
		t.Helper()
		key := blob.NewKey()
		c.DocumentKeys = append(c.DocumentKeys, key)
		id, err := db.CreateDocument(ctx, c.Staff[Admin], sqldb.NewDocument{
			File:  sqldb.NewFile{Key: key, Name: strings.ReplaceAll(strings.ToLower(title), " ", "-") + ".pdf", ContentType: "application/pdf", Size: int64(len(FixturePDF)), SHA256: hex.EncodeToString(sum[:])},
			Title: title, Category: cat, Share: to}, nil)
		if err != nil {
			t.Fatalf("fixture %s: document %q: %v", c.Name, title, err)
		}
		return id
	}
	c.LeaseDocument = doc("Lease agreement", lintel.DocLease, lintel.ShareTarget{LeaseID: c.Lease})
	c.EndedLeaseDocument = doc("Lease agreement 2020", lintel.DocLease, lintel.ShareTarget{LeaseID: c.EndedLease})
	c.UnitDocument = doc("Apt 2 inspection", lintel.DocInspection, lintel.ShareTarget{UnitID: c.OwnedUnit})
	c.PropertyDocument = doc("Building rules", lintel.DocRules, lintel.ShareTarget{PropertyID: c.Property})
	c.ContactDocument = doc("Rent notice", lintel.DocNotice, lintel.ShareTarget{ContactID: c.Contacts[Tenant]})
}

// NewCompany builds one fixture company; slug makes its e-mails unique
// (admin@<slug>.test, tenant@<slug>.test, ...).
func NewCompany(t testing.TB, db *sqldb.DB, name, slug string) *Company {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture %s: %v", name, err)
		}
	}
	id := func(v int64, err error) int64 {
		t.Helper()
		must(err)
		return v
	}
	email := func(p Persona) string { return string(p) + "@" + slug + ".test" }
	c := &Company{Name: name, Currency: "USD", Staff: map[Persona]lintel.Staff{}, Users: map[Persona]int64{}, Emails: map[Persona]string{}, Contacts: map[Persona]int64{}}

	var adminID int64
	var err error
	c.ID, adminID, err = db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: name, Currency: c.Currency, AdminEmail: email(Admin), AdminName: "Ada " + title(slug), PasswordHash: passwordHash})
	must(err)
	c.Users[Admin], c.Emails[Admin] = adminID, email(Admin)
	c.Staff[Admin] = lintel.Staff{UserID: adminID, CompanyID: c.ID, Role: lintel.RoleAdmin, Name: "Ada " + title(slug)}
	for p, role := range map[Persona]lintel.Role{Bookkeeper: lintel.RoleBookkeeper, Maintenance: lintel.RoleMaintenance} {
		uid := id(db.CreateUser(ctx, sqldb.NewUser{Email: email(p), Name: title(string(p)) + " " + title(slug), PasswordHash: passwordHash, Verified: true}))
		must(db.AddStaffMember(ctx, c.ID, uid, role))
		c.Users[p], c.Emails[p] = uid, email(p)
		c.Staff[p] = lintel.Staff{UserID: uid, CompanyID: c.ID, Role: role, Name: title(string(p))}
	}
	admin := c.Staff[Admin]

	c.Property = id(db.CreateProperty(ctx, admin, lintel.Property{Name: title(slug) + " House", Kind: lintel.KindResidential, AddressLine1: "1 " + title(slug) + " Road", City: "Springfield", PostalCode: "12345", Country: "US"}, nil))
	c.Unit = id(db.CreateUnit(ctx, admin, lintel.Unit{PropertyID: c.Property, Label: "Apt 1"}))
	c.OwnedUnit = id(db.CreateUnit(ctx, admin, lintel.Unit{PropertyID: c.Property, Label: "Apt 2"}))
	c.CommonArea = id(db.CreateUnit(ctx, admin, lintel.Unit{PropertyID: c.Property, Label: "Laundry room", CommonArea: true}))
	c.OtherProperty = id(db.CreateProperty(ctx, admin, lintel.Property{Name: title(slug) + " Court", Kind: lintel.KindResidential, AddressLine1: "2 " + title(slug) + " Road", City: "Springfield", PostalCode: "12345", Country: "US"}, nil))
	c.OtherUnit = id(db.CreateUnit(ctx, admin, lintel.Unit{PropertyID: c.OtherProperty, Label: "Unit A"}))

	residents := []struct {
		p             Persona
		tenant, owner bool
	}{
		{Tenant, true, false}, {Cotenant, true, false}, {OtherTenant, true, false}, {FormerTenant, true, false},
		{PropertyOwner, false, true}, {UnitOwner, false, true}, {OtherOwner, false, true},
	}
	for _, r := range residents {
		name := title(strings.ReplaceAll(string(r.p), "-", " ")) + " " + title(slug)
		c.Contacts[r.p] = id(db.CreateContact(ctx, admin, lintel.Contact{Name: name, IsTenant: r.tenant, IsOwner: r.owner,
			Emails: []lintel.ContactEmail{{Email: email(r.p)}}, Phones: []lintel.ContactPhone{{Phone: "+1 555 0100"}}}))
		c.Users[r.p] = id(db.CreateUser(ctx, sqldb.NewUser{Email: email(r.p), Name: name, PasswordHash: passwordHash, Verified: true}))
		c.Emails[r.p] = email(r.p)
	}
	c.Operator = id(db.CreateContact(ctx, admin, lintel.Contact{Name: "Pipes " + title(slug), IsOperator: true, Trades: "plumbing",
		Emails: []lintel.ContactEmail{{Email: "pipes@" + slug + ".test"}}}))

	day := func(s string) lintel.Date {
		d, err := lintel.ParseDate(s)
		must(err)
		return d
	}
	today := lintel.DateOf(db.Now())
	c.EndedLease = id(db.CreateLease(ctx, admin, lintel.Lease{UnitID: c.Unit, Start: day("2020-01-01"), End: day("2020-12-31"), RentMinor: 90000, RentDueDay: 1}, []int64{c.Contacts[FormerTenant]}, nil))
	c.Lease = id(db.CreateLease(ctx, admin, lintel.Lease{UnitID: c.Unit, Start: today.AddDays(-200), MonthToMonth: true, RentMinor: 120000, RentDueDay: 1, DepositMinor: 120000}, []int64{c.Contacts[Tenant], c.Contacts[Cotenant]}, nil))
	c.OtherLease = id(db.CreateLease(ctx, admin, lintel.Lease{UnitID: c.OtherUnit, Start: today.AddDays(-30), End: today.AddDays(335), RentMinor: 100000, RentDueDay: 5}, []int64{c.Contacts[OtherTenant]}, nil))

	c.Ownership = id(db.CreateOwnership(ctx, admin, lintel.Ownership{ContactID: c.Contacts[PropertyOwner], PropertyID: c.Property, ShareBP: 6000}))
	_ = id(db.CreateOwnership(ctx, admin, lintel.Ownership{ContactID: c.Contacts[UnitOwner], PropertyID: c.Property, UnitID: c.OwnedUnit, ShareBP: 10000}))
	_ = id(db.CreateOwnership(ctx, admin, lintel.Ownership{ContactID: c.Contacts[OtherOwner], PropertyID: c.OtherProperty, ShareBP: 10000}))

	c.Operator2 = id(db.CreateContact(ctx, admin, lintel.Contact{Name: "Sparks " + title(slug), IsOperator: true, Trades: "electrical",
		Emails: []lintel.ContactEmail{{Email: "sparks@" + slug + ".test"}}}))
	cats, err := db.Categories(ctx, admin)
	must(err)
	var plumbing lintel.Category
	for _, cat := range cats {
		if cat.Name == "Plumbing" {
			plumbing = cat
		}
	}
	c.Plumbing, c.PlumbingQuestion = plumbing.ID, plumbing.Questions[0].ID
	answers := map[int64]string{}
	for _, q := range plumbing.Questions {
		if q.Kind == lintel.QuestionYesNo {
			answers[q.ID] = "yes"
		} else {
			answers[q.ID] = "Kitchen"
		}
	}
	resident := func(p Persona) lintel.Resident {
		return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p], Name: string(p)}
	}
	submit := func(p Persona, property, unit int64, summary string) int64 {
		t.Helper()
		return id(db.SubmitRequest(ctx, resident(p), c.ID, sqldb.NewRequest{PropertyID: property, UnitID: unit, CategoryID: c.Plumbing,
			Summary: summary, Description: summary + ", since yesterday.", AccessTimes: []string{"Weekday mornings"},
			PermissionToEnter: true, Pets: "A friendly cat", Answers: answers}, nil, nil))
	}
	assign := func(request, operator int64) (int64, string) {
		t.Helper()
		raw, hash := auth.NewToken()
		return id(db.AssignOperator(ctx, admin, request, 0, sqldb.Dispatch{OperatorID: operator, TokenHash: hash}, nil)), raw
	}
	c.Request = submit(Tenant, c.Property, c.Unit, "Kitchen tap drips")
	c.Visit, c.VisitToken = assign(c.Request, c.Operator)
	c.OwnerRequest = submit(UnitOwner, c.Property, c.OwnedUnit, "Bathroom fan is noisy")
	c.OtherRequest = submit(OtherTenant, c.OtherProperty, c.OtherUnit, "Shower drain is slow")
	c.OtherVisit, c.OtherVisitToken = assign(c.OtherRequest, c.Operator2)

	// A common area's work is the whole property's owners' to approve.
	c.ApprovalRequest = submit(Tenant, c.Property, c.CommonArea, "Dryer in the laundry room does not heat")
	asked, err := db.RequestApproval(ctx, admin, c.ApprovalRequest, 0, sqldb.NewApproval{EstimateMinor: 85000, Notes: "Replace the heating element."},
		func(n sqldb.ApprovalNotice) (sqldb.OwnerMail, error) {
			raw, hash := auth.NewToken()
			if n.Owner.ContactID == c.Contacts[PropertyOwner] {
				c.ApprovalToken = raw
			}
			return sqldb.OwnerMail{TokenHash: hash, Email: lintel.Email{DedupeKey: "fixture-approval:" + hash, Kind: "approval_request",
				To: n.Owner.Email, ToName: n.Owner.Name, Subject: "Your approval is needed: " + n.Request.Summary,
				Text: "Fixture approval request.", HTML: "<p>Fixture approval request.</p>"}}, nil
		})
	must(err)
	c.Approval = asked.ID
	addDocuments(t, db, c)
	return c
}

// title upper-cases the first letter of each word.
func title(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		f[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(f, " ")
}
