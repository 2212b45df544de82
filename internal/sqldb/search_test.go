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

// searchFixture is one company's records for the search tests, each id
// under a short name. Two companies get the very same words, so a search
// that leaks across companies finds twice as much.
type searchFixture struct {
	s   lintel.Staff
	ids map[string]int64
}

func newSearchFixture(t *testing.T, db *sqldb.DB, company string) searchFixture {
	t.Helper()
	ctx := context.Background()
	f := searchFixture{s: newCompanyStaff(t, db, company), ids: map[string]int64{}}
	f.ids["harbourside"] = mustProperty(t, db, f.s, lintel.Property{Name: "Harbourside Court", AddressLine1: "12 Quay Street",
		City: "Portsmouth", PostalCode: "PO1 3AB", Country: "GB"})
	f.ids["elm"] = mustProperty(t, db, f.s, lintel.Property{Name: "Elm House", AddressLine1: "4 Birch Road", City: "Leeds",
		PostalCode: "LS2 7QT", Country: "GB"})
	f.ids["4b"] = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.ids["harbourside"], Label: "Flat 4B"})
	f.ids["12"] = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.ids["harbourside"], Label: "Flat 12"})
	f.ids["garden"] = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.ids["elm"], Label: "Garden Flat"})
	contact := func(key string, c lintel.Contact) {
		f.ids[key] = get(db.CreateContact(ctx, f.s, c)).ok(t)
	}
	contact("amara", lintel.Contact{Name: "Amara O'Neill", IsTenant: true,
		Emails: []lintel.ContactEmail{{Email: "amara.oneill@example.com"}, {Email: "a.o@work.example"}}})
	contact("kenji", lintel.Contact{Name: "Kenji Tanaka", IsOwner: true, Emails: []lintel.ContactEmail{{Email: "kenji@tanaka.jp"}}})
	contact("zoe", lintel.Contact{Name: "Zoë Brandt", IsTenant: true, Emails: []lintel.ContactEmail{{Email: "zoe@brandt.example"}}})
	lease := func(key, unit, tenant string) {
		l := testLease(f.ids[unit], date(t, "2024-01-01"), lintel.Date{})
		f.ids[key] = get(db.CreateLease(ctx, f.s, l, []int64{f.ids[tenant]}, nil)).ok(t)
	}
	lease("lease-4b", "4b", "amara")
	lease("lease-garden", "garden", "zoe")
	var category int64 // one without questions to answer
	for _, c := range get(db.Categories(ctx, f.s)).ok(t) {
		if len(c.Questions) == 0 {
			category = c.ID
		}
	}
	request := func(key, property, unit, summary, description string) {
		f.ids[key] = get(db.CreateRequest(ctx, f.s, sqldb.NewRequest{PropertyID: f.ids[property], UnitID: f.ids[unit],
			CategoryID: category, Summary: summary, Description: description}, nil)).ok(t)
	}
	request("boiler", "harbourside", "4b", "Boiler pressure low", `The "combi" boiler loses pressure (every 2–3 days).`)
	request("tap", "harbourside", "12", "Leaking tap", "Kitchen tap drips * constantly; NEAR the window - see photo")
	request("door", "elm", "garden", "Door sticks", "Front door swells and sticks in rain")
	return f
}

// want maps names to ids, in the order given.
func (f searchFixture) want(keys ...string) []int64 {
	out := []int64{}
	for _, k := range keys {
		out = append(out, f.ids[k])
	}
	return out
}

// searchAll runs query through every list's search and returns each
// list's ids, sorted.
func searchAll(t *testing.T, db *sqldb.DB, s lintel.Staff, query string) map[string][]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string][]int64{}
	add := func(list string, id int64) { out[list] = append(out[list], id) }
	rs := get(db.ListRequests(ctx, s, sqldb.RequestFilter{Status: sqldb.FilterAll, Search: query})).ok(t)
	for _, r := range rs.Requests {
		add("requests", r.ID)
	}
	for _, c := range get(db.ListContacts(ctx, s, sqldb.ContactFilter{Search: query})).ok(t).Contacts {
		add("contacts", c.ID)
	}
	for _, p := range get(db.ListProperties(ctx, s, sqldb.PropertyFilter{Search: query})).ok(t).Properties {
		add("properties", p.ID)
	}
	for _, u := range get(db.ListUnits(ctx, s, sqldb.UnitFilter{Search: query})).ok(t).Units {
		add("units", u.ID)
	}
	for _, l := range get(db.ListLeases(ctx, s, sqldb.LeaseFilter{Search: query})).ok(t).Leases {
		add("leases", l.ID)
	}
	for _, o := range get(db.OwnerChoices(ctx, s, query)).ok(t) {
		add("owners", o.ID)
	}
	for k, ids := range out {
		out[k] = sorted(ids...)
	}
	return out
}

