// Package billing runs the ledger's scheduled work: the recurring rent of
// every lease, one charge per lease and month, and the optional late fee on
// rent left unpaid past its grace days. Posting goes through the store's
// system posting (sqldb.PostSystemCharge) with deterministic idempotency
// keys, so running the job twice, or on two nodes at once, posts each
// charge once (SECURITY.md 23).
//
// Choices a bookkeeper should know:
//   - A period is a calendar month ("2026-03"). Its rent is posted from the
//     month's first day and falls due on the lease's due day, or on the
//     lease's first day when it starts after that day.
//   - A lease that starts or ends mid-month pays for the days it covers:
//     rent × days / days in the month, rounded to the nearest minor unit
//     (half up). Whole months pay the rent exactly.
//   - Rent is generated from the month the lease was recorded in Lintel (or
//     the month it starts, if later), then every month after the last one
//     generated. Earlier months are the manager's to post by hand, so
//     recording a tenancy that began years ago does not charge its history.
//     A job that was down catches up, but never more than CatchUpMonths back.
//   - A late fee (the lease's late_fee_minor) is charged once per rent
//     charge still open after the due date plus the grace days; paying on
//     the last grace day is on time. Charges that became late more than
//     LateFeeWindow days ago get no fee, so turning the rule on does not
//     fine old arrears.
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// CatchUpMonths bounds how far back a run generates missed periods: the
// current month and at most this many before it.
const CatchUpMonths = 12

// LateFeeWindow is how many days after a charge became late the job still
// charges its late fee (a job down for a while catches up within it).
const LateFeeWindow = 30

// maxGraceDays matches the leases table's CHECK on late_fee_grace_days.
const maxGraceDays = 60

// batch is how many leases a run reads at a time.
const batch = 500

// Period is a rent period: one calendar month.
type Period struct {
	Year  int
	Month time.Month
}

// PeriodOf is the period a day falls in.
func PeriodOf(d lintel.Date) Period { return Period{d.Year, d.Month} }

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, bool) {
	if !lintel.ValidPeriod(s) {
		return Period{}, false
	}
	d, err := lintel.ParseDate(s + "-01")
	if err != nil {
		return Period{}, false
	}
	return PeriodOf(d), true
}

// String is the stored form, "2026-03".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// Label is the month for people, "March 2026".
func (p Period) Label() string { return p.Month.String() + " " + fmt.Sprint(p.Year) }

// First is the period's first day.
func (p Period) First() lintel.Date { return lintel.Date{Year: p.Year, Month: p.Month, Day: 1} }

// Last is the period's last day.
func (p Period) Last() lintel.Date { return p.Next().First().AddDays(-1) }

// Days is how many days the month has.
func (p Period) Days() int { return p.Last().Day }

// Next is the following month.
func (p Period) Next() Period { return p.add(1) }

