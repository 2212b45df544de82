package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// demoPerson is a contact of a demo company; with a password it also gets
// a verified portal login printed as a "demo login:" line.
type demoPerson struct {
	persona  string // "", or tenant / cotenant / owner
	name     string
	email    string
	phone    string
	password string
}

// demoCompany is one look-alike demo company. Both have the same shape —
// an apartment building with three flats and a laundry room, owned 60/40
// by two owners, one flat owned separately by a third; a house; a current
// lease with two co-tenants, an ended lease, a lease of the house; a
// plumber and an electrician — so whatever one company's people can see,
// the other's can be checked not to.
type demoCompany struct {
	name                     string
	email, phone, address    string // the office's contact details, shown in the portal
	managerPersona           string // manager / other-manager
	manager                  demoPerson
	building, buildingStreet string
	flats                    [3]string
	house, houseStreet       string
	city, postcode           string
	owner, coOwner           demoPerson // 60% and 40% of the building
	flatOwner                demoPerson // owns flats[2]
	tenant, cotenant         demoPerson // current lease of flats[0]
	formerTenant             demoPerson // ended lease of flats[1]
	houseTenant              demoPerson
	plumber, electrician     demoPerson
}

// demoCompanies are the two demo companies. The passwords are fixed so the
// README and scripts can use them; they are demo data, not secrets.
var demoCompanies = []demoCompany{
	{
		name: "Harbourview Property Management", managerPersona: "manager",
		email: "office@harbourview.example", phone: "+1 555 010 0100", address: "12 Harbour Street, Suite 3\nPortside 90210",
		manager:  demoPerson{name: "Hannah Marsh", email: "manager@harbourview.example", password: "harbour-desk-lantern-42"},
		building: "Harbourview Apartments", buildingStreet: "18 Wharf Road", flats: [3]string{"Apt 1A", "Apt 1B", "Apt 2A"},
		house: "7 Quay Street", houseStreet: "7 Quay Street", city: "Portside", postcode: "90210",
		owner:        demoPerson{persona: "owner", name: "Grace Whitfield", email: "grace.whitfield@example.com", phone: "+1 555 010 0101", password: "grace-owns-the-harbour-7"},
		coOwner:      demoPerson{name: "Tomas Lindqvist", email: "tomas.lindqvist@example.com", phone: "+1 555 010 0102"},
		flatOwner:    demoPerson{name: "Aisha Karimi", email: "aisha.karimi@example.com", phone: "+1 555 010 0103"},
		tenant:       demoPerson{persona: "tenant", name: "Maya Chen", email: "maya.chen@example.com", phone: "+1 555 010 0111", password: "maya-rents-apt-1a-blue"},
		cotenant:     demoPerson{persona: "cotenant", name: "Daniel Reyes", email: "daniel.reyes@example.com", phone: "+1 555 010 0112", password: "daniel-shares-1a-green"},
		formerTenant: demoPerson{name: "Priya Nair", email: "priya.nair@example.com", phone: "+1 555 010 0113"},
		houseTenant:  demoPerson{name: "Sam Okafor", email: "sam.okafor@example.com", phone: "+1 555 010 0114"},
		plumber:      demoPerson{name: "Flowright Plumbing", email: "jobs@flowright.example", phone: "+1 555 010 0121"},
		electrician:  demoPerson{name: "Bright Spark Electrical", email: "office@brightspark.example", phone: "+1 555 010 0122"},
	},
	{
		name: "Ridgeline Residential", managerPersona: "other-manager",
		email: "hello@ridgeline.example", phone: "+1 555 020 0100", address: "88 Summit Avenue\nHighfield 80302",
		manager:  demoPerson{name: "Rowan Pike", email: "manager@ridgeline.example", password: "ridge-office-compass-58"},
		building: "Ridgeline Terraces", buildingStreet: "240 Summit Avenue", flats: [3]string{"Unit 1", "Unit 2", "Unit 3"},
		house: "4 Summit Road", houseStreet: "4 Summit Road", city: "Highfield", postcode: "80302",
		owner:        demoPerson{name: "Helen Marsh", email: "helen.marsh@example.net", phone: "+1 555 020 0101"},
		coOwner:      demoPerson{name: "Victor Adeyemi", email: "victor.adeyemi@example.net", phone: "+1 555 020 0102"},
		flatOwner:    demoPerson{name: "Nora Feld", email: "nora.feld@example.net", phone: "+1 555 020 0103"},
		tenant:       demoPerson{name: "Lucas Novak", email: "lucas.novak@example.net", phone: "+1 555 020 0111"},
		cotenant:     demoPerson{name: "Emma Lindgren", email: "emma.lindgren@example.net", phone: "+1 555 020 0112"},
		formerTenant: demoPerson{name: "Kofi Mensah", email: "kofi.mensah@example.net", phone: "+1 555 020 0113"},
		houseTenant:  demoPerson{name: "Ines Duarte", email: "ines.duarte@example.net", phone: "+1 555 020 0114"},
		plumber:      demoPerson{name: "ClearFlow Plumbers", email: "dispatch@clearflow.example", phone: "+1 555 020 0121"},
		electrician:  demoPerson{name: "Volt Electric", email: "hello@voltelectric.example", phone: "+1 555 020 0122"},
	},
}

