package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// newCompanyStaff creates a company and returns its administrator as a
// staff actor.
func newCompanyStaff(t testing.TB, db *sqldb.DB, name string) lintel.Staff {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com"
	cid, uid, err := db.CreateCompanyWithAdmin(context.Background(), sqldb.NewCompany{Name: name, AdminEmail: email, AdminName: "Admin of " + name})
	if err != nil {
		t.Fatalf("create company %s: %v", name, err)
	}
	return lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleAdmin, Name: "Admin of " + name}
}

func mustProperty(t testing.TB, db *sqldb.DB, s lintel.Staff, p lintel.Property) int64 {
	t.Helper()
	id, err := db.CreateProperty(context.Background(), s, p, nil)
	if err != nil {
		t.Fatalf("create property %q: %v", p.Name, err)
	}
	return id
}

func mustUnit(t testing.TB, db *sqldb.DB, s lintel.Staff, u lintel.Unit) int64 {
	t.Helper()
	id, err := db.CreateUnit(context.Background(), s, u)
	if err != nil {
		t.Fatalf("create unit %q: %v", u.Label, err)
	}
	return id
}

func mustContact(t testing.TB, db *sqldb.DB, s lintel.Staff, name string, owner bool) int64 {
	t.Helper()
	id, err := db.SeedContactForTest(context.Background(), s.CompanyID, name, owner, !owner)
	if err != nil {
		t.Fatalf("seed contact %q: %v", name, err)
	}
	return id
}