// wantSearch checks every list's result for query: want names each list's
// expected keys; lists it leaves out must find nothing.
func wantSearch(t *testing.T, db *sqldb.DB, f searchFixture, query string, want map[string][]string) {
	t.Helper()
	got := searchAll(t, db, f.s, query)
	for _, list := range []string{"requests", "contacts", "properties", "units", "leases", "owners"} {
		w := sorted(f.want(want[list]...)...)
		if g := got[list]; !slices.Equal(g, w) {
			t.Errorf("search %q in %s: got %v, want %v (%v)", query, list, g, w, want[list])
		}
	}
}

func TestTextSearch(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		a := newSearchFixture(t, db, "Harbour Lettings")
		b := newSearchFixture(t, db, "Ridge Lettings")
		for _, tc := range []struct {
			name  string
			query string
			want  map[string][]string
		}{
			{"request summary", "pressure low", map[string][]string{"requests": {"boiler"}}},
			{"request description, any case", "LOSES PRESS", map[string][]string{"requests": {"boiler"}}},
			{"request unit label", "flat 1", map[string][]string{"requests": {"tap"}, "units": {"12"}}},
			{"contact name", "amara", map[string][]string{"contacts": {"amara"}, "leases": {"lease-4b"}}},
			{"contact e-mail, any case", "ONEILL@", map[string][]string{"contacts": {"amara"}}},
			{"contact second e-mail", "work.exa", map[string][]string{"contacts": {"amara"}}},
			{"a contact with two matching e-mails comes once", "example", map[string][]string{"contacts": {"amara", "zoe"}}},
			{"apostrophe", "o'n", map[string][]string{"contacts": {"amara"}, "leases": {"lease-4b"}}},
			{"accented letter", "zoë b", map[string][]string{"contacts": {"zoe"}, "leases": {"lease-garden"}}},
			{"owner", "tanaka", map[string][]string{"contacts": {"kenji"}, "owners": {"kenji"}}},
			{"property name", "harbourside", map[string][]string{"properties": {"harbourside"}, "units": {"4b", "12"}, "leases": {"lease-4b"}}},
			{"property address", "QUAY st", map[string][]string{"properties": {"harbourside"}}},
			{"property city", "leeds", map[string][]string{"properties": {"elm"}}},
			{"property postal code", "ls2 7q", map[string][]string{"properties": {"elm"}}},
			{"property name in units and leases", "elm h", map[string][]string{"properties": {"elm"}, "units": {"garden"}, "leases": {"lease-garden"}}},
			{"unit label in leases", "garden", map[string][]string{"requests": {"door"}, "units": {"garden"}, "leases": {"lease-garden"}}},
			{"tenant name in leases", "brandt", map[string][]string{"contacts": {"zoe"}, "leases": {"lease-garden"}}},
			{"every unit", "flat", map[string][]string{"units": {"4b", "12", "garden"}, "requests": {"boiler", "tap", "door"},
				"leases": {"lease-4b", "lease-garden"}}},
			{"no match", "xylophone", nil},
			{"three characters", "tap", map[string][]string{"requests": {"tap"}}},

			// What FTS5 would read as query syntax is only text here.
			{"double quotes", `"combi"`, map[string][]string{"requests": {"boiler"}}},
			{"only quotes", `"""`, nil},
			{"unbalanced quote", `"combi`, map[string][]string{"requests": {"boiler"}}},
			{"star", "drips *", map[string][]string{"requests": {"tap"}}},
			{"NEAR", "NEAR the", map[string][]string{"requests": {"tap"}}},
			{"NEAR()", "NEAR(tap window)", nil},
			{"minus", "- see", map[string][]string{"requests": {"tap"}}},
			{"parenthesis", "(every 2", map[string][]string{"requests": {"boiler"}}},
			{"AND", "AND", map[string][]string{"requests": {"door"}, "contacts": {"zoe"}, "leases": {"lease-garden"}}},
			{"OR and NOT", "tap OR door NOT rain", nil},
			{"column filter", "summary: door", nil},
			{"caret and braces", "^{summary}", nil},
			{"non-ASCII punctuation", "2–3", map[string][]string{"requests": {"boiler"}}},
			{"LIKE wildcards are literal", "%a_", nil},
			{"long query", strings.Repeat("wainscot ", 60), nil},

			// Under three characters the trigram indexes cannot help; the
			// search means the same.
			{"two characters", "4b", map[string][]string{"requests": {"boiler"}, "units": {"4b"}, "leases": {"lease-4b"}}},
			{"two characters, another field", "ta", map[string][]string{"requests": {"tap"}, "contacts": {"kenji"}, "owners": {"kenji"}}},
			{"one character", "q", map[string][]string{"properties": {"harbourside", "elm"}}},
			{"one quote", `"`, map[string][]string{"requests": {"boiler"}}},
			{"two characters, no match", "zq", nil},
		} {
			t.Run(tc.name, func(t *testing.T) { wantSearch(t, db, a, tc.query, tc.want) })
		}
		// The other company finds its own rows for the same words.
		if got, want := searchAll(t, db, b.s, "harbourside")["units"], sorted(b.want("4b", "12")...); !slices.Equal(got, want) {
			t.Errorf("company B's units for harbourside: %v, want %v", got, want)
		}
	})
}