// seedDemo fills the database with two look-alike companies, idempotently,
// and prints one "demo login:" line per persona. A company that exists
// already is left as it is, so a second run adds nothing; the logins are
// printed every time.
func seedDemo(ctx context.Context, db *sqldb.DB, base *url.URL, stdout io.Writer) error {
	logins := map[string]string{}
	var taskLink string
	for i, dc := range demoCompanies {
		id, leases, err := db.DemoCompany(ctx, dc.name)
		switch {
		case lintel.IsNotFound(err):
			if err := dc.seed(ctx, db); err != nil {
				return fmt.Errorf("%s: %w", dc.name, err)
			}
			if id, _, err = db.DemoCompany(ctx, dc.name); err != nil {
				return err
			}
		case err != nil:
			return err
		case leases == 0:
			return fmt.Errorf("the demo company %q exists but has no leases: an earlier run was interrupted; remove the data folder (or the database) and run `lintel demo` again", dc.name)
		default:
			// A demo seeded before companies had contact details gets them;
			// details someone has set since are left alone.
			if err := db.FillDemoCompanyContact(ctx, id, dc.email, dc.phone, dc.address); err != nil {
				return fmt.Errorf("%s: %w", dc.name, err)
			}
		}
		logins[dc.managerPersona] = demoLogin(dc.managerPersona, dc.manager)
		// Resident logins are ensured on every run: one someone removed
		// comes back, one that exists is left alone.
		for _, p := range []demoPerson{dc.tenant, dc.cotenant, dc.owner} {
			if p.persona == "" {
				continue
			}
			if _, _, err := db.EnsureVerifiedUser(ctx, p.email, p.name, func() string { return auth.HashPassword(p.password) }); err != nil {
				return fmt.Errorf("demo login %s: %w", p.email, err)
			}
			logins[p.persona] = demoLogin(p.persona, p)
		}
		if i == 0 {
			// A fresh link on every run: only its hash is stored.
			raw, hash := auth.NewToken()
			if _, err := db.RenewDemoTaskLink(ctx, id, hash); err != nil && !lintel.IsNotFound(err) {
				return fmt.Errorf("demo task link: %w", err)
			} else if err == nil {
				link := *base
				link.Path = "/t/" + raw
				taskLink = "demo task link: " + link.String()
			}
		}
	}
	// A fixed order, so scripts and people read the same lines every time.
	for _, persona := range []string{"manager", "tenant", "cotenant", "owner", "other-manager"} {
		fmt.Fprintln(stdout, logins[persona])
	}
	if taskLink != "" {
		fmt.Fprintln(stdout, taskLink)
	}
	mailbox := *base
	mailbox.Path = "/dev/mailbox"
	fmt.Fprintf(stdout, "demo mailbox: %s (e-mails land here while no SMTP server is configured; sign in as the manager, or open it from this machine)\n", mailbox.String())
	return nil
}

func demoLogin(persona string, p demoPerson) string {
	return fmt.Sprintf("demo login: %s %s %s", persona, p.email, p.password)
}