func date(t testing.TB, s string) lintel.Date {
	t.Helper()
	d, err := lintel.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantKind(t *testing.T, what string, err error, kind lintel.Kind) {
	t.Helper()
	if lintel.KindOf(err) != kind {
		t.Errorf("%s: got error %v (kind %d), want kind %d", what, err, lintel.KindOf(err), kind)
	}
}

func wantField(t *testing.T, what string, err error, field, contains string) {
	t.Helper()
	msg := lintel.FieldsOf(err)[field]
	if msg == "" || !strings.Contains(msg, contains) {
		t.Errorf("%s: want a message for %q containing %q, got error %v", what, field, contains, err)
	}
}

func TestPropertyCRUD(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")

		_, err := db.CreateProperty(ctx, s, lintel.Property{Name: "   ", Kind: "castle"}, nil)
		wantKind(t, "empty name", err, lintel.KindInvalid)
		wantField(t, "empty name", err, "name", "Enter a name")
		wantField(t, "bad kind", err, "kind", "Choose")

		first := &lintel.Unit{Label: " 7 Birch Lane ", Bedrooms: new(3)}
		id, err := db.CreateProperty(ctx, s, lintel.Property{Name: " 7  Birch Lane", Kind: lintel.KindSingleFamily, City: "Springfield"}, first)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Property(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "7 Birch Lane" || p.Kind != lintel.KindSingleFamily || p.City != "Springfield" || p.UnitCount != 1 || p.CompanyID != s.CompanyID || p.Archived() {
			t.Errorf("stored property = %+v", p)
		}
		units, err := db.ListUnits(ctx, s, sqldb.UnitFilter{PropertyID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(units.Units) != 1 || units.Units[0].Label != "7 Birch Lane" || *units.Units[0].Bedrooms != 3 || units.Units[0].PropertyName != "7 Birch Lane" {
			t.Fatalf("first unit = %+v", units.Units)
		}

		p.Name, p.Notes, p.Kind = "7 Birch Lane (house)", "Key in the lockbox", lintel.KindResidential
		if err := db.UpdateProperty(ctx, s, p); err != nil {
			t.Fatal(err)
		}
		p.Name = ""
		wantKind(t, "update with empty name", db.UpdateProperty(ctx, s, p), lintel.KindInvalid)
		got, _ := db.Property(ctx, s, id)
		if got.Name != "7 Birch Lane (house)" || got.Notes != "Key in the lockbox" || got.Kind != lintel.KindResidential {
			t.Errorf("after update = %+v", got)
		}

		uid := units.Units[0].ID
		u, err := db.Unit(ctx, s, uid)
		if err != nil {
			t.Fatal(err)
		}
		u.Label, u.BathroomsHalf, u.AreaSqft, u.Bedrooms = "Main house", new(3), new(1200), nil
		if err := db.UpdateUnit(ctx, s, u); err != nil {
			t.Fatal(err)
		}
		u, _ = db.Unit(ctx, s, uid)
		if u.Label != "Main house" || u.Bathrooms() != "1.5" || *u.AreaSqft != 1200 || u.Bedrooms != nil || u.Occupied {
			t.Errorf("after unit update = %+v", u)
		}

		// Archive and restore: out of the active list, into the archived one.
		if err := db.ArchiveProperty(ctx, s, id); err != nil {
			t.Fatal(err)
		}
		if err := db.ArchiveProperty(ctx, s, id); err != nil {
			t.Errorf("archiving twice: %v", err)
		}
		active, _ := db.ListProperties(ctx, s, sqldb.PropertyFilter{})
		archived, _ := db.ListProperties(ctx, s, sqldb.PropertyFilter{Archived: true})
		if len(active.Properties) != 0 || len(archived.Properties) != 1 {
			t.Errorf("after archive: %d active, %d archived", len(active.Properties), len(archived.Properties))
		}
		_, err = db.CreateUnit(ctx, s, lintel.Unit{PropertyID: id, Label: "Garage"})
		wantKind(t, "unit under archived property", err, lintel.KindConflict)
		if err := db.UnarchiveProperty(ctx, s, id); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.Property(ctx, s, id); p.Archived() {
			t.Error("still archived after unarchive")
		}

		if err := db.ArchiveUnit(ctx, s, uid); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.Unit(ctx, s, uid); !u.Archived() {
			t.Error("unit not archived")
		}
		if p, _ := db.Property(ctx, s, id); p.UnitCount != 0 {
			t.Errorf("archived unit still counted: %d", p.UnitCount)
		}
		if n, _ := db.CountArchivedUnits(ctx, s, id); n != 1 {
			t.Errorf("CountArchivedUnits = %d, want 1", n)
		}
		if err := db.UnarchiveUnit(ctx, s, uid); err != nil {
			t.Fatal(err)
		}

		log, err := db.AuditLog(ctx, s, "property", id, 20)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if want := []string{"property.unarchive", "property.archive", "property.update", "property.create"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions = %v, want %v", actions, want)
		}
		if log, _ := db.AuditLog(ctx, s, "unit", uid, 20); len(log) != 4 {
			t.Errorf("unit audit has %d events, want 4 (create, update, archive, unarchive)", len(log))
		}
	})
}

func TestPropertyRoles(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		id := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		for _, role := range []lintel.Role{lintel.RoleBookkeeper, lintel.RoleMaintenance} {
			r := s
			r.Role = role
			_, err := db.CreateProperty(ctx, r, lintel.Property{Name: "X"}, nil)
			wantKind(t, string(role)+" creates", err, lintel.KindForbidden)
			wantKind(t, string(role)+" archives", db.ArchiveProperty(ctx, r, id), lintel.KindForbidden)
			_, err = db.CreateUnit(ctx, r, lintel.Unit{PropertyID: id, Label: "1"})
			wantKind(t, string(role)+" adds a unit", err, lintel.KindForbidden)
			if _, err := db.Property(ctx, r, id); err != nil {
				t.Errorf("%s cannot read: %v", role, err)
			}
		}
	})
}

