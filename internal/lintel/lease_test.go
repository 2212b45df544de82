package lintel

import (
	"strings"
	"testing"
)

func TestLeaseValidate(t *testing.T) {
	d := func(s string) Date {
		x, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	ok := func(mod func(*Lease)) Lease {
		l := Lease{UnitID: 1, Start: d("2026-03-01"), End: d("2027-02-28"), RentMinor: 125000, RentDueDay: 1}
		mod(&l)
		return l
	}
	cases := []struct {
		name  string
		l     Lease
		field string
		msg   string
	}{
		{"valid", ok(func(*Lease) {}), "", ""},
		{"open-ended", ok(func(l *Lease) { l.End = Date{} }), "", ""},
		{"one day", ok(func(l *Lease) { l.End = l.Start }), "", ""},
		{"free rent", ok(func(l *Lease) { l.RentMinor = 0 }), "", ""},
		{"no unit", ok(func(l *Lease) { l.UnitID = 0 }), "unit_id", "Choose the unit"},
		{"no start", ok(func(l *Lease) { l.Start = Date{} }), "start", "starts"},
		{"end before start", ok(func(l *Lease) { l.End = d("2026-02-28") }), "end", "on or after the start date"},
		{"negative rent", ok(func(l *Lease) { l.RentMinor = -1 }), "rent", "negative"},
		{"huge rent", ok(func(l *Lease) { l.RentMinor = MaxRentMinor + 1 }), "rent", "too large"},
		{"due day 0", ok(func(l *Lease) { l.RentDueDay = 0 }), "due_day", "1 to 28"},
		{"due day 29", ok(func(l *Lease) { l.RentDueDay = 29 }), "due_day", "1 to 28"},
		{"negative deposit", ok(func(l *Lease) { l.DepositMinor = -5 }), "deposit", "negative"},
		{"long notes", ok(func(l *Lease) { l.Notes = strings.Repeat("n", 10001) }), "notes", "at most"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fe := tc.l.Validate()
			if tc.field == "" {
				if len(fe) > 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if !strings.Contains(fe[tc.field], tc.msg) {
				t.Fatalf("want %s: %q, got %v", tc.field, tc.msg, fe)
			}
		})
	}

	ends := []struct {
		name  string
		l     Lease
		end   string
		field string
	}{
		{"inside the term", ok(func(*Lease) {}), "2026-06-30", ""},
		{"open-ended, any day after the start", ok(func(l *Lease) { l.End = Date{} }), "2030-01-01", ""},
		{"the start day", ok(func(*Lease) {}), "2026-03-01", ""},
		{"before the start", ok(func(*Lease) {}), "2026-02-27", "end"},
		{"after the current end", ok(func(*Lease) {}), "2027-03-01", "end"},
	}
	for _, tc := range ends {
		fe := tc.l.ValidateEnd(d(tc.end))
		if (tc.field == "") != (len(fe) == 0) || (tc.field != "" && fe[tc.field] == "") {
			t.Errorf("end %s: %s: got %v", tc.name, tc.end, fe)
		}
	}
	if fe := ok(func(*Lease) {}).ValidateEnd(Date{}); fe["end"] == "" {
		t.Error("an empty end date was accepted")
	}
}

func TestLeaseOverlapsAndTerm(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	l := Lease{Start: d("2026-03-01"), End: d("2026-08-31")}
	cases := []struct {
		start, end string
		want       bool
	}{
		{"2026-09-01", "", false},
		{"2026-08-31", "2026-12-31", true},
		{"2025-01-01", "2026-02-28", false},
		{"2025-01-01", "2026-03-01", true},
		{"2025-01-01", "", true},
	}
	for _, tc := range cases {
		if got := l.Overlaps(d(tc.start), d(tc.end)); got != tc.want {
			t.Errorf("Overlaps(%s, %s) = %v, want %v", tc.start, tc.end, got, tc.want)
		}
	}
	open := Lease{Start: d("2026-03-01")}
	if !open.Overlaps(d("2040-01-01"), Date{}) {
		t.Error("an open-ended lease overlaps every later day")
	}
	for _, tc := range []struct {
		l    Lease
		want string
	}{
		{l, "1 Mar 2026 – 31 Aug 2026"},
		{open, "from 1 Mar 2026, no end date"},
		{Lease{Start: d("2026-03-01"), MonthToMonth: true}, "from 1 Mar 2026, month-to-month"},
	} {
		if got := tc.l.Term(); got != tc.want {
			t.Errorf("Term = %q, want %q", got, tc.want)
		}
	}
	if !LeaseStatus("ended").Valid() || LeaseStatus("gone").Valid() || LeaseActive.Label() != "Active" {
		t.Error("LeaseStatus")
	}
}
