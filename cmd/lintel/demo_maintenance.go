package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// demoPlaces are the ids seedMaintenance works with.
type demoPlaces struct {
	building, house      int64
	flats                [3]int64
	laundry, houseUnit   int64
	tenant, houseTenant  int64 // contacts
	plumber, electrician int64 // operator contacts
}

// seedMaintenance gives a demo company maintenance requests in the states
// a manager meets every week: new ones to triage, one with a plumber on
// the way (whose task link the demo prints), one booked, and so on.
func (dc demoCompany) seedMaintenance(ctx context.Context, db *sqldb.DB, s lintel.Staff, p demoPlaces) error {
	cats, err := db.Categories(ctx, s)
	if err != nil {
		return err
	}
	category := map[string]lintel.Category{}
	for _, c := range cats {
		category[c.Name] = c
	}
	// answer gives every question of a category an answer a tenant would.
	answer := func(name string, texts ...string) map[int64]string {
		out := map[int64]string{}
		for _, q := range category[name].Questions {
			switch {
			case q.Kind == lintel.QuestionYesNo:
				out[q.ID] = "yes"
			case len(texts) > 0:
				out[q.ID], texts = texts[0], texts[1:]
			}
		}
		return out
	}
	today := lintel.DateOf(db.Now())
	var errs []error
	must := func(id int64, err error) int64 {
		errs = append(errs, err)
		return id
	}
	request := func(unit int64, tenant int64, cat, summary, description string, ago int, answers map[int64]string, prio lintel.Priority) int64 {
		property := p.building
		if unit == p.houseUnit {
			property = p.house
		}
		return must(db.CreateRequest(ctx, s, sqldb.NewRequest{PropertyID: property, UnitID: unit, CategoryID: category[cat].ID,
			Summary: summary, Description: description, OccurredOn: today.AddDays(-ago), Priority: prio,
			AccessTimes: []string{"Weekday mornings", "Saturday afternoon"}, PermissionToEnter: true, Pets: "One cat, stays in the bedroom",
			Answers: answers, TenantContactID: tenant}, nil))
	}
	// assign returns the hash of the visit's link, for acting as the operator.
	assign := func(req, operator int64, when time.Time) string {
		_, hash := auth.NewToken()
		must(db.AssignOperator(ctx, s, req, 0, sqldb.Dispatch{OperatorID: operator, ScheduledAt: when, TokenHash: hash,
			Note: "Tenant works from home; ring the bell twice."}, nil))
		return hash
	}
	setStatus := func(req int64, to lintel.RequestStatus, reason string) {
		d, err := db.StaffRequest(ctx, s, req)
		errs = append(errs, err, db.SetRequestStatus(ctx, s, req, sqldb.StatusChange{To: to, Reason: reason, Version: d.Request.Version}, nil))
	}
	ask := func(req int64, estimate int64, notes string) int64 {
		out, err := db.RequestApproval(ctx, s, req, 0, sqldb.NewApproval{EstimateMinor: estimate, Notes: notes}, nil)
		errs = append(errs, err)
		return out.ID
	}

	// With the plumber now: the demo prints this visit's task link.
	tap := request(p.flats[0], p.tenant, "Plumbing", "Kitchen tap drips",
		"The cold tap in the kitchen drips constantly, even when closed hard. Started after the water was shut off for the building works.", 3,
		answer("Plumbing", "Kitchen sink"), lintel.PriorityNormal)
	assign(tap, p.plumber, time.Time{})
	// Booked for a time.
	heat := request(p.houseUnit, p.houseTenant, "Heating or cooling", "No heating in the back bedroom",
		"The radiator in the back bedroom stays cold; the others work.", 6, answer("Heating or cooling", "About 15°C"), lintel.PriorityHigh)
	at := db.Now().Truncate(time.Hour).Add(50 * time.Hour)
	assign(heat, p.plumber, at)
	// New, waiting for triage.
	request(p.laundry, p.tenant, "Appliance", "Dryer no longer heats",
		"The left dryer runs but the clothes come out cold.", 1, answer("Appliance", "Left dryer, Whirlpool"), lintel.PriorityNormal)
	request(p.flats[0], p.tenant, "Electrical", "Bathroom light flickers",
		"The ceiling light flickers for a minute after switching on.", 2, answer("Electrical"), lintel.PriorityLow)
	// Reassigned: the first electrician could not come, the plumber could.
	swap := request(p.flats[0], p.tenant, "Door or lock", "Front door lock sticks",
		"The key turns only after a few tries.", 9, answer("Door or lock", "Front door"), lintel.PriorityNormal)
	assign(swap, p.electrician, time.Time{})
	assign(swap, p.plumber, time.Time{})

	// Done by the electrician, waiting for the manager to close it.
	alarm := request(p.flats[0], p.tenant, "Electrical", "Smoke alarm chirps every minute",
		"The hallway smoke alarm chirps; probably the battery.", 12, answer("Electrical"), lintel.PriorityHigh)
	done := assign(alarm, p.electrician, time.Time{})
	_, err = db.ContractorSaveNotes(ctx, done, "", sqldb.TenantNotes, "Replaced the battery and tested all alarms in the flat.")
	errs = append(errs, err)
	_, err = db.ContractorComplete(ctx, done, "", nil)
	errs = append(errs, err)
	// Finished and closed.
	drain := request(p.flats[0], p.tenant, "Plumbing", "Shower drains slowly",
		"Water stands in the shower tray for ten minutes.", 40, answer("Plumbing", "Bathroom shower"), lintel.PriorityNormal)
	closed := assign(drain, p.plumber, time.Time{})
	_, err = db.ContractorComplete(ctx, closed, "", nil)
	errs = append(errs, err)
	setStatus(drain, lintel.StatusClosed, "")
	// Cancelled: the tenant fixed it.
	pests := request(p.flats[0], p.tenant, "Pests", "Ants in the kitchen",
		"A trail of ants along the window sill.", 20, answer("Pests", "Small black ants", "Every morning"), lintel.PriorityLow)
	setStatus(pests, lintel.StatusCancelled, "The tenant says the ants are gone after cleaning the sill.")
	// Owner approvals: waiting, approved and declined.
	heater := request(p.houseUnit, p.houseTenant, "Plumbing", "Water heater leaks at the base",
		"A puddle forms under the water heater every day. It is 14 years old.", 4, answer("Plumbing", "Utility room"), lintel.PriorityHigh)
	ask(heater, 185000, "Replacement recommended by Flowright; repair would only buy a few months.")
	if dc.owner.persona != "" {
		grace, _, err := db.EnsureVerifiedUser(ctx, dc.owner.email, dc.owner.name, func() string { return auth.HashPassword(dc.owner.password) })
		errs = append(errs, err)
		owner := lintel.Resident{UserID: grace, Email: dc.owner.email, Name: dc.owner.name}
		roof := request(p.laundry, 0, "Other", "Laundry room window does not close",
			"The window frame is swollen; rain comes in.", 15, nil, lintel.PriorityNormal)
		errs = append(errs, db.DecideApproval(ctx, owner, ask(roof, 64000, "New frame and seal."), sqldb.Decision{Approve: true, Comment: "Go ahead."}, nil))
		paint := request(p.flats[1], 0, "Other", "Repaint Apt 1B before the next tenant",
			"Walls marked after the last tenancy.", 30, nil, lintel.PriorityLow)
		errs = append(errs, db.DecideApproval(ctx, owner, ask(paint, 240000, "Full repaint, two coats."), sqldb.Decision{Comment: "Too expensive; get a second quote for the living room only."}, nil))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("demo maintenance: %w", err)
	}
	// Seeded in a moment; dated as if over the past weeks.
	return db.AgeDemoRequests(ctx, s.CompanyID)
}