// Edits and deletions reach the search at once, whoever makes them.
func TestTextSearchFollowsChanges(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newSearchFixture(t, db, "Harbour Lettings")
		newSearchFixture(t, db, "Ridge Lettings")
		s := a.s

		d := get(db.StaffRequest(ctx, s, a.ids["boiler"])).ok(t)
		noErr(t, db.UpdateRequest(ctx, s, a.ids["boiler"], sqldb.RequestEdit{Summary: "Radiator cold", Description: "Upstairs radiator stays cold.",
			Priority: d.Request.Priority, CategoryID: d.Request.CategoryID, Version: d.Request.Version}))
		wantSearch(t, db, a, "radiator", map[string][]string{"requests": {"boiler"}})
		wantSearch(t, db, a, "pressure", nil)

		u := get(db.Unit(ctx, s, a.ids["12"])).ok(t)
		u.Label = "Penthouse"
		noErr(t, db.UpdateUnit(ctx, s, u))
		wantSearch(t, db, a, "penthouse", map[string][]string{"requests": {"tap"}, "units": {"12"}})
		wantSearch(t, db, a, "flat 1", nil)

		p := get(db.Property(ctx, s, a.ids["elm"])).ok(t)
		p.Name, p.City = "Birch Court", "York"
		noErr(t, db.UpdateProperty(ctx, s, p))
		wantSearch(t, db, a, "birch c", map[string][]string{"properties": {"elm"}, "units": {"garden"}, "leases": {"lease-garden"}})
		wantSearch(t, db, a, "york", map[string][]string{"properties": {"elm"}})
		wantSearch(t, db, a, "leeds", nil)

		c := get(db.Contact(ctx, s, a.ids["amara"])).ok(t)
		c.Name = "Amara Okafor"
		c.Emails = []lintel.ContactEmail{{Email: "amara@okafor.example"}}
		noErr(t, db.UpdateContact(ctx, s, c))
		wantSearch(t, db, a, "okafor", map[string][]string{"contacts": {"amara"}, "leases": {"lease-4b"}})
		wantSearch(t, db, a, "o'neill", nil)
		wantSearch(t, db, a, "work.example", nil)

		// Nothing in Lintel deletes these rows today; a deleted one must
		// still leave the search.
		id := get(db.CreateContact(ctx, s, lintel.Contact{Name: "Quentin Blake", IsTenant: true, Emails: []lintel.ContactEmail{{Email: "qb@blake.example"}}})).ok(t)
		a.ids["quentin"] = id
		wantSearch(t, db, a, "qb@bla", map[string][]string{"contacts": {"quentin"}})
		for _, q := range []string{`DELETE FROM contact_emails WHERE contact_id = $1`, `DELETE FROM contact_phones WHERE contact_id = $1`, `DELETE FROM contacts WHERE id = $1`} {
			noErr(t, db.IdentityExecForTest(ctx, q, id))
		}
		wantSearch(t, db, a, "quentin", nil)
		wantSearch(t, db, a, "qb@bla", nil)
		for _, q := range []string{`DELETE FROM request_events WHERE request_id = $1`, `DELETE FROM requests WHERE id = $1`} {
			noErr(t, db.IdentityExecForTest(ctx, q, a.ids["door"]))
		}
		wantSearch(t, db, a, "door sticks", nil)
	})
}

