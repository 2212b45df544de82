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
	assign := func(req, operator int64, when time.Time) {
		_, hash := auth.NewToken()
		must(db.AssignOperator(ctx, s, req, 0, sqldb.Dispatch{OperatorID: operator, ScheduledAt: when, TokenHash: hash}, nil))
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
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("demo maintenance: %w", err)
	}
	return nil
}