func (p Period) add(months int) Period {
	t := time.Date(p.Year, p.Month+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	return Period{t.Year(), t.Month()}
}

// Before reports whether p is an earlier month than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

// DuePeriods lists the periods a run on day today generates for l, oldest
// first: from the month after the last one generated (or, for a lease
// with none, the month it was recorded or starts, whichever is later) to
// the current month, stopping at the month the lease ends, and never more
// than CatchUpMonths before the current month.
func DuePeriods(l sqldb.RentLease, today lintel.Date) []Period {
	if l.RentMinor <= 0 {
		return nil
	}
	current := PeriodOf(today)
	var from Period
	if last, ok := ParsePeriod(l.LastPeriod); ok {
		from = last.Next()
	} else {
		first := l.Start
		if first.Before(l.Recorded) {
			first = l.Recorded
		}
		from = PeriodOf(first)
	}
	if floor := current.add(-CatchUpMonths); from.Before(floor) {
		from = floor
	}
	if start := PeriodOf(l.Start); from.Before(start) {
		from = start
	}
	to := current
	if !l.End.IsZero() && PeriodOf(l.End).Before(to) {
		to = PeriodOf(l.End)
	}
	var out []Period
	for p := from; !to.Before(p); p = p.Next() {
		out = append(out, p)
	}
	return out
}

// RentCharge is the charge of lease l for period p: the rent (prorated by
// the days the lease covers), due on the lease's due day or its first day.
// ok is false when the lease does not cover any day of p, or the prorated
// amount rounds to nothing.
func RentCharge(l sqldb.RentLease, p Period) (c lintel.NewCharge, ok bool) {
	first, last := p.First(), p.Last()
	if first.Before(l.Start) {
		first = l.Start
	}
	if !l.End.IsZero() && l.End.Before(last) {
		last = l.End
	}
	if last.Before(first) {
		return lintel.NewCharge{}, false
	}
	days := last.Day - first.Day + 1
	amount, desc := l.RentMinor, "Rent for "+p.Label()
	if days < p.Days() {
		// Half up, in integers: rent ≤ lintel.MaxRentMinor keeps this far
		// from overflow.
		amount = (l.RentMinor*int64(days)*2 + int64(p.Days())) / (2 * int64(p.Days()))
		span := fmt.Sprintf("%d–%d", first.Day, last.Day)
		if days == 1 {
			span = fmt.Sprint(first.Day)
		}
		desc = fmt.Sprintf("Rent for %s %s (%d of %d days)", span, p.Label(), days, p.Days())
	}
	if amount <= 0 {
		return lintel.NewCharge{}, false
	}
	due := lintel.Date{Year: p.Year, Month: p.Month, Day: l.DueDay}
	if due.Before(first) {
		due = first
	}
	return lintel.NewCharge{
		LeaseID: l.ID, Category: lintel.ChargeRent, Description: desc, Amount: amount, Due: due,
		Period: p.String(), IdempotencyKey: RentKey(l.ID, p),
	}, true
}

// RentKey is the idempotency key of a lease's rent for a period.
func RentKey(leaseID int64, p Period) string { return fmt.Sprintf("rent:%d:%s", leaseID, p) }

// LateFeeKey is the idempotency key of the late fee on a charge.
func LateFeeKey(chargeID int64) string { return fmt.Sprintf("late:%d", chargeID) }

// LateDay is the first day a charge due on due is late: paying within the
// grace days is on time.
func LateDay(due lintel.Date, graceDays int) lintel.Date { return due.AddDays(graceDays + 1) }

// LateFee is the late fee on an open rent charge, or ok false when none is
// due on day today (not late yet, paid, no fee, or late for too long).
func LateFee(r sqldb.LateRent, today lintel.Date) (c lintel.NewCharge, ok bool) {
	late := LateDay(r.Due, r.GraceDays)
	if r.Fee <= 0 || r.Open <= 0 || today.Before(late) || late.AddDays(LateFeeWindow).Before(today) {
		return lintel.NewCharge{}, false
	}
	return lintel.NewCharge{
		LeaseID: r.LeaseID, Category: lintel.ChargeLateFee, Amount: r.Fee, Due: late,
		Description:    truncate(fmt.Sprintf("Late fee: %s, not paid by %s", r.Description, r.Due.AddDays(r.GraceDays).Long()), lintel.MaxLedgerDescription),
		IdempotencyKey: LateFeeKey(r.ChargeID),
	}, true
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Result counts what a run posted.
type Result struct {
	Rent, LateFees int
}

// Worker generates recurring rent and late fees.
type Worker struct {
	DB  *sqldb.DB
	Log *slog.Logger
	// Now is the clock; the store's when nil (tests set a testkit.Clock).
	Now func() time.Time
	// Every is how often it runs after the first run at start; an hour
	// when zero. Periods are months and grace is days, so an hour late is
	// on time.
	Every time.Duration
}

// Run runs once at once, then every Every, until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	every := w.Every
	if every == 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if res, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("recurring rent", "err", err, "rent", res.Rent, "late_fees", res.LateFees)
		} else if res.Rent+res.LateFees > 0 {
			w.log().Info("recurring rent", "rent", res.Rent, "late_fees", res.LateFees)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

func (w *Worker) today() lintel.Date {
	now := w.DB.Now
	if w.Now != nil {
		now = w.Now
	}
	return lintel.DateOf(now().UTC())
}

// RunOnce generates every rent charge and late fee due today and reports
// how many it posted (charges another run posted first are not counted).
// A lease whose charge cannot be posted is logged and skipped, so one bad
// record does not hold up everyone's rent; the errors are returned joined.
func (w *Worker) RunOnce(ctx context.Context) (Result, error) {
	today := w.today()
	var res Result
	var errs []error
	since := PeriodOf(today).add(-CatchUpMonths).First()
	current := PeriodOf(today).String()
	for after := int64(0); ; {
		leases, err := w.DB.RentLeases(ctx, PeriodOf(today).Last(), since, current, after, batch)
		if err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		for _, l := range leases {
			after = l.ID
			if l.LastPeriod >= current {
				continue
			}
			for _, p := range DuePeriods(l, today) {
				c, ok := RentCharge(l, p)
				if !ok {
					continue
				}
				_, created, err := w.DB.PostSystemCharge(ctx, l.CompanyID, c)
				if err != nil {
					if ctx.Err() != nil {
						return res, ctx.Err()
					}
					w.log().Error("recurring rent: could not post", "lease", l.ID, "period", p.String(), "err", err)
					errs = append(errs, fmt.Errorf("lease %d, %s: %w", l.ID, p, err))
					break // the later periods wait for this one
				}
				if created {
					res.Rent++
				}
			}
		}
		if len(leases) < batch {
			break
		}
	}

	late, err := w.DB.LateRentCharges(ctx, today.AddDays(-(LateFeeWindow + maxGraceDays + 1)), today)
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	for _, r := range late {
		c, ok := LateFee(r, today)
		if !ok {
			continue
		}
		_, created, err := w.DB.PostSystemCharge(ctx, r.CompanyID, c)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			w.log().Error("late fee: could not post", "charge", r.ChargeID, "err", err)
			errs = append(errs, fmt.Errorf("late fee on charge %d: %w", r.ChargeID, err))
			continue
		}
		if created {
			res.LateFees++
		}
	}
	return res, errors.Join(errs...)
}
