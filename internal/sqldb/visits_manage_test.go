package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestOperators(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ops, err := db.Operators(context.Background(), w.A.Staff[testkit.Bookkeeper])
		if err != nil {
			t.Fatal(err)
		}
		if len(ops) != 2 || ops[0].ID != w.A.Operator || ops[0].Trades != "plumbing" || ops[0].Email != "pipes@harbour.test" || ops[1].ID != w.A.Operator2 {
			t.Errorf("operators = %+v", ops)
		}
	})
}

func TestVisitLinks(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		live := func(raw string) bool {
			t.Helper()
			_, err := db.ContractorTask(ctx, auth.HashToken(raw))
			if err != nil && !sqldb.IsTaskLinkDead(err) {
				t.Fatal(err)
			}
			return err == nil
		}
		if !live(a.VisitToken) {
			t.Fatal("the fixture's link does not work")
		}

		// Revoke: the link dies; a second revoke says so.
		v, err := db.RevokeVisitLink(ctx, admin, a.Visit)
		if err != nil || v.TokenRevoked.IsZero() {
			t.Fatalf("revoke: %+v, %v", v, err)
		}
		if live(a.VisitToken) {
			t.Error("a revoked link still opens the task")
		}
		if _, err := db.RevokeVisitLink(ctx, admin, a.Visit); lintel.KindOf(err) != lintel.KindConflict {
			t.Errorf("second revoke: %v, want a conflict", err)
		}

		// Resend: a new link works, the old one stays dead, the operator is e-mailed.
		raw, hash := auth.NewToken()
		var notice sqldb.LinkNotice
		v, err = db.ResendVisitLink(ctx, admin, a.Visit, hash, func(n sqldb.LinkNotice) ([]lintel.Email, error) {
			notice = n
			return []lintel.Email{{DedupeKey: "resend:" + hash, Kind: "test", To: n.Operator.Email, Subject: "link", Text: "link"}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !live(raw) || live(a.VisitToken) || !v.TokenRevoked.IsZero() {
			t.Errorf("after resend: new live %v, old live %v", live(raw), live(a.VisitToken))
		}
		if notice.Operator.Email != "pipes@harbour.test" || notice.Request.ID != a.Request || notice.CompanyName != a.Name {
			t.Errorf("resend notice = %+v", notice)
		}
		if ms, _ := db.QueuedEmails(ctx, "pipes@harbour.test"); len(ms) != 1 {
			t.Errorf("%d e-mails to the operator, want 1", len(ms))
		}
		// Opening the new link shows as "last opened"; a resend resets it.
		if err := db.ContractorOpened(ctx, auth.HashToken(raw), "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		d, _ := db.StaffRequest(ctx, admin, a.Request)
		if d.Visits[0].TokenLastOpened.IsZero() {
			t.Error("opening the link left no trace for the manager")
		}
		raw2, hash2 := auth.NewToken()
		if _, err := db.ResendVisitLink(ctx, admin, a.Visit, hash2, nil); err != nil {
			t.Fatal(err)
		}
		d, _ = db.StaffRequest(ctx, admin, a.Request)
		if !d.Visits[0].TokenLastOpened.IsZero() || live(raw) || !live(raw2) {
			t.Errorf("second resend: last opened %v, first new link live %v", d.Visits[0].TokenLastOpened, live(raw))
		}

		// Reassigned visits have no link to send.
		_, hash3 := auth.NewToken()
		if _, err := db.AssignOperator(ctx, admin, a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator2, TokenHash: hash3}, nil); err != nil {
			t.Fatal(err)
		}
		if live(raw2) {
			t.Error("reassigning left the old link working")
		}
		if _, err := db.ResendVisitLink(ctx, admin, a.Visit, "h", nil); lintel.KindOf(err) != lintel.KindConflict {
			t.Errorf("resend of a reassigned visit: %v, want a conflict", err)
		}

		// Scope and role.
		if _, err := db.RevokeVisitLink(ctx, w.B.Staff[testkit.Admin], a.OtherVisit); !lintel.IsNotFound(err) {
			t.Errorf("B revoking A's link: %v", err)
		}
		if _, err := db.ResendVisitLink(ctx, w.B.Staff[testkit.Admin], a.OtherVisit, "h", nil); !lintel.IsNotFound(err) {
			t.Errorf("B resending A's link: %v", err)
		}
		if _, err := db.RevokeVisitLink(ctx, a.Staff[testkit.Bookkeeper], a.OtherVisit); !errors.Is(err, lintel.ErrForbidden) {
			t.Errorf("bookkeeper revoking: %v", err)
		}
		if !live(a.OtherVisitToken) {
			t.Error("refused changes touched the other visit's link")
		}
	})
}

func TestScheduleVisit(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		d, _ := db.StaffRequest(ctx, admin, a.Request)
		when := time.Date(2030, 5, 6, 9, 30, 0, 0, time.UTC)
		var notices []sqldb.ScheduleNotice
		compose := func(n sqldb.ScheduleNotice) ([]lintel.Email, error) {
			notices = append(notices, n)
			return nil, nil
		}
		v, err := db.ScheduleVisit(ctx, admin, a.Visit, d.Request.Version, when, compose)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != lintel.VisitScheduled || !v.ScheduledAt.Equal(when) {
			t.Errorf("visit = %+v", v)
		}
		d, _ = db.StaffRequest(ctx, admin, a.Request)
		if d.Request.Status != lintel.StatusScheduled || !d.Visits[0].ScheduledAt.Equal(when) {
			t.Errorf("request %s, visit at %v", d.Request.Status, d.Visits[0].ScheduledAt)
		}
		if len(notices) != 1 || len(notices[0].Tenants) != 2 || notices[0].Operator.Email != "pipes@harbour.test" || !notices[0].Previous.IsZero() {
			t.Errorf("notices = %+v", notices)
		}
		// Moving it: the notice says when it was.
		later := when.Add(24 * time.Hour)
		if _, err := db.ScheduleVisit(ctx, admin, a.Visit, d.Request.Version, later, compose); err != nil {
			t.Fatal(err)
		}
		if len(notices) != 2 || !notices[1].Previous.Equal(when) {
			t.Errorf("move notice = %+v", notices[len(notices)-1])
		}
		// The page was loaded before the move: stale.
		if _, err := db.ScheduleVisit(ctx, admin, a.Visit, d.Request.Version, when, compose); !errors.Is(err, sqldb.ErrStale) {
			t.Errorf("stale schedule: %v", err)
		}
		if _, err := db.ScheduleVisit(ctx, admin, a.Visit, 0, time.Time{}, compose); lintel.FieldsOf(err)["date"] == "" {
			t.Errorf("no time: %v", err)
		}
		if _, err := db.ScheduleVisit(ctx, w.B.Staff[testkit.Admin], a.Visit, 0, when, compose); !lintel.IsNotFound(err) {
			t.Errorf("B scheduling A's visit: %v", err)
		}
		// An ended visit's time cannot change.
		_, hash := auth.NewToken()
		if _, err := db.AssignOperator(ctx, admin, a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator2, TokenHash: hash}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ScheduleVisit(ctx, admin, a.Visit, 0, when, compose); lintel.KindOf(err) != lintel.KindConflict {
			t.Errorf("scheduling a reassigned visit: %v", err)
		}
	})
}