// A search pages like the plain list, newest first, whether a page comes
// from reading the newest requests or from the trigram index.
func TestListRequestsSearchPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Big Lettings")
		other := newCompanyStaff(t, db, "Other Lettings")
		for _, st := range []lintel.Staff{s, other} {
			noErr(t, db.SeedUnitsForBench(ctx, st.CompanyID, 3, 4))
			// More than the newest requests a search reads before it
			// turns to the index.
			noErr(t, db.SeedRequestsForBench(ctx, st.CompanyID, 1300))
		}
		var all []sqldb.RequestListItem
		f := sqldb.RequestFilter{Status: sqldb.FilterAll}
		for {
			l := get(db.ListRequests(ctx, s, f)).ok(t)
			all = append(all, l.Requests...)
			if l.Next == 0 {
				break
			}
			f.Before = l.Next
		}
		if len(all) != 1300 {
			t.Fatalf("%d requests, want 1300", len(all))
		}
		matching := func(q string, open bool) []int64 {
			var ids []int64
			for _, r := range all {
				if strings.Contains(strings.ToLower(r.Summary), q) && (!open || r.Status.Open()) {
					ids = append(ids, r.ID)
				}
			}
			return ids
		}
		for _, tc := range []struct {
			name   string
			f      sqldb.RequestFilter
			substr string
		}{
			{"many matches, in pages", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "Door sticks"}, "door sticks"},
			{"small pages", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "Door sticks", Limit: 7}, "door sticks"},
			{"more than the newest hold", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "Door sticks", Limit: 200}, "door sticks"},
			{"only among the oldest", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "request 00001", Limit: 4}, "request 00001"},
			{"one, the oldest", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "request 000000"}, "request 000000"},
			{"open ones", sqldb.RequestFilter{Search: "fridge warm", Limit: 5}, "fridge warm"},
			{"short query", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "1:", Limit: 30}, "1:"},
		} {
			want := matching(tc.substr, tc.f.Status == "")
			if len(want) == 0 {
				t.Fatalf("%s: the seed has no %q", tc.name, tc.substr)
			}
			var got []int64
			var pages []sqldb.RequestList
			f := tc.f
			for {
				l := get(db.ListRequests(ctx, s, f)).ok(t)
				pages = append(pages, l)
				for _, r := range l.Requests {
					got = append(got, r.ID)
				}
				if l.Next == 0 {
					break
				}
				f.Before, f.After = l.Next, 0
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: forward pages %v\nwant %v", tc.name, got, want)
				continue
			}
			// Back from the last page, each previous page is the one seen.
			for i := len(pages) - 1; i > 0; i-- {
				f := tc.f
				f.After = pages[i].Prev
				l := get(db.ListRequests(ctx, s, f)).ok(t)
				if !slices.Equal(idsOf(l), idsOf(pages[i-1])) {
					t.Errorf("%s: page %d back = %v, want %v", tc.name, i-1, idsOf(l), idsOf(pages[i-1]))
				}
			}
		}
	})
}

// Migration 0017 indexes the rows that exist when it runs.
func TestTextSearchMigrationBackfills(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var undo []string
		if db.Dialect() == sqldb.SQLite {
			for _, table := range []string{"requests", "units", "properties", "contacts", "contact_emails"} {
				for _, op := range []string{"insert", "update", "delete"} {
					undo = append(undo, fmt.Sprintf(`DROP TRIGGER %s_fts_%s`, table, op))
				}
				undo = append(undo, `DROP TABLE `+table+`_fts`)
			}
		} else {
			for _, index := range []string{"requests", "units", "properties", "contacts", "contact_emails"} {
				undo = append(undo, `DROP INDEX `+index+`_search`)
			}
		}
		var a searchFixture
		err := db.RemigrateForTest(ctx, 17, undo, func() error {
			a = newSearchFixture(t, db, "Harbour Lettings")
			newSearchFixture(t, db, "Ridge Lettings")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantSearch(t, db, a, "LOSES PRESS", map[string][]string{"requests": {"boiler"}})
		wantSearch(t, db, a, "flat 1", map[string][]string{"requests": {"tap"}, "units": {"12"}})
		wantSearch(t, db, a, "work.exa", map[string][]string{"contacts": {"amara"}})
		wantSearch(t, db, a, "QUAY st", map[string][]string{"properties": {"harbourside"}})
		wantSearch(t, db, a, "brandt", map[string][]string{"contacts": {"zoe"}, "leases": {"lease-garden"}})
		// And the triggers it makes follow what comes after.
		u := get(db.Unit(ctx, a.s, a.ids["4b"])).ok(t)
		u.Label = "Penthouse"
		noErr(t, db.UpdateUnit(ctx, a.s, u))
		wantSearch(t, db, a, "penthouse", map[string][]string{"requests": {"boiler"}, "units": {"4b"}, "leases": {"lease-4b"}})
	})
}
