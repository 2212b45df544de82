package lintel

import (
	"fmt"
	"strings"
	"time"
)

// LeaseStatus is derived from a lease's dates and today, so it never goes
// stale as days pass.
type LeaseStatus string

const (
	LeaseUpcoming LeaseStatus = "upcoming"
	LeaseActive   LeaseStatus = "active"
	LeaseEnded    LeaseStatus = "ended"
)

// LeaseStatuses lists the statuses in the order they are offered as filters.
var LeaseStatuses = []LeaseStatus{LeaseActive, LeaseUpcoming, LeaseEnded}

// Valid reports whether s is a known status.
func (s LeaseStatus) Valid() bool {
	return s == LeaseUpcoming || s == LeaseActive || s == LeaseEnded
}

// Label is the status as shown to people.
func (s LeaseStatus) Label() string {
	switch s {
	case LeaseUpcoming:
		return "Upcoming"
	case LeaseActive:
		return "Active"
	case LeaseEnded:
		return "Ended"
	}
	return string(s)
}

// Lease lets a unit to one or more tenants (co-tenants share its ledger,
// requests and documents).
type Lease struct {
	ID           int64
	CompanyID    int64
	UnitID       int64
	UnitLabel    string // filled by reads
	PropertyID   int64  // filled by reads
	PropertyName string // filled by reads
	Start        Date
	End          Date // zero: open-ended
	MonthToMonth bool
	RentMinor    int64
	RentDueDay   int // 1–28
	DepositMinor int64
	// The late fee charged once on rent still open LateFeeGraceDays after
	// its due date (0: no late fee).
	LateFeeMinor     int64
	LateFeeGraceDays int
	Notes            string
	Tenants          []Contact // ID and Name filled by reads
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ArchivedAt       time.Time
}

// StatusOn returns the lease's status on day today.
func (l Lease) StatusOn(today Date) LeaseStatus {
	switch {
	case today.Before(l.Start):
		return LeaseUpcoming
	case !l.End.IsZero() && l.End.Before(today):
		return LeaseEnded
	}
	return LeaseActive
}

// Archived reports whether the lease has been archived.
func (l Lease) Archived() bool { return !l.ArchivedAt.IsZero() }

// TenantNames lists the tenants' names, comma-separated.
func (l Lease) TenantNames() string {
	names := make([]string, len(l.Tenants))
	for i, t := range l.Tenants {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// Term describes the lease's dates for people: "1 Mar 2026 – 28 Feb 2027",
// "from 1 Mar 2026, month-to-month", "from 1 Mar 2026, no end date".
func (l Lease) Term() string {
	switch {
	case !l.End.IsZero():
		return l.Start.Long() + " – " + l.End.Long()
	case l.MonthToMonth:
		return "from " + l.Start.Long() + ", month-to-month"
	}
	return "from " + l.Start.Long() + ", no end date"
}

// Overlaps reports whether the lease's dates share a day with [start, end]
// (a zero end is open-ended).
func (l Lease) Overlaps(start, end Date) bool {
	if !end.IsZero() && end.Before(l.Start) {
		return false
	}
	if !l.End.IsZero() && l.End.Before(start) {
		return false
	}
	return true
}

// MaxRentMinor bounds amounts so a slipped key cannot record a rent of
// trillions: 100 million in major units.
const MaxRentMinor = 100_000_000_00

// Normalize trims what was typed.
func (l *Lease) Normalize() {
	l.Notes = strings.TrimSpace(l.Notes)
	if l.LateFeeMinor == 0 && l.LateFeeGraceDays == 0 {
		// No rule: keep the usual grace, ready for when a fee is set.
		l.LateFeeGraceDays = DefaultLateFeeGraceDays
	}
}

// DefaultLateFeeGraceDays is the grace a new lease's late fee rule starts
// with.
const DefaultLateFeeGraceDays = 5

// Validate returns a message per form field that cannot be stored as typed.
// Tenants and the unit's scope are checked by the store.
func (l Lease) Validate() FieldErrors {
	fe := FieldErrors{}
	if l.UnitID <= 0 {
		fe.Add("unit_id", "Choose the unit this lease is for.")
	}
	if l.Start.IsZero() {
		fe.Add("start", "Enter the day the lease starts.")
	}
	if !l.Start.IsZero() && !l.End.IsZero() && l.End.Before(l.Start) {
		fe.Add("end", "The end date must be on or after the start date ("+l.Start.Long()+").")
	}
	switch {
	case l.RentMinor < 0:
		fe.Add("rent", "Rent cannot be negative.")
	case l.RentMinor > MaxRentMinor:
		fe.Add("rent", "That amount is too large. Check the number of digits.")
	}
	if l.RentDueDay < 1 || l.RentDueDay > 28 {
		fe.Add("due_day", "Choose a day from 1 to 28, so rent falls due every month.")
	}
	switch {
	case l.DepositMinor < 0:
		fe.Add("deposit", "The deposit cannot be negative.")
	case l.DepositMinor > MaxRentMinor:
		fe.Add("deposit", "That amount is too large. Check the number of digits.")
	}
	switch {
	case l.LateFeeMinor < 0:
		fe.Add("late_fee", "The late fee cannot be negative.")
	case l.LateFeeMinor > MaxRentMinor:
		fe.Add("late_fee", "That amount is too large. Check the number of digits.")
	}
	if l.LateFeeGraceDays < 0 || l.LateFeeGraceDays > 60 {
		fe.Add("late_fee_grace_days", "Choose from 0 to 60 days of grace.")
	}
	checkLen(fe, "notes", l.Notes, maxNotesLen)
	return fe
}

// ValidateEnd checks an early end date given for the lease: not before it
// starts, and not after the end it already has.
func (l Lease) ValidateEnd(end Date) FieldErrors {
	fe := FieldErrors{}
	switch {
	case end.IsZero():
		fe.Add("end", "Enter the last day of the lease.")
	case end.Before(l.Start):
		fe.Add("end", "The lease starts on "+l.Start.Long()+": the last day cannot be before that.")
	case !l.End.IsZero() && l.End.Before(end):
		fe.Add("end", fmt.Sprintf("This lease already ends on %s. To extend it, edit the lease instead.", l.End.Long()))
	}
	return fe
}