func TestStaffVisitFiles(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		if id, err := db.StaffVisitRequest(ctx, a.Staff[testkit.Bookkeeper], a.OtherVisit); err != nil || id != a.OtherRequest {
			t.Errorf("visit's request = %d, %v", id, err)
		}
		if _, err := db.StaffVisitRequest(ctx, w.B.Staff[testkit.Admin], a.OtherVisit); !lintel.IsNotFound(err) {
			t.Errorf("B: %v", err)
		}
		// No invoice yet.
		if _, err := db.StaffVisitInvoice(ctx, a.Staff[testkit.Admin], a.Visit); !lintel.IsNotFound(err) {
			t.Errorf("missing invoice: %v", err)
		}
		doc := sqldb.NewFile{Key: "2026/01/invoiceabc", Name: "invoice 7.pdf", ContentType: "application/pdf", Size: 1234, SHA256: "00"}
		amount := int64(12500)
		if err := db.ContractorSaveInvoice(ctx, auth.HashToken(a.VisitToken), "127.0.0.1", sqldb.Invoice{Number: "7", Date: lintel.DateOf(db.Now()), AmountMinor: amount}, &doc); err != nil {
			t.Fatal(err)
		}
		f, err := db.StaffVisitInvoice(ctx, a.Staff[testkit.Bookkeeper], a.Visit)
		if err != nil || f.Key != doc.Key || f.Name != doc.Name || f.ContentType != "application/pdf" {
			t.Errorf("invoice = %+v, %v", f, err)
		}
		if _, err := db.StaffVisitInvoice(ctx, w.B.Staff[testkit.Admin], a.Visit); !lintel.IsNotFound(err) {
			t.Errorf("B reading A's invoice: %v", err)
		}
	})
}