// TestPropertyScope proves a company's staff cannot see or touch another
// company's properties, units or ownerships: every answer is "not found".
func TestPropertyScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Acme Homes")
		b := newCompanyStaff(t, db, "Acme Holmes")
		pa := mustProperty(t, db, a, lintel.Property{Name: "Elm Court", City: "Springfield"})
		ua := mustUnit(t, db, a, lintel.Unit{PropertyID: pa, Label: "1A"})
		ownerA := mustContact(t, db, a, "Olive Owner", true)
		oa, err := db.CreateOwnership(ctx, a, lintel.Ownership{ContactID: ownerA, PropertyID: pa, ShareBP: 10000})
		if err != nil {
			t.Fatal(err)
		}
		pb := mustProperty(t, db, b, lintel.Property{Name: "Elm Court", City: "Springfield"})
		ownerB := mustContact(t, db, b, "Bob Owner", true)

		_, err = db.Property(ctx, b, pa)
		wantKind(t, "get property", err, lintel.KindNotFound)
		wantKind(t, "update property", db.UpdateProperty(ctx, b, lintel.Property{ID: pa, Name: "Mine now"}), lintel.KindNotFound)
		wantKind(t, "archive property", db.ArchiveProperty(ctx, b, pa), lintel.KindNotFound)
		wantKind(t, "unarchive property", db.UnarchiveProperty(ctx, b, pa), lintel.KindNotFound)
		_, err = db.Unit(ctx, b, ua)
		wantKind(t, "get unit", err, lintel.KindNotFound)
		wantKind(t, "update unit", db.UpdateUnit(ctx, b, lintel.Unit{ID: ua, Label: "Mine now"}), lintel.KindNotFound)
		wantKind(t, "archive unit", db.ArchiveUnit(ctx, b, ua), lintel.KindNotFound)
		wantKind(t, "unarchive unit", db.UnarchiveUnit(ctx, b, ua), lintel.KindNotFound)
		_, err = db.CreateUnit(ctx, b, lintel.Unit{PropertyID: pa, Label: "Sneaky"})
		wantKind(t, "unit under another company's property", err, lintel.KindNotFound)
		_, err = db.Ownership(ctx, b, oa)
		wantKind(t, "get ownership", err, lintel.KindNotFound)
		wantKind(t, "archive ownership", db.ArchiveOwnership(ctx, b, oa), lintel.KindNotFound)
		_, err = db.CreateOwnership(ctx, b, lintel.Ownership{ContactID: ownerB, PropertyID: pa, ShareBP: 100})
		wantKind(t, "ownership of another company's property", err, lintel.KindNotFound)
		_, err = db.CreateOwnership(ctx, b, lintel.Ownership{ContactID: ownerA, PropertyID: pb, ShareBP: 100})
		wantField(t, "another company's owner", err, "contact_id", "Choose an owner")
		_, err = db.CreateOwnership(ctx, b, lintel.Ownership{ContactID: ownerB, PropertyID: pb, UnitID: ua, ShareBP: 100})
		wantField(t, "another company's unit", err, "asset", "Choose")

		if owners, err := db.PropertyOwners(ctx, b, pa); err != nil || len(owners) != 0 {
			t.Errorf("PropertyOwners across companies = %v, %v", owners, err)
		}
		if n, _ := db.CountArchivedUnits(ctx, b, pa); n != 0 {
			t.Errorf("CountArchivedUnits across companies = %d", n)
		}
		if choices, _ := db.OwnerChoices(ctx, b, ""); len(choices) != 1 || choices[0].ID != ownerB {
			t.Errorf("OwnerChoices of B = %v, want only B's owner", choices)
		}
		props, _ := db.ListProperties(ctx, b, sqldb.PropertyFilter{Search: "elm"})
		if len(props.Properties) != 1 || props.Properties[0].ID != pb {
			t.Errorf("B's search sees %+v", props.Properties)
		}
		units, _ := db.ListUnits(ctx, b, sqldb.UnitFilter{})
		if len(units.Units) != 0 {
			t.Errorf("B's unit list sees %+v", units.Units)
		}
		if units, _ := db.ListUnits(ctx, b, sqldb.UnitFilter{PropertyID: pa}); len(units.Units) != 0 {
			t.Errorf("B's unit list of A's property sees %+v", units.Units)
		}
		if p, _ := db.Property(ctx, a, pa); p.Name != "Elm Court" || p.Archived() {
			t.Errorf("A's property changed by B: %+v", p)
		}
	})
}

