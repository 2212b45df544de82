package lintel

import "testing"

func TestDate(t *testing.T) {
	d, err := ParseDate("2026-02-28")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AddDays(1).String(); got != "2026-03-01" {
		t.Fatalf("AddDays = %s", got)
	}
	if d.Long() != "28 Feb 2026" {
		t.Fatalf("Long = %s", d.Long())
	}
	for _, bad := range []string{"", "2026-2-28", "28/02/2026", "2026-02-30"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	var z Date
	if v, _ := z.Value(); v != nil || z.String() != "" {
		t.Fatal("zero date must store as NULL and print empty")
	}
	var s Date
	if err := s.Scan("2026-01-05"); err != nil || s != (Date{2026, 1, 5}) {
		t.Fatalf("Scan = %v, %v", s, err)
	}
}

func TestLeaseStatusOn(t *testing.T) {
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	l := Lease{Start: day("2026-01-01"), End: day("2026-12-31")}
	cases := []struct {
		today string
		want  LeaseStatus
	}{
		{"2025-12-31", LeaseUpcoming},
		{"2026-01-01", LeaseActive},
		{"2026-12-31", LeaseActive},
		{"2027-01-01", LeaseEnded},
	}
	for _, c := range cases {
		if got := l.StatusOn(day(c.today)); got != c.want {
			t.Errorf("StatusOn(%s) = %s, want %s", c.today, got, c.want)
		}
	}
	open := Lease{Start: day("2020-01-01")}
	if open.StatusOn(day("2030-01-01")) != LeaseActive {
		t.Error("an open-ended lease stays active")
	}
}

func TestRolePermissions(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, PermManageStaff, true},
		{RoleManager, PermManageStaff, false},
		{RoleManager, PermEditRecords, true},
		{RoleBookkeeper, PermEditRecords, false},
		{RoleBookkeeper, PermPostLedger, true},
		{RoleBookkeeper, PermViewRecords, true},
		{RoleMaintenance, PermDispatch, true},
		{RoleMaintenance, PermPostLedger, false},
		{Role("owner"), PermViewRecords, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.perm); got != c.want {
			t.Errorf("%s.Can(%d) = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
}
