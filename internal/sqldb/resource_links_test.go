package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func linkTitles(ls []lintel.ResourceLink) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Title)
	}
	return out
}

func TestResourceLinks(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		bookkeeper := a
		bookkeeper.Role = lintel.RoleBookkeeper

		rules := get(db.CreateResourceLink(ctx, a, lintel.ResourceLink{Title: "  Building   rules ", URL: " https://alpha.example/rules.pdf ", Audience: lintel.AudienceTenants})).ok(t)
		bins := get(db.CreateResourceLink(ctx, a, lintel.ResourceLink{Title: "Bin calendar", URL: "http://alpha.example/bins"})).ok(t)
		agm := get(db.CreateResourceLink(ctx, a, lintel.ResourceLink{Title: "Owners' meeting minutes", URL: "https://alpha.example/agm", Audience: lintel.AudienceOwners})).ok(t)
		get(db.CreateResourceLink(ctx, b, lintel.ResourceLink{Title: "Beta's rules", URL: "https://beta.example/rules"})).ok(t)

		ls := get(db.ResourceLinks(ctx, a)).ok(t)
		if got := linkTitles(ls); !slices.Equal(got, []string{"Building rules", "Bin calendar", "Owners' meeting minutes"}) {
			t.Fatalf("links = %q", got)
		}
		if ls[0].URL != "https://alpha.example/rules.pdf" || ls[1].Audience != lintel.AudienceEveryone {
			t.Fatalf("stored as %+v", ls[:2])
		}

		// Refused: bad addresses and titles, a role that may not edit, another company's link.
		for _, bad := range []lintel.ResourceLink{
			{Title: "Rules", URL: "javascript:alert(1)"},
			{Title: "Rules", URL: "JavaScript:alert(1)"},
			{Title: "Rules", URL: "data:text/html,<script>alert(1)</script>"},
			{Title: "Rules", URL: "//alpha.example/rules"},
			{Title: "Rules", URL: "alpha.example/rules"},
			{Title: "Rules", URL: "https://user:pw@alpha.example/"},
			{Title: "Rules", URL: "ftp://alpha.example/rules"},
			{Title: "", URL: "https://alpha.example/"},
			{Title: "Rules", URL: "https://alpha.example/", Audience: "staff"},
		} {
			if _, err := db.CreateResourceLink(ctx, a, bad); lintel.KindOf(err) != lintel.KindInvalid {
				t.Errorf("create %+v: %v, want invalid", bad, err)
			}
		}
		if _, err := db.CreateResourceLink(ctx, bookkeeper, lintel.ResourceLink{Title: "x", URL: "https://x.example"}); lintel.KindOf(err) != lintel.KindForbidden {
			t.Errorf("bookkeeper create: %v", err)
		}
		if _, err := db.ResourceLink(ctx, b, rules); !lintel.IsNotFound(err) {
			t.Errorf("B reads A's link: %v", err)
		}
		if err := db.UpdateResourceLink(ctx, b, rules, lintel.ResourceLink{Title: "Mine", URL: "https://evil.example"}); !lintel.IsNotFound(err) {
			t.Errorf("B updates A's link: %v", err)
		}
		if err := db.RemoveResourceLink(ctx, b, rules); !lintel.IsNotFound(err) {
			t.Errorf("B removes A's link: %v", err)
		}
		if err := db.MoveResourceLink(ctx, b, rules, 1); !lintel.IsNotFound(err) {
			t.Errorf("B moves A's link: %v", err)
		}

		// Edit, reorder, remove.
		noErr(t, db.UpdateResourceLink(ctx, a, rules, lintel.ResourceLink{Title: "House rules", URL: "https://alpha.example/house-rules", Audience: lintel.AudienceEveryone}))
		if l := get(db.ResourceLink(ctx, a, rules)).ok(t); l.Title != "House rules" || l.Audience != lintel.AudienceEveryone {
			t.Fatalf("after update: %+v", l)
		}
		noErr(t, db.MoveResourceLink(ctx, a, agm, -1))
		noErr(t, db.MoveResourceLink(ctx, a, rules, -1)) // already first: stays
		if got := linkTitles(get(db.ResourceLinks(ctx, a)).ok(t)); !slices.Equal(got, []string{"House rules", "Owners' meeting minutes", "Bin calendar"}) {
			t.Fatalf("after moves: %q", got)
		}
		noErr(t, db.RemoveResourceLink(ctx, a, bins))
		if _, err := db.ResourceLink(ctx, a, bins); !lintel.IsNotFound(err) {
			t.Errorf("removed link still reads: %v", err)
		}
		if err := db.RemoveResourceLink(ctx, a, bins); !lintel.IsNotFound(err) {
			t.Errorf("removing twice: %v", err)
		}
		if got := linkTitles(get(db.ResourceLinks(ctx, a)).ok(t)); !slices.Equal(got, []string{"House rules", "Owners' meeting minutes"}) {
			t.Fatalf("after remove: %q", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE object_type = 'resource_link' AND company_id = $1`, a.CompanyID); n != 5 {
			t.Errorf("%d audit events, want 5 (3 creates, 1 update, 1 remove; moves are not audited)", n)
		}
	})
}

func TestResidentResourceLinks(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		c := newCompanyStaff(t, db, "Cedar Estates")
		for _, s := range []lintel.Staff{a, b, c} {
			for _, l := range []lintel.ResourceLink{
				{Title: "For tenants", URL: "https://x.example/t", Audience: lintel.AudienceTenants},
				{Title: "For owners", URL: "https://x.example/o", Audience: lintel.AudienceOwners},
				{Title: "For everyone", URL: "https://x.example/e", Audience: lintel.AudienceEveryone},
			} {
				get(db.CreateResourceLink(ctx, s, l)).ok(t)
			}
		}
		gone := get(db.CreateResourceLink(ctx, a, lintel.ResourceLink{Title: "Removed", URL: "https://x.example/r"})).ok(t)
		noErr(t, db.RemoveResourceLink(ctx, a, gone))

		// Pat is a tenant at Alpha and an owner at Beta; Cedar has Pat only
		// as an operator, which links nothing.
		seedContact(t, db, a.CompanyID, "Pat Tenant", "pat@example.test", true, false, false)
		seedContact(t, db, b.CompanyID, "P. Owner", "pat@example.test", false, true, false)
		seedContact(t, db, c.CompanyID, "Pat the Plumber", "pat@example.test", false, false, true)
		uid := get(db.CreateUser(ctx, sqldb.NewUser{Email: "pat@example.test", Name: "Pat", Verified: true})).ok(t)
		got := get(db.ResidentResourceLinks(ctx, lintel.Resident{UserID: uid, Email: "pat@example.test"})).ok(t)
		if len(got) != 2 || got[0].CompanyName != "Alpha Lettings" || got[1].CompanyName != "Beta Homes" {
			t.Fatalf("companies = %+v", got)
		}
		if ts := linkTitles(got[0].Links); !slices.Equal(ts, []string{"For tenants", "For everyone"}) {
			t.Errorf("Alpha (tenant) links = %q", ts)
		}
		if ts := linkTitles(got[1].Links); !slices.Equal(ts, []string{"For owners", "For everyone"}) {
			t.Errorf("Beta (owner) links = %q", ts)
		}

		// Someone whose e-mail is not verified, or who is linked nowhere, sees none.
		unverified := get(db.CreateUser(ctx, sqldb.NewUser{Email: "sam@example.test", Name: "Sam"})).ok(t)
		seedContact(t, db, a.CompanyID, "Sam", "sam@example.test", true, true, false)
		if got := get(db.ResidentResourceLinks(ctx, lintel.Resident{UserID: unverified})).ok(t); len(got) != 0 {
			t.Errorf("unverified sees %+v", got)
		}
	})
}
