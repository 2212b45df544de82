package web

import (
	"net/http"

	"lintel.dev/lintel/internal/lintel"
)

// access says who may reach a route. Scope (which rows) is decided in the
// store; access decides who gets past the door.
type access int

const (
	public     access = iota // anyone, signed in or not
	signedIn                 // any signed-in user
	resident                 // a signed-in user, acting in the portal
	staffView                // staff of the session's company, any role
	staffEdit                // staff who may edit records
	staffAdmin               // company administrators
	devOnly                  // the dev mailbox: admin or loopback, and only without SMTP
)

// route is one entry of the surface.
type route struct {
	method  string
	pattern string
	access  access
	handle  handlerFunc
}

// RouteInfo describes a route for tests (the access matrix walks them all).
type RouteInfo struct {
	Method, Pattern string
}

// Routes lists every route the server answers.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{r.method, r.pattern})
	}
	return out
}

// routes is the whole HTTP surface of Lintel, in one place.
func (s *Server) routes() []route {
	var all []route
	for _, part := range [][]route{s.foundationRoutes(), s.secondFactorRoutes(), s.maintenanceRoutes(), s.portalRoutes(), s.billingRoutes()} {
		all = append(all, part...)
	}
	return all
}

// foundationRoutes are identity, records and operations.
func (s *Server) foundationRoutes() []route {
	return []route{
		// Operations.
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.serveMetrics},

		// Home: each person lands in their own app.
		{"GET", "/{$}", public, s.home},

		// Identity: sign-in, sign-up, password reset, staff invitations.
		{"GET", "/login", public, s.loginForm},
		{"POST", "/login", public, s.loginSubmit},
		{"POST", "/logout", public, s.logout},
		{"GET", "/signup", public, s.signupForm},
		{"POST", "/signup", public, s.signupSubmit},
		{"GET", "/signup/verify", public, s.signupVerifyForm},
		{"POST", "/signup/verify", public, s.signupVerifySubmit},
		{"GET", "/password/forgot", public, s.forgotForm},
		{"POST", "/password/forgot", public, s.forgotSubmit},
		{"GET", "/password/reset", public, s.resetForm},
		{"POST", "/password/reset", public, s.resetSubmit},
		{"GET", "/invite", public, s.inviteForm},
		{"POST", "/invite", public, s.inviteAccept},
		{"GET", "/manage/staff", staffAdmin, s.staffList},
		{"POST", "/manage/staff/invite", staffAdmin, s.staffInvite},
		{"POST", "/manage/staff/invites/revoke", staffAdmin, s.staffRevokeInvite},
		{"POST", "/manage/staff/{id}/role", staffAdmin, s.staffSetRole},
		{"POST", "/manage/staff/{id}/disable", staffAdmin, s.staffDisable},
		{"POST", "/manage/staff/{id}/enable", staffAdmin, s.staffEnable},
		{"GET", "/manage/settings", staffAdmin, s.companySettings},
		{"POST", "/manage/settings", staffAdmin, s.updateCompanySettings},
		// Manager app: dashboard, properties, units, ownerships.
		{"GET", "/manage", staffView, s.manageDashboard},
		{"GET", "/manage/emails/undelivered", staffView, s.manageUndelivered},
		{"GET", "/manage/properties", staffView, s.manageProperties},
		{"GET", "/manage/properties/new", staffEdit, s.newPropertyForm},
		{"POST", "/manage/properties", staffEdit, s.createProperty},
		{"GET", "/manage/properties/{id}", staffView, s.manageProperty},
		{"GET", "/manage/properties/{id}/edit", staffEdit, s.editPropertyForm},
		{"POST", "/manage/properties/{id}", staffEdit, s.updateProperty},
		{"POST", "/manage/properties/{id}/archive", staffEdit, s.archiveProperty},
		{"POST", "/manage/properties/{id}/unarchive", staffEdit, s.unarchiveProperty},
		{"GET", "/manage/properties/{id}/units/new", staffEdit, s.newUnitForm},
		{"POST", "/manage/properties/{id}/units", staffEdit, s.createUnit},
		{"GET", "/manage/units", staffView, s.manageUnits},
		{"GET", "/manage/units/{id}", staffView, s.manageUnit},
		{"GET", "/manage/units/{id}/edit", staffEdit, s.editUnitForm},
		{"POST", "/manage/units/{id}", staffEdit, s.updateUnit},
		{"POST", "/manage/units/{id}/archive", staffEdit, s.archiveUnit},
		{"POST", "/manage/units/{id}/unarchive", staffEdit, s.unarchiveUnit},
		{"GET", "/manage/properties/{id}/owners/new", staffEdit, s.newOwnershipForm},
		{"POST", "/manage/properties/{id}/owners", staffEdit, s.createOwnership},
		{"POST", "/manage/ownerships/{id}/archive", staffEdit, s.archiveOwnership},
		// Manager app: contacts (tenants, owners, operators) and leases.
		{"GET", "/manage/contacts", staffView, s.manageContacts},
		{"GET", "/manage/contacts/new", staffEdit, s.newContactForm},
		{"POST", "/manage/contacts", staffEdit, s.createContact},
		{"GET", "/manage/contacts/{id}", staffView, s.manageContact},
		{"GET", "/manage/contacts/{id}/edit", staffEdit, s.editContactForm},
		{"POST", "/manage/contacts/{id}", staffEdit, s.updateContact},
		{"POST", "/manage/contacts/{id}/archive", staffEdit, s.archiveContact},
		{"POST", "/manage/contacts/{id}/unarchive", staffEdit, s.unarchiveContact},
		{"GET", "/manage/leases", staffView, s.manageLeases},
		{"GET", "/manage/leases/new", staffEdit, s.newLeaseForm},
		{"POST", "/manage/leases", staffEdit, s.createLease},
		{"GET", "/manage/leases/{id}", staffView, s.manageLease},
		{"GET", "/manage/leases/{id}/edit", staffEdit, s.editLeaseForm},
		{"POST", "/manage/leases/{id}", staffEdit, s.updateLease},
		{"POST", "/manage/leases/{id}/tenants", staffEdit, s.addLeaseTenant},
		{"POST", "/manage/leases/{id}/tenants/{contact}/remove", staffEdit, s.removeLeaseTenant},
		{"POST", "/manage/leases/{id}/end", staffEdit, s.endLease},
		{"POST", "/manage/leases/{id}/archive", staffEdit, s.archiveLease},
		{"POST", "/manage/switch-company", signedIn, s.switchCompany},
		{"GET", "/portal", resident, s.portalHome},
		{"POST", "/manage/contacts/{id}/invite", staffEdit, s.contactPortalInvite},

		// The development mailbox: only without SMTP, only for admins or loopback.
		{"GET", "/dev/mailbox", devOnly, s.devMailbox},
		{"GET", "/dev/mailbox/{id}", devOnly, s.devMailboxMessage},
		{"GET", "/dev/mailbox/{id}/html", devOnly, s.devMailboxHTML},
	}
}

// permFor maps an access level to the staff permission it needs.
func permFor(a access) (lintel.Permission, bool) {
	switch a {
	case staffView:
		return lintel.PermViewRecords, true
	case staffEdit:
		return lintel.PermEditRecords, true
	case staffAdmin:
		return lintel.PermManageStaff, true
	}
	return 0, false
}

func (s *Server) buildMux() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.pattern, s.guard(rt.access, rt.handle))
	}
	mux.Handle("GET /static/", s.static())
	mux.Handle("/", s.wrap(s.notFound))
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, &lintel.Error{Kind: lintel.KindForbidden, Message: "This form was sent from another site, so it was refused. Go back, reload the page and try again."})
	}))
	return s.withClientAddr(s.requestID(s.logRequests(s.recoverPanics(s.securityHeaders(csrf.Handler(s.loadSession(s.metrics.observe(mux))))))))
}