func TestListPropertiesSearchAndFilters(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		ids := map[string]int64{}
		for _, p := range []lintel.Property{
			{Name: "Elm Court", AddressLine1: "1 Elm Street", City: "Springfield", Kind: lintel.KindResidential},
			{Name: "Birch House", AddressLine1: "7 Birch Lane", City: "Shelbyville", Kind: lintel.KindSingleFamily},
			{Name: "Oak Plaza", AddressLine1: "100% Main Road", City: "Springfield", Kind: lintel.KindCommercial},
			{Name: "Maple_Lofts", AddressLine1: "9 Oak Avenue", City: "Capital City", Kind: lintel.KindMixedUse},
		} {
			ids[p.Name] = mustProperty(t, db, s, p)
		}
		mustUnit(t, db, s, lintel.Unit{PropertyID: ids["Elm Court"], Label: "1A"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: ids["Elm Court"], Label: "1B"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: ids["Elm Court"], Label: "Laundry room", CommonArea: true})
		if err := db.ArchiveProperty(ctx, s, ids["Birch House"]); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    sqldb.PropertyFilter
			want []string
		}{
			{"all in use, by name", sqldb.PropertyFilter{}, []string{"Elm Court", "Maple_Lofts", "Oak Plaza"}},
			{"archived", sqldb.PropertyFilter{Archived: true}, []string{"Birch House"}},
			{"name, any case", sqldb.PropertyFilter{Search: "eLM"}, []string{"Elm Court"}},
			{"address", sqldb.PropertyFilter{Search: "oak"}, []string{"Maple_Lofts", "Oak Plaza"}},
			{"city", sqldb.PropertyFilter{Search: "springFIELD"}, []string{"Elm Court", "Oak Plaza"}},
			{"percent is literal", sqldb.PropertyFilter{Search: "100%"}, []string{"Oak Plaza"}},
			{"underscore is literal", sqldb.PropertyFilter{Search: "m_p"}, nil},
			{"underscore matches itself", sqldb.PropertyFilter{Search: "_lofts"}, []string{"Maple_Lofts"}},
			{"kind", sqldb.PropertyFilter{Kind: lintel.KindCommercial}, []string{"Oak Plaza"}},
			{"kind and search", sqldb.PropertyFilter{Kind: lintel.KindCommercial, Search: "elm"}, nil},
			{"archived search", sqldb.PropertyFilter{Archived: true, Search: "birch"}, []string{"Birch House"}},
			{"nothing", sqldb.PropertyFilter{Search: "zzz"}, nil},
		}
		for _, tt := range tests {
			page, err := db.ListProperties(ctx, s, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, p := range page.Properties {
				got = append(got, p.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
			if page.Next != nil || page.Prev != nil {
				t.Errorf("%s: a single page has neighbours %v %v", tt.name, page.Next, page.Prev)
			}
		}
		page, _ := db.ListProperties(ctx, s, sqldb.PropertyFilter{Search: "elm"})
		if p := page.Properties[0]; p.UnitCount != 2 || p.CommonAreaCount != 1 {
			t.Errorf("counts of Elm Court: %d units, %d common areas; want 2 and 1", p.UnitCount, p.CommonAreaCount)
		}
	})
}

