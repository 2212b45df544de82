package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func leaseIDs(ls []sqldb.ResidentLeaseItem) []int64 {
	var out []int64
	for _, l := range ls {
		out = append(out, l.ID)
	}
	return out
}

func TestResidentLeases(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, b := w.A, w.B
		exec(t, db, `UPDATE companies SET email = 'desk@harbour.test', phone = '+1 555 0199', address = '9 Quay St' WHERE id = $1`, a.ID)
		everyLease := []int64{a.Lease, a.EndedLease, a.OtherLease, b.Lease, b.EndedLease, b.OtherLease}
		for _, tc := range []struct {
			p         testkit.Persona
			leases    []int64
			status    lintel.LeaseStatus
			coTenants []string
		}{
			{testkit.Tenant, []int64{a.Lease}, lintel.LeaseActive, []string{"Cotenant Harbour"}},
			{testkit.Cotenant, []int64{a.Lease}, lintel.LeaseActive, []string{"Tenant Harbour"}},
			{testkit.FormerTenant, []int64{a.EndedLease}, lintel.LeaseEnded, nil},
			{testkit.OtherTenant, []int64{a.OtherLease}, lintel.LeaseActive, nil},
			{testkit.PropertyOwner, nil, "", nil},
			{testkit.Admin, nil, "", nil},
		} {
			t.Run(string(tc.p), func(t *testing.T) {
				r := residentOf(a, tc.p)
				got := get(db.ResidentLeases(ctx, r)).ok(t)
				if !slices.Equal(leaseIDs(got), tc.leases) {
					t.Fatalf("leases = %v, want %v", leaseIDs(got), tc.leases)
				}
				for _, id := range everyLease {
					l, err := db.ResidentLease(ctx, r, id)
					if !slices.Contains(tc.leases, id) {
						if !lintel.IsNotFound(err) {
							t.Errorf("lease %d: err = %v, want not found", id, err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if l.Status != tc.status || !slices.Equal(l.CoTenants, tc.coTenants) || l.Company.Name != "Harbour Lettings" ||
						l.Company.Email != "desk@harbour.test" || l.Company.Phone != "+1 555 0199" || l.Company.Address != "9 Quay St" {
						t.Errorf("lease %d = %+v", id, l)
					}
				}
			})
		}

		// The active lease's page: terms as recorded, and its requests.
		l := get(db.ResidentLease(ctx, residentOf(a, testkit.Tenant), a.Lease)).ok(t)
		if l.Rent() != "$1,200.00" || l.RentDueDay != 1 || l.Deposit() != "$1,200.00" || !l.MonthToMonth || l.UnitLabel != "Apt 1" ||
			l.PropertyName != "Harbour House" || l.Address != "1 Harbour Road, Springfield 12345, US" {
			t.Errorf("lease = %+v", l)
		}
		var reqs []int64
		for _, q := range l.Requests {
			reqs = append(reqs, q.ID)
		}
		if !slices.Contains(reqs, a.Request) || slices.Contains(reqs, a.OwnerRequest) || slices.Contains(reqs, a.OtherRequest) {
			t.Errorf("requests on the lease = %v", reqs)
		}
	})
}

func TestResidentAssets(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, b := w.A, w.B
		type asset struct {
			kind string
			id   int64
		}
		every := []asset{{"property", a.Property}, {"property", a.OtherProperty}, {"unit", a.Unit}, {"unit", a.OwnedUnit},
			{"unit", a.CommonArea}, {"property", b.Property}, {"unit", b.OwnedUnit}, {"garage", a.Property}}
		for _, tc := range []struct {
			p      testkit.Persona
			owns   []asset
			share  string
			units  int // units to let
			let    int
			open   []int64
			labels []string // units on the asset's page
		}{
			// The whole property: Apt 1 let, Apt 2 not, the laundry room a
			// common area; every open request on it.
			{testkit.PropertyOwner, []asset{{"property", a.Property}}, "60%", 2, 1,
				[]int64{a.Request, a.OwnerRequest, a.ApprovalRequest}, []string{"Apt 1", "Apt 2", "Laundry room"}},
			{testkit.UnitOwner, []asset{{"unit", a.OwnedUnit}}, "100%", 1, 0, []int64{a.OwnerRequest}, []string{"Apt 2"}},
			{testkit.OtherOwner, []asset{{"property", a.OtherProperty}}, "100%", 1, 1, []int64{a.OtherRequest}, []string{"Unit A"}},
			{testkit.Tenant, nil, "", 0, 0, nil, nil},
		} {
			t.Run(string(tc.p), func(t *testing.T) {
				r := residentOf(a, tc.p)
				list := get(db.ResidentAssets(ctx, r)).ok(t)
				var owns []asset
				for _, it := range list {
					owns = append(owns, asset{it.Kind, it.ID()})
					if it.Share() != tc.share || it.Units != tc.units || it.Occupied != tc.let || it.OpenRequests != len(tc.open) {
						t.Errorf("list item = %+v", it)
					}
				}
				if !slices.Equal(owns, tc.owns) {
					t.Fatalf("owns %v, want %v", owns, tc.owns)
				}
				for _, as := range every {
					v, err := db.ResidentAsset(ctx, r, as.kind, as.id)
					if !slices.Contains(tc.owns, as) {
						if !lintel.IsNotFound(err) {
							t.Errorf("%v: err = %v, want not found", as, err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					var labels []string
					for _, u := range v.UnitList {
						labels = append(labels, u.Label)
						if u.Label == "Apt 1" && (!u.Occupied() || u.Lease.Rent() != "$1,200.00" || u.Lease.Status != lintel.LeaseActive) {
							t.Errorf("Apt 1 = %+v %+v", u, u.Lease)
						}
						if u.Label == "Apt 2" && u.Lease != nil {
							t.Errorf("Apt 2 has a lease: %+v", u.Lease)
						}
					}
					var open []int64
					for _, q := range v.Requests {
						open = append(open, q.ID)
					}
					slices.Sort(open)
					want := slices.Sorted(slices.Values(tc.open))
					if !slices.Equal(labels, tc.labels) || !slices.Equal(open, want) || v.Share() != tc.share || v.Company.Name != "Harbour Lettings" {
						t.Errorf("asset %v: units %v, open %v (want %v), %+v", as, labels, open, want, v.ResidentAssetItem)
					}
				}
			})
		}
	})
}

func TestPortalCompanySwitch(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, b := w.A, w.B
		// A's tenant is also on B's other lease, under the same e-mail.
		pat := residentOf(a, testkit.Tenant)
		inB := get(db.CreateContact(ctx, b.Staff[testkit.Admin], lintel.Contact{Name: "Pat in Ridge", IsTenant: true,
			Emails: []lintel.ContactEmail{{Email: pat.Email}}})).ok(t)
		noErr(t, db.AddLeaseTenant(ctx, b.Staff[testkit.Admin], b.OtherLease, inB))

		check := func(current int64, leases []int64) {
			t.Helper()
			nav := get(db.PortalNavOf(ctx, pat)).ok(t)
			if len(nav.Companies) != 2 || nav.CurrentCompanyID != current || !nav.Tenant || nav.Owner {
				t.Errorf("nav = %+v, want current %d", nav, current)
			}
			got := leaseIDs(get(db.ResidentLeases(ctx, pat)).ok(t))
			slices.Sort(got)
			if !slices.Equal(got, slices.Sorted(slices.Values(leases))) {
				t.Errorf("leases = %v, want %v", got, leases)
			}
		}
		check(0, []int64{a.Lease, b.OtherLease})

		noErr(t, db.SetPortalCompany(ctx, pat, b.ID))
		check(b.ID, []int64{b.OtherLease})
		if _, err := db.ResidentLease(ctx, pat, a.Lease); !lintel.IsNotFound(err) {
			t.Errorf("A's lease while looking at B: %v", err)
		}
		for _, q := range get(db.ResidentRequests(ctx, pat, sqldb.ResidentRequestFilter{})).ok(t).Requests {
			if q.CompanyID != b.ID {
				t.Errorf("request %d of company %d shows while looking at B", q.ID, q.CompanyID)
			}
		}

		noErr(t, db.SetPortalCompany(ctx, pat, 0))
		check(0, []int64{a.Lease, b.OtherLease})

		// A company the person is not linked to is refused, and changes
		// nothing.
		other := residentOf(a, testkit.OtherOwner)
		if err := db.SetPortalCompany(ctx, other, b.ID); !lintel.IsNotFound(err) {
			t.Errorf("unlinked company: %v", err)
		}
		if err := db.SetPortalCompany(ctx, pat, 987654); !lintel.IsNotFound(err) {
			t.Errorf("missing company: %v", err)
		}
		check(0, []int64{a.Lease, b.OtherLease})

		// A choice gone stale (the record in B archived) shows everything
		// the person is still linked to, not an empty portal.
		noErr(t, db.SetPortalCompany(ctx, pat, b.ID))
		exec(t, db, `UPDATE contacts SET archived_at = '2026-01-01T00:00:00.000000Z' WHERE id = $1`, inB)
		nav := get(db.PortalNavOf(ctx, pat)).ok(t)
		if len(nav.Companies) != 1 || nav.CurrentCompanyID != 0 || !nav.Tenant {
			t.Errorf("nav after archive = %+v", nav)
		}
		if got := leaseIDs(get(db.ResidentLeases(ctx, pat)).ok(t)); !slices.Equal(got, []int64{a.Lease}) {
			t.Errorf("leases after archive = %v", got)
		}
	})
}

func TestPortalNavTabs(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		for _, tc := range []struct {
			p              testkit.Persona
			tenant, owner  bool
			pendingForThem int
		}{
			{testkit.Tenant, true, false, 0},
			{testkit.FormerTenant, true, false, 0},
			// The fixture's approval is the whole property's owners' to give.
			{testkit.PropertyOwner, false, true, 1},
			{testkit.UnitOwner, false, true, 0},
			{testkit.Admin, false, false, 0},
		} {
			nav := get(db.PortalNavOf(ctx, residentOf(w.A, tc.p))).ok(t)
			if nav.Tenant != tc.tenant || nav.Owner != tc.owner || nav.PendingApprovals != tc.pendingForThem {
				t.Errorf("%s: nav = %+v", tc.p, nav)
			}
			linked := tc.tenant || tc.owner
			if linked && (len(nav.Companies) != 1 || nav.Companies[0].ID != w.A.ID) || !linked && len(nav.Companies) != 0 {
				t.Errorf("%s: companies = %+v", tc.p, nav.Companies)
			}
		}
	})
}
