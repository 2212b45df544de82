package web

import (
	"fmt"
	"net/http"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// nextStep is one "what to do next" suggestion on the dashboard.
type nextStep struct {
	Text   string // what and why, in plain words
	Action string // the link's words
	Href   string
}

type dashboardPage struct {
	Page
	Company lintel.Company
	Counts  sqldb.DashboardCounts
	Vacant  int
	Steps   []nextStep
	CanEdit bool
	IsAdmin bool
	// Undelivered is set when some of the company's e-mails could not be
	// delivered: a person is waiting for a message that will not come.
	Undelivered bool
	// MailDelay counts the mail waiting longer than sqldb.MailDelayedAfter
	// (a mail server refusing for now); MailWaiting says how long the
	// oldest has.
	MailDelay   sqldb.MailDelay
	MailWaiting string
	// Maintenance is what waits for the dispatchers (manage_maintenance.go).
	Maintenance sqldb.MaintenanceCounts
}

// manageDashboard is the manager app's home: the numbers, and what to do
// next in the order a new company would do it.
func (s *Server) manageDashboard(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	c, err := s.db.DashboardCounts(ctx, st)
	if err != nil {
		return err
	}
	p := &dashboardPage{
		Page:    Page{Title: "Dashboard", Area: "manage", Nav: "dashboard"},
		Company: company, Counts: c, Vacant: max(c.Units-c.OccupiedUnits, 0),
		CanEdit: st.Can(lintel.PermEditRecords), IsAdmin: st.Can(lintel.PermManageStaff),
	}
	if p.CanEdit {
		p.Steps = nextSteps(c)
	}
	failed, err := s.db.UndeliveredEmails(ctx, st, 0, 1)
	if err != nil {
		return err
	}
	p.Undelivered = len(failed.Emails) > 0
	if p.MailDelay, err = s.db.MailDelayOf(ctx, st); err != nil {
		return err
	}
	if p.MailDelay.Count > 0 {
		p.MailWaiting = ageText(s.cfg.Now().Sub(p.MailDelay.Oldest))
	}
	if p.Maintenance, err = s.db.CountMaintenance(ctx, st); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "manage/dashboard.html", p)
}

// nextSteps picks what a manager should do next from the counts: first the
// set-up a new company walks through, one step at a time, then the
// day-to-day loose ends.
func nextSteps(c sqldb.DashboardCounts) []nextStep {
	switch {
	case c.Properties == 0:
		return []nextStep{{"You have no properties yet. Start with one building or house; you can add its units in the same step.", "Add your first property", "/manage/properties/new"}}
	case c.Units == 0:
		return []nextStep{{"Your properties have no rentable units yet. Add the apartments, suites or houses you let.", "Add units", "/manage/properties"}}
	case c.Tenants == 0:
		return []nextStep{{"No tenants yet. Record the people who rent from you, with their e-mail, so they can use the portal.", "Add a tenant", "/manage/contacts/new?role=tenant"}}
	case c.ActiveLeases == 0 && c.UpcomingLeases == 0:
		return []nextStep{{"No leases yet. A lease ties tenants to a unit, with the rent and its due day.", "Start a lease", "/manage/leases/new"}}
	}
	var steps []nextStep
	if c.TenantsNotAsked > 0 {
		steps = append(steps, nextStep{dashPlural(c.TenantsNotAsked, "tenant on a current lease has", "tenants on current leases have") + " not been invited to the portal yet.", "Invite tenants", "/manage/contacts?role=tenant"})
	}
	if c.EndingSoon > 0 {
		steps = append(steps, nextStep{fmt.Sprintf("%s in the next %d days. Renew, or plan the move-out.", dashPlural(c.EndingSoon, "lease ends", "leases end"), sqldb.EndingSoonDays), "See leases", "/manage/leases"})
	}
	if vacant := c.Units - c.OccupiedUnits; vacant > 0 {
		steps = append(steps, nextStep{dashPlural(vacant, "unit is", "units are") + " vacant today.", "See vacant units", "/manage/units?occupancy=vacant"})
	}
	if c.Unowned > 0 {
		steps = append(steps, nextStep{dashPlural(c.Unowned, "property has", "properties have") + " no owner recorded. Owners approve maintenance and see their statements.", "See properties", "/manage/properties"})
	}
	if c.Owners == 0 {
		steps = append(steps, nextStep{"No owners recorded yet.", "Add an owner", "/manage/contacts/new?role=owner"})
	}
	return steps
}

// dashPlural writes "1 unit is" or "3 units are".
func dashPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
