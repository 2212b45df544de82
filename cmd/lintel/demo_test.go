package main

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var demoTaskLink = regexp.MustCompile(`(?m)^demo task link: (http://localhost:8080/t/[A-Za-z0-9_-]{40,})\n`)

var demoLoginLine = regexp.MustCompile(`^demo login: (manager|tenant|cotenant|owner|other-manager) (\S+@\S+) (\S+)$`)

func TestSeedDemo(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		base := &url.URL{Scheme: "http", Host: "localhost:8080"}
		var first, second bytes.Buffer
		if err := seedDemo(ctx, db, base, &first); err != nil {
			t.Fatal(err)
		}
		// Visits change on every run: the task link is renewed (only its
		// hash is stored, so an old link cannot be printed again).
		before, err := db.Snapshot(ctx, "visits")
		if err != nil {
			t.Fatal(err)
		}
		if err := seedDemo(ctx, db, base, &second); err != nil {
			t.Fatal(err)
		}
		after, err := db.Snapshot(ctx, "visits")
		if err != nil {
			t.Fatal(err)
		}
		for table, rows := range before {
			if after[table] != rows {
				t.Errorf("the second run changed table %s: %d rows before, %d after", table, strings.Count(rows, "\n"), strings.Count(after[table], "\n"))
			}
		}
		firstLink, secondLink := demoTaskLink.FindStringSubmatch(first.String()), demoTaskLink.FindStringSubmatch(second.String())
		if firstLink == nil || secondLink == nil || firstLink[1] == secondLink[1] {
			t.Fatalf("want one fresh task link per run, got %q and %q", firstLink, secondLink)
		}
		// The latest link opens an open visit of a demo operator; the earlier one is dead.
		token := func(link string) string { return link[strings.LastIndex(link, "/")+1:] }
		task, err := db.ContractorTask(ctx, auth.HashToken(token(secondLink[1])))
		if err != nil {
			t.Fatalf("the printed task link does not open a task: %v", err)
		}
		if !task.Request.Status.Open() || (task.Visit.Status != lintel.VisitAssigned && task.Visit.Status != lintel.VisitScheduled) || task.Visit.OperatorName == "" {
			t.Errorf("the task link opens visit %+v of request %s", task.Visit, task.Request.Status)
		}
		if _, err := db.ContractorTask(ctx, auth.HashToken(token(firstLink[1]))); err == nil {
			t.Error("the task link of the first run still works after the second")
		}
		if demoTaskLink.ReplaceAllString(first.String(), "") != demoTaskLink.ReplaceAllString(second.String(), "") {
			t.Errorf("the runs printed different output:\n%s\n---\n%s", first.String(), second.String())
		}

		// Exactly five login lines, in order, and the mailbox.
		logins := map[string][2]string{}
		var personas []string
		for _, line := range strings.Split(strings.TrimSpace(first.String()), "\n") {
			if m := demoLoginLine.FindStringSubmatch(line); m != nil {
				logins[m[1]] = [2]string{m[2], m[3]}
				personas = append(personas, m[1])
			} else if !strings.HasPrefix(line, "demo mailbox: http://localhost:8080/dev/mailbox") && !demoTaskLink.MatchString(line+"\n") {
				t.Errorf("unexpected output line %q", line)
			}
		}
		if strings.Join(personas, " ") != "manager tenant cotenant owner other-manager" {
			t.Fatalf("personas = %v\n%s", personas, first.String())
		}

		// Every login works: a verified user whose password is the one printed.
		for persona, l := range logins {
			u, err := db.UserByEmail(ctx, l[0])
			if err != nil {
				t.Fatalf("%s: %v", persona, err)
			}
			if u.EmailVerified.IsZero() || !auth.CheckPassword(u.PasswordHash, l[1]) {
				t.Errorf("%s %s: verified %v, password matches %v", persona, l[0], !u.EmailVerified.IsZero(), auth.CheckPassword(u.PasswordHash, l[1]))
			}
			if err := auth.CheckNewPassword(l[1], l[0]); err != nil {
				t.Errorf("%s: the demo password breaks the policy: %v", persona, err)
			}
		}
		manager := demoStaff(t, db, logins["manager"][0])
		other := demoStaff(t, db, logins["other-manager"][0])
		if manager.CompanyID == other.CompanyID {
			t.Fatal("the two managers share a company")
		}

		// Requests in every state a manager meets on the maintenance desk.
		list, err := db.ListRequests(ctx, manager, sqldb.RequestFilter{Status: sqldb.FilterAll, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		states := map[lintel.RequestStatus]bool{}
		var oldest time.Duration
		for _, q := range list.Requests {
			states[q.Status] = true
			// Dated as over the past weeks, never in the future.
			age := db.Now().Sub(q.CreatedAt)
			if age <= 0 || age > 60*24*time.Hour {
				t.Errorf("demo request %q is %v old", q.Summary, age)
			}
			oldest = max(oldest, age)
		}
		if oldest < 7*24*time.Hour {
			t.Errorf("the oldest demo request is %v old: the demo should read like weeks of work", oldest)
		}
		for _, want := range []lintel.RequestStatus{lintel.StatusSubmitted, lintel.StatusAwaitingApproval, lintel.StatusApproved, lintel.StatusDeclined,
			lintel.StatusAssigned, lintel.StatusScheduled, lintel.StatusCompleted, lintel.StatusClosed, lintel.StatusCancelled} {
			if !states[want] {
				t.Errorf("the demo has no %s request", want)
			}
		}

		// The tenant and cotenant share the active lease; the owner owns
		// that lease's property (60/40 with a co-owner); a unit of it has
		// its own owner.
		today := lintel.DateOf(db.Now())
		tenant := demoContact(t, db, manager, logins["tenant"][0])
		cotenant := demoContact(t, db, manager, logins["cotenant"][0])
		owner := demoContact(t, db, manager, logins["owner"][0])
		var active lintel.Lease
		leases, err := db.ContactLeases(ctx, manager, tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leases {
			if l.StatusOn(today) == lintel.LeaseActive {
				active = l
			}
		}
		if active.ID == 0 || len(active.Tenants) != 2 || !slicesHas(active.Tenants, cotenant.ID) {
			t.Fatalf("the tenant's active lease = %+v", active)
		}
		owners, err := db.PropertyOwners(ctx, manager, active.PropertyID)
		if err != nil {
			t.Fatal(err)
		}
		shares := map[int64]int{}
		unitOwners := 0
		for _, o := range owners {
			if o.UnitID == 0 {
				shares[o.ContactID] = o.ShareBP
			} else {
				unitOwners++
			}
		}
		if shares[owner.ID] != 6000 || len(shares) != 2 || unitOwners != 1 {
			t.Errorf("owners of %s = %+v", active.PropertyName, owners)
		}

		// The rest of the shape, in both companies.
		for _, s := range []lintel.Staff{manager, other} {
			co, err := db.Company(ctx, s)
			if err != nil || co.Email == "" || co.Phone == "" || co.Address == "" {
				t.Errorf("company %d: contact details %+v, %v", s.CompanyID, co, err)
			}
			if err == nil {
				co.Normalize()
				if fe := co.Validate(); len(fe) != 0 {
					t.Errorf("company %d: the demo's settings do not pass the settings form: %v", s.CompanyID, fe)
				}
			}
			all, err := db.ListLeases(ctx, s, sqldb.LeaseFilter{Status: lintel.LeaseEnded})
			if err != nil || len(all.Leases) != 1 {
				t.Errorf("company %d: ended leases %+v, %v", s.CompanyID, all.Leases, err)
			}
			ops, err := db.ListContacts(ctx, s, sqldb.ContactFilter{Role: lintel.RoleOperator})
			if err != nil || len(ops.Contacts) != 2 {
				t.Errorf("company %d: operators %+v, %v", s.CompanyID, ops.Contacts, err)
			}
			common := true
			units, err := db.ListUnits(ctx, s, sqldb.UnitFilter{CommonArea: &common})
			if err != nil || len(units.Units) != 1 || units.Units[0].Label != "Laundry room" {
				t.Errorf("company %d: common areas %+v, %v", s.CompanyID, units.Units, err)
			}
		}
	})
}

func slicesHas(cs []lintel.Contact, id int64) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// demoStaff returns the admin actor of the company email manages.
func demoStaff(t *testing.T, db *sqldb.DB, email string) lintel.Staff {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Memberships(ctx, u.ID)
	if err != nil || len(ms) != 1 || ms[0].Role != lintel.RoleAdmin {
		t.Fatalf("%s: memberships %+v, %v", email, ms, err)
	}
	return lintel.Staff{UserID: u.ID, CompanyID: ms[0].CompanyID, Role: lintel.RoleAdmin, Name: u.Name}
}

// demoContact finds the one contact of s's company with e-mail email.
func demoContact(t *testing.T, db *sqldb.DB, s lintel.Staff, email string) lintel.Contact {
	t.Helper()
	p, err := db.ListContacts(context.Background(), s, sqldb.ContactFilter{Search: email})
	if err != nil || len(p.Contacts) != 1 {
		t.Fatalf("contact %s: %+v, %v", email, p.Contacts, err)
	}
	return p.Contacts[0]
}

// TestSeedDemoFillsCompanyContact: a demo database from before companies
// had contact details gets them on the next run; details a manager has set
// since are kept.
func TestSeedDemoFillsCompanyContact(t *testing.T) {
	db := testkit.SQLite(t)
	ctx := context.Background()
	base := &url.URL{Scheme: "http", Host: "localhost:8080"}
	var out bytes.Buffer
	if err := seedDemo(ctx, db, base, &out); err != nil {
		t.Fatal(err)
	}
	manager := demoStaff(t, db, demoCompanies[0].manager.email)
	other := demoStaff(t, db, demoCompanies[1].manager.email)
	if err := db.UpdateCompany(ctx, manager, lintel.Company{Name: demoCompanies[0].name, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateCompany(ctx, other, lintel.Company{Name: demoCompanies[1].name, Currency: "USD", Phone: "+1 555 999 0000"}); err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, db, base, &out); err != nil {
		t.Fatal(err)
	}
	if co, err := db.Company(ctx, manager); err != nil || co.Email != demoCompanies[0].email || co.Phone != demoCompanies[0].phone || co.Address != demoCompanies[0].address {
		t.Errorf("emptied company not refilled: %+v, %v", co, err)
	}
	if co, err := db.Company(ctx, other); err != nil || co.Email != "" || co.Phone != "+1 555 999 0000" || co.Address != "" {
		t.Errorf("a company with its own details was overwritten: %+v, %v", co, err)
	}
}
