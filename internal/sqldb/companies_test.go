package sqldb_test

import (
	"context"
	"errors"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestUpdateCompany(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		adminA, adminB := w.A.Staff[testkit.Admin], w.B.Staff[testkit.Admin]
		company := func(s lintel.Staff) lintel.Company {
			t.Helper()
			c, err := db.Company(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			c.CreatedAt = c.CreatedAt.UTC()
			return c
		}
		origA, origB := company(adminA), company(adminB)

		edit := lintel.Company{ID: w.B.ID, Name: "  Harbour   Homes ", Currency: "usd", Email: " Office@Harbour.Example",
			Phone: "+44 20 7946 0000", Address: "1 Quay Street\r\n\r\nPortside PS1 2AB\n"}
		// The id in c is ignored: the actor decides which company changes.
		if err := db.UpdateCompany(ctx, adminA, edit); err != nil {
			t.Fatalf("admin of A: %v", err)
		}
		got := company(adminA)
		want := lintel.Company{ID: w.A.ID, Name: "Harbour Homes", Currency: "USD", Email: "office@harbour.example",
			Phone: "+44 20 7946 0000", Address: "1 Quay Street\nPortside PS1 2AB", CreatedAt: origA.CreatedAt}
		if got != want {
			t.Errorf("company A = %+v, want %+v", got, want)
		}
		if b := company(adminB); b != origB {
			t.Errorf("updating A changed B: %+v, was %+v", b, origB)
		}

		log, err := db.AuditLog(ctx, adminA, "company", w.A.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "company.update" || log[0].Detail != "name, e-mail, phone, address" {
			t.Fatalf("audit log of A = %+v, want company.update naming what changed", log)
		}

		// Money is stored in minor units of the currency: once a lease
		// exists the currency is fixed; before, it may change.
		err = db.UpdateCompany(ctx, adminA, lintel.Company{Name: "Harbour Homes", Currency: "JPY"})
		if lintel.KindOf(err) != lintel.KindInvalid || lintel.FieldsOf(err)["currency"] == "" {
			t.Fatalf("currency change with leases: %v, want a currency field error", err)
		}
		newID, newAdmin, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: "Fresh Co", AdminEmail: "fresh@fresh.test", AdminName: "F"})
		if err != nil {
			t.Fatal(err)
		}
		fresh := lintel.Staff{UserID: newAdmin, CompanyID: newID, Role: lintel.RoleAdmin, Name: "F"}
		if err := db.UpdateCompany(ctx, fresh, lintel.Company{Name: "Fresh Co", Currency: "EUR"}); err != nil {
			t.Fatalf("currency change before any lease: %v", err)
		}
		if log, _ := db.AuditLog(ctx, fresh, "company", newID, 1); len(log) != 1 || log[0].Detail != "currency USD → EUR" {
			t.Fatalf("audit of the currency change = %+v", log)
		}
		events := len(log)

		// Saving the same values again is not a change worth logging.
		if err := db.UpdateCompany(ctx, adminA, want); err != nil {
			t.Fatal(err)
		}
		if log, err := db.AuditLog(ctx, adminA, "company", w.A.ID, 20); err != nil || len(log) != events {
			t.Errorf("an unchanged save logged %d events (was %d), %v", len(log), events, err)
		}

		// B's admin changes B, never A.
		if err := db.UpdateCompany(ctx, adminB, lintel.Company{ID: w.A.ID, Name: "Taken Over", Currency: "USD"}); err != nil {
			t.Fatal(err)
		}
		if a := company(adminA); a != want {
			t.Errorf("B's admin changed A: %+v", a)
		}
		if b := company(adminB); b.Name != "Taken Over" {
			t.Errorf("B's admin could not rename B: %+v", b)
		}
		if log, err := db.AuditLog(ctx, adminB, "company", w.A.ID, 20); err != nil || len(log) != 0 {
			t.Errorf("B's admin reads A's company log: %+v, %v", log, err)
		}

		refused := []struct {
			name  string
			staff lintel.Staff
			c     lintel.Company
			kind  lintel.Kind
			field string
		}{
			{"manager", lintel.Staff{UserID: adminA.UserID, CompanyID: w.A.ID, Role: lintel.RoleManager, Name: "M"}, lintel.Company{Name: "X", Currency: "USD"}, lintel.KindForbidden, ""},
			{"bookkeeper", w.A.Staff[testkit.Bookkeeper], lintel.Company{Name: "X", Currency: "USD"}, lintel.KindForbidden, ""},
			{"maintenance", w.A.Staff[testkit.Maintenance], lintel.Company{Name: "X", Currency: "USD"}, lintel.KindForbidden, ""},
			{"no name", adminA, lintel.Company{Name: "  ", Currency: "USD"}, lintel.KindInvalid, "name"},
			{"bad currency", adminA, lintel.Company{Name: "X", Currency: "dollars"}, lintel.KindInvalid, "currency"},
			{"bad e-mail", adminA, lintel.Company{Name: "X", Currency: "USD", Email: "office@"}, lintel.KindInvalid, "email"},
			{"bad phone", adminA, lintel.Company{Name: "X", Currency: "USD", Phone: "ring ring"}, lintel.KindInvalid, "phone"},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				err := db.UpdateCompany(ctx, tt.staff, tt.c)
				if lintel.KindOf(err) != tt.kind {
					t.Fatalf("err = %v, want kind %v", err, tt.kind)
				}
				if tt.kind == lintel.KindForbidden && !errors.Is(err, lintel.ErrForbidden) {
					t.Errorf("err = %v, want lintel.ErrForbidden", err)
				}
				if tt.field != "" && lintel.FieldsOf(err)[tt.field] == "" {
					t.Errorf("fields = %v, want a message for %q", lintel.FieldsOf(err), tt.field)
				}
				if a := company(adminA); a != want {
					t.Errorf("a refused update changed A: %+v", a)
				}
			})
		}
	})
}

func TestCreateCompanyWithContactDetails(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		cid, uid, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: "Quay Lettings", Currency: "GBP",
			Email: "hello@quay.example", Phone: "+44 20 7946 0001", Address: "2 Quay Street\nPortside", AdminEmail: "ada@quay.example", AdminName: "Ada"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Company(ctx, lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if c.Email != "hello@quay.example" || c.Phone != "+44 20 7946 0001" || c.Address != "2 Quay Street\nPortside" || c.Currency != "GBP" {
			t.Errorf("company = %+v", c)
		}
	})
}
