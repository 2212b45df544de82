package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// benchContacts is the "tens of thousands of rows" a contact list must stay
// fast at.
const benchContacts = 20000

// BenchmarkListContacts lists pages of 50 out of 20,000 contacts (and as
// many of another company) on SQLite.
func BenchmarkListContacts(b *testing.B) {
	db := testkit.SQLite(b)
	s := newCompanyStaff(b, db, "Big Lettings")
	other := newCompanyStaff(b, db, "Other Lettings")
	ctx := context.Background()
	for _, st := range []lintel.Staff{s, other} {
		if err := db.SeedContactsForBench(ctx, st.CompanyID, benchContacts); err != nil {
			b.Fatal(err)
		}
	}
	deep := &sqldb.Keyset{Key: "Omar Reyes 005", ID: 1 << 40}
	for _, bc := range []struct {
		name string
		f    sqldb.ContactFilter
	}{
		{"first-page", sqldb.ContactFilter{}},
		{"deep-page", sqldb.ContactFilter{After: deep}},
		{"back-page", sqldb.ContactFilter{Before: deep}},
		{"role", sqldb.ContactFilter{Role: lintel.RoleOperator, After: deep}},
		{"search-name", sqldb.ContactFilter{Search: "kenji"}},
		{"search-email", sqldb.ContactFilter{Search: "19999@work"}}, // one match: scans the company's e-mails
		{"archived", sqldb.ContactFilter{Archived: true}},           // matches nothing: the worst case
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := db.ListContacts(ctx, s, bc.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Contacts) > 0 && p.Contacts[0].PrimaryEmail() == "" {
					b.Fatal("no primary e-mail")
				}
			}
		})
	}
}