func TestUnitFilters(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		elm := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		oak := mustProperty(t, db, s, lintel.Property{Name: "Oak Plaza"})
		gone := mustProperty(t, db, s, lintel.Property{Name: "Gone Place"})
		e1 := mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "E1"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "E2"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "Laundry", CommonArea: true})
		o1 := mustUnit(t, db, s, lintel.Unit{PropertyID: oak, Label: "O1"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: gone, Label: "G1"})
		if err := db.ArchiveProperty(ctx, s, gone); err != nil {
			t.Fatal(err)
		}
		if err := db.ArchiveUnit(ctx, s, o1); err != nil {
			t.Fatal(err)
		}
		today := lintel.DateOf(db.Now())
		if _, err := db.SeedLeaseForTest(ctx, s.CompanyID, e1, today.AddDays(-30), lintel.Date{}); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		tests := []struct {
			name string
			f    sqldb.UnitFilter
			want []string
		}{
			{"in use, property in use", sqldb.UnitFilter{}, []string{"E1", "E2", "Laundry"}},
			{"archived", sqldb.UnitFilter{Archived: true}, []string{"O1"}},
			{"one property", sqldb.UnitFilter{PropertyID: oak}, nil},
			{"one property, archived", sqldb.UnitFilter{PropertyID: oak, Archived: true}, []string{"O1"}},
			{"archived property's units by property", sqldb.UnitFilter{PropertyID: gone}, []string{"G1"}},
			{"common areas", sqldb.UnitFilter{CommonArea: &yes}, []string{"Laundry"}},
			{"rentable", sqldb.UnitFilter{CommonArea: &no}, []string{"E1", "E2"}},
			{"occupied", sqldb.UnitFilter{Occupancy: sqldb.OccupancyOccupied}, []string{"E1"}},
			{"vacant", sqldb.UnitFilter{Occupancy: sqldb.OccupancyVacant}, []string{"E2"}},
			{"search label", sqldb.UnitFilter{Search: "laun"}, []string{"Laundry"}},
			{"search property", sqldb.UnitFilter{Search: "ELM"}, []string{"E1", "E2", "Laundry"}},
		}
		for _, tt := range tests {
			page, err := db.ListUnits(ctx, s, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, u := range page.Units {
				got = append(got, u.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		if u, _ := db.Unit(ctx, s, e1); !u.Occupied {
			t.Error("unit with a current lease is not occupied")
		}
		wantKind(t, "archive occupied unit", db.ArchiveUnit(ctx, s, e1), lintel.KindConflict)
		wantKind(t, "archive property with a lease", db.ArchiveProperty(ctx, s, elm), lintel.KindConflict)
	})
}

// TestKeysetPagination walks the lists forwards and backwards across pages,
// with names that tie (so the id breaks them), and checks each row shows up
// exactly once in order.
func TestKeysetPagination(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		other := newCompanyStaff(t, db, "Other Co")
		mustProperty(t, db, other, lintel.Property{Name: "Property 05"})
		var want []int64
		var prop int64
		for i := range 23 {
			name := fmt.Sprintf("Property %02d", i/2) // pairs of equal names
			prop = mustProperty(t, db, s, lintel.Property{Name: name})
			want = append(want, prop)
		}
		var wantUnits []int64
		for i := range 17 {
			wantUnits = append(wantUnits, mustUnit(t, db, s, lintel.Unit{PropertyID: prop, Label: fmt.Sprintf("U%d", i/3)}))
		}

		walk := func(list func(after, before *sqldb.Keyset) ([]int64, *sqldb.Keyset, *sqldb.Keyset)) (forward, backward []int64, pages int) {
			var after, prev *sqldb.Keyset
			var chunks [][]int64 // pages read backwards, last page first
			for {
				ids, next, p := list(after, nil)
				if (pages == 0) != (p == nil) {
					t.Errorf("page %d: previous link %v", pages+1, p)
				}
				forward = append(forward, ids...)
				pages++
				if next == nil {
					chunks, prev = append(chunks, ids), p
					break
				}
				after = next
				if pages > 100 {
					t.Fatal("pagination does not end")
				}
			}
			for prev != nil {
				ids, next, p := list(nil, prev)
				if next == nil {
					t.Error("a page reached backwards has no next link")
				}
				chunks, prev = append(chunks, ids), p
				if len(chunks) > 100 {
					t.Fatal("backward pagination does not end")
				}
			}
			for i := len(chunks) - 1; i >= 0; i-- {
				backward = append(backward, chunks[i]...)
			}
			return forward, backward, pages
		}

		forward, backward, pages := walk(func(after, before *sqldb.Keyset) ([]int64, *sqldb.Keyset, *sqldb.Keyset) {
			page, err := db.ListProperties(ctx, s, sqldb.PropertyFilter{After: after, Before: before, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range page.Properties {
				ids = append(ids, p.ID)
			}
			return ids, page.Next, page.Prev
		})
		if !slices.Equal(forward, want) || !slices.Equal(backward, want) || pages != 5 {
			t.Errorf("properties:\nforward  %v\nbackward %v\nwant     %v (%d pages, want 5)", forward, backward, want, pages)
		}

		forward, backward, pages = walk(func(after, before *sqldb.Keyset) ([]int64, *sqldb.Keyset, *sqldb.Keyset) {
			page, err := db.ListUnits(ctx, s, sqldb.UnitFilter{PropertyID: prop, After: after, Before: before, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, u := range page.Units {
				ids = append(ids, u.ID)
			}
			return ids, page.Next, page.Prev
		})
		if !slices.Equal(forward, wantUnits) || !slices.Equal(backward, wantUnits) || pages != 5 {
			t.Errorf("units:\nforward  %v\nbackward %v\nwant     %v (%d pages, want 5)", forward, backward, wantUnits, pages)
		}

		// A page that exactly fills the limit has no next page.
		page, err := db.ListProperties(ctx, s, sqldb.PropertyFilter{Limit: 23})
		if err != nil || len(page.Properties) != 23 || page.Next != nil {
			t.Errorf("exact page: %d rows, next %v, err %v", len(page.Properties), page.Next, err)
		}
	})
}

func TestOwnershipShares(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		elm := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		oak := mustProperty(t, db, s, lintel.Property{Name: "Oak Plaza"})
		unit := mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "1A"})
		oakUnit := mustUnit(t, db, s, lintel.Unit{PropertyID: oak, Label: "O1"})
		ann := mustContact(t, db, s, "Ann Owner", true)
		ben := mustContact(t, db, s, "Ben Owner", true)
		cat := mustContact(t, db, s, "Cat Owner", true)
		tenant := mustContact(t, db, s, "Tim Tenant", false)

		create := func(o lintel.Ownership) (int64, error) { return db.CreateOwnership(ctx, s, o) }
		annID, err := create(lintel.Ownership{ContactID: ann, PropertyID: elm, ShareBP: 6000})
		if err != nil {
			t.Fatal(err)
		}
		_, err = create(lintel.Ownership{ContactID: ben, PropertyID: elm, ShareBP: 5000})
		wantField(t, "over 100%", err, "share", "Only 40% of this property is left")
		_, err = create(lintel.Ownership{ContactID: ann, PropertyID: elm, ShareBP: 1000})
		wantField(t, "same owner twice", err, "contact_id", "Ann Owner already owns this property")
		_, err = create(lintel.Ownership{ContactID: tenant, PropertyID: elm, ShareBP: 1000})
		wantField(t, "a tenant is not an owner", err, "contact_id", "Choose an owner")
		_, err = create(lintel.Ownership{ContactID: ben, PropertyID: elm, UnitID: oakUnit, ShareBP: 1000})
		wantField(t, "unit of another property", err, "asset", "Choose")
		_, err = create(lintel.Ownership{ContactID: ben, PropertyID: elm, ShareBP: 0})
		wantField(t, "zero share", err, "share", "above 0")
		if _, err := create(lintel.Ownership{ContactID: ben, PropertyID: elm, ShareBP: 4000}); err != nil {
			t.Fatal(err)
		}
		_, err = create(lintel.Ownership{ContactID: cat, PropertyID: elm, ShareBP: 1})
		wantField(t, "full", err, "share", "already hold 100%")

		// A unit's shares are counted apart from the property's.
		if _, err := create(lintel.Ownership{ContactID: cat, PropertyID: elm, UnitID: unit, ShareBP: 3333}); err != nil {
			t.Fatal(err)
		}
		_, err = create(lintel.Ownership{ContactID: ann, PropertyID: elm, UnitID: unit, ShareBP: 6668})
		wantField(t, "unit over 100%", err, "share", "Only 66.67% of this unit is left")
		// An ownership that ended yesterday does not count.
		today := lintel.DateOf(db.Now())
		if _, err := create(lintel.Ownership{ContactID: ann, PropertyID: oak, ShareBP: 10000, Start: today.AddDays(-100), End: today.AddDays(-1)}); err != nil {
			t.Fatal(err)
		}
		if _, err := create(lintel.Ownership{ContactID: ben, PropertyID: oak, ShareBP: 10000}); err != nil {
			t.Errorf("an ended ownership still counts: %v", err)
		}

		owners, err := db.PropertyOwners(ctx, s, elm)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range owners {
			got = append(got, fmt.Sprintf("%s %s %s", o.UnitLabel, o.ContactName, o.Share()))
		}
		if want := []string{" Ann Owner 60%", " Ben Owner 40%", "1A Cat Owner 33.33%"}; !slices.Equal(got, want) {
			t.Errorf("owners = %q, want %q", got, want)
		}

		// Archiving makes room again, and the ownership leaves the list.
		if err := db.ArchiveOwnership(ctx, s, annID); err != nil {
			t.Fatal(err)
		}
		if err := db.ArchiveOwnership(ctx, s, annID); err != nil {
			t.Errorf("archive twice: %v", err)
		}
		if o, err := db.Ownership(ctx, s, annID); err != nil || o.ArchivedAt.IsZero() || o.PropertyID != elm || o.ContactName != "Ann Owner" {
			t.Errorf("archived ownership = %+v, %v", o, err)
		}
		if _, err := create(lintel.Ownership{ContactID: cat, PropertyID: elm, ShareBP: 6000}); err != nil {
			t.Errorf("after archiving 60%%: %v", err)
		}
		if owners, _ := db.PropertyOwners(ctx, s, elm); len(owners) != 3 {
			t.Errorf("after archive and re-add: %d owners, want 3", len(owners))
		}
		if log, _ := db.AuditLog(ctx, s, "ownership", annID, 10); len(log) != 2 {
			t.Errorf("ownership audit has %d events, want 2", len(log))
		}

		choices, err := db.OwnerChoices(ctx, s, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(choices) != 3 || choices[0].Name != "Ann Owner" {
			t.Errorf("OwnerChoices = %v", choices)
		}
		if choices, _ := db.OwnerChoices(ctx, s, "BEN"); len(choices) != 1 || choices[0].ID != ben {
			t.Errorf("OwnerChoices(BEN) = %v", choices)
		}
	})
}