// seed creates the company and everything in it through the store's
// public methods, as its manager.
func (dc demoCompany) seed(ctx context.Context, db *sqldb.DB) error {
	companyID, adminID, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{
		Name: dc.name, Currency: "USD", Email: dc.email, Phone: dc.phone, Address: dc.address,
		AdminEmail: dc.manager.email, AdminName: dc.manager.name,
		PasswordHash: auth.HashPassword(dc.manager.password),
	})
	if err != nil {
		return err
	}
	s := lintel.Staff{UserID: adminID, CompanyID: companyID, Role: lintel.RoleAdmin, Name: dc.manager.name}
	var errs []error
	must := func(id int64, err error) int64 {
		errs = append(errs, err)
		return id
	}
	intp := func(n int) *int { return &n }

	building := must(db.CreateProperty(ctx, s, lintel.Property{Name: dc.building, Kind: lintel.KindResidential,
		AddressLine1: dc.buildingStreet, City: dc.city, PostalCode: dc.postcode, Country: "US"}, nil))
	var flats [3]int64
	for i, label := range dc.flats {
		flats[i] = must(db.CreateUnit(ctx, s, lintel.Unit{PropertyID: building, Label: label, Bedrooms: intp(1 + i%2), BathroomsHalf: intp(2), AreaSqft: intp(650 + 150*i)}))
	}
	laundry := must(db.CreateUnit(ctx, s, lintel.Unit{PropertyID: building, Label: "Laundry room", CommonArea: true, Notes: "Coin-operated machines; open 7am–10pm."}))
	house := must(db.CreateProperty(ctx, s, lintel.Property{Name: dc.house, Kind: lintel.KindSingleFamily,
		AddressLine1: dc.houseStreet, City: dc.city, PostalCode: dc.postcode, Country: "US"},
		&lintel.Unit{Label: "House"}))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	houseUnits, err := db.ListUnits(ctx, s, sqldb.UnitFilter{PropertyID: house})
	if err != nil {
		return err
	}
	if len(houseUnits.Units) != 1 {
		return fmt.Errorf("the house %s has %d units, want 1", dc.house, len(houseUnits.Units))
	}
	houseUnit := houseUnits.Units[0].ID

	contact := func(p demoPerson, c lintel.Contact) int64 {
		c.Name = p.name
		c.Emails = []lintel.ContactEmail{{Email: p.email}}
		c.Phones = []lintel.ContactPhone{{Phone: p.phone, Label: "Mobile"}}
		return must(db.CreateContact(ctx, s, c))
	}
	owner := contact(dc.owner, lintel.Contact{IsOwner: true})
	coOwner := contact(dc.coOwner, lintel.Contact{IsOwner: true})
	flatOwner := contact(dc.flatOwner, lintel.Contact{IsOwner: true})
	tenant := contact(dc.tenant, lintel.Contact{IsTenant: true})
	cotenant := contact(dc.cotenant, lintel.Contact{IsTenant: true})
	former := contact(dc.formerTenant, lintel.Contact{IsTenant: true, Notes: "Moved out; deposit returned in full."})
	houseTenant := contact(dc.houseTenant, lintel.Contact{IsTenant: true})
	today := lintel.DateOf(db.Now())
	plumber := contact(dc.plumber, lintel.Contact{IsOrganization: true, IsOperator: true, Trades: "Plumbing, Drains, Water heaters", InsuranceExpiry: today.AddDays(240)})
	electrician := contact(dc.electrician, lintel.Contact{IsOrganization: true, IsOperator: true, Trades: "Electrical", InsuranceExpiry: today.AddDays(95)})
	if err := errors.Join(errs...); err != nil {
		return err
	}

	must(db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: owner, PropertyID: building, ShareBP: 6000}))
	must(db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: coOwner, PropertyID: building, ShareBP: 4000}))
	must(db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: flatOwner, PropertyID: building, UnitID: flats[2], ShareBP: 10000}))
	must(db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: owner, PropertyID: house, ShareBP: 10000}))

	// Terms relative to today, so the statuses read the same whenever the
	// demo is started: a year's lease that began eight months ago, one that
	// ended last year, a month-to-month lease of the house.
	start := firstOfMonth(today).AddDays(-240)
	start = firstOfMonth(start)
	end := lintel.DateOf(start.Time().AddDate(1, 0, -1))
	must(db.CreateLease(ctx, s, lintel.Lease{UnitID: flats[0], Start: start, End: end, RentMinor: 185000, RentDueDay: 1, DepositMinor: 370000,
		Notes: "Two parking permits issued."}, []int64{tenant, cotenant}, nil))
	oldStart := firstOfMonth(lintel.DateOf(today.Time().AddDate(-2, 0, 0)))
	oldEnd := lintel.DateOf(oldStart.Time().AddDate(1, 0, -1))
	must(db.CreateLease(ctx, s, lintel.Lease{UnitID: flats[1], Start: oldStart, End: oldEnd, RentMinor: 160000, RentDueDay: 1, DepositMinor: 160000},
		[]int64{former}, nil))
	must(db.CreateLease(ctx, s, lintel.Lease{UnitID: houseUnit, Start: firstOfMonth(lintel.DateOf(today.Time().AddDate(-3, 0, 0))), MonthToMonth: true,
		RentMinor: 240000, RentDueDay: 5, DepositMinor: 240000}, []int64{houseTenant}, nil))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return dc.seedMaintenance(ctx, db, s, demoPlaces{building: building, flats: flats, laundry: laundry, house: house, houseUnit: houseUnit,
		tenant: tenant, houseTenant: houseTenant, plumber: plumber, electrician: electrician})
}

func firstOfMonth(d lintel.Date) lintel.Date {
	return lintel.Date{Year: d.Year, Month: d.Month, Day: 1}
}