func TestDashboardCounts(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		other := newCompanyStaff(t, db, "Other Co")
		if d, err := db.DashboardCounts(ctx, s); err != nil || d != (sqldb.DashboardCounts{}) {
			t.Fatalf("empty company: %+v, %v", d, err)
		}
		mustProperty(t, db, other, lintel.Property{Name: "Not ours"})
		elm := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		mustProperty(t, db, s, lintel.Property{Name: "Oak Plaza"})
		u1 := mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "1"})
		u2 := mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "2"})
		mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "Laundry", CommonArea: true})
		tim := mustContact(t, db, s, "Tim", false)
		ann := mustContact(t, db, s, "Ann", true)
		if _, err := db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: ann, PropertyID: elm, UnitID: u2, ShareBP: 10000}); err != nil {
			t.Fatal(err)
		}
		today := lintel.DateOf(db.Now())
		if _, err := db.SeedLeaseForTest(ctx, s.CompanyID, u1, today.AddDays(-10), today.AddDays(20), tim); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SeedLeaseForTest(ctx, s.CompanyID, u2, today.AddDays(5), lintel.Date{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SeedLeaseForTest(ctx, s.CompanyID, u2, today.AddDays(-400), today.AddDays(-40)); err != nil {
			t.Fatal(err)
		}
		d, err := db.DashboardCounts(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		want := sqldb.DashboardCounts{Properties: 2, Units: 2, CommonAreas: 1, OccupiedUnits: 1, Tenants: 1, Owners: 1,
			ActiveLeases: 1, UpcomingLeases: 1, EndingSoon: 1, Unowned: 1, TenantsNotAsked: 1}
		if d != want {
			t.Errorf("counts:\n got %+v\nwant %+v", d, want)
		}
	})
}
