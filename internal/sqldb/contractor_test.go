package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The contractor's task store on SQLite and PostgreSQL: what a link
// resolves to, its life, and race-safe outcomes.

func TestContractorTaskScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		task, err := db.ContractorTask(ctx, auth.HashToken(w.A.VisitToken))
		if err != nil {
			t.Fatal(err)
		}
		if task.Visit.ID != w.A.Visit || task.Request.ID != w.A.Request || task.CompanyName != "Harbour Lettings" {
			t.Fatalf("A's link resolved to visit %d, request %d of %q", task.Visit.ID, task.Request.ID, task.CompanyName)
		}
		var names []string
		for _, c := range task.Contacts {
			names = append(names, c.Name)
			if len(c.Phones) == 0 || len(c.Emails) == 0 {
				t.Errorf("contact %s without phone or e-mail: %+v", c.Name, c)
			}
		}
		if strings.Join(names, ",") != "Cotenant Harbour,Tenant Harbour" {
			t.Errorf("contacts = %v, want the lease's two tenants", names)
		}
		if len(task.Request.Answers) == 0 || task.Request.Pets == "" || len(task.Request.AccessTimes) == 0 {
			t.Errorf("the request's details are missing: %+v", task.Request)
		}
		// The owner's request has no lease: the owner who asked is the
		// contact.
		other, err := db.ContractorTask(ctx, auth.HashToken(w.A.OtherVisitToken))
		if err != nil {
			t.Fatal(err)
		}
		if other.Request.ID != w.A.OtherRequest || len(other.Contacts) != 1 || other.Contacts[0].Name != "Other Tenant Harbour" {
			t.Fatalf("other visit's task: request %d, contacts %+v", other.Request.ID, other.Contacts)
		}
		b, err := db.ContractorTask(ctx, auth.HashToken(w.B.VisitToken))
		if err != nil || b.CompanyName != "Ridge Lettings" || b.Request.ID == w.A.Request {
			t.Fatalf("B's link: %q request %d, %v", b.CompanyName, b.Request.ID, err)
		}
		for _, hash := range []string{"", auth.HashToken("nope"), w.A.VisitToken /* the raw token is not a hash */} {
			if _, err := db.ContractorTask(ctx, hash); !sqldb.IsTaskLinkDead(err) {
				t.Errorf("ContractorTask(%q) = %v, want a dead link", hash, err)
			}
		}
		// A photo of A's request is out of reach of every other link.
		if err := db.ContractorAddPhotos(ctx, auth.HashToken(w.A.VisitToken), "", []sqldb.NewPhoto{{
			File: sqldb.NewFile{Key: "2026/11/aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "a.jpg", ContentType: "image/jpeg", Size: 3, SHA256: "x"}, Phase: "before"}}); err != nil {
			t.Fatal(err)
		}
		d, err := db.StaffRequest(ctx, w.A.Staff[testkit.Admin], w.A.Request)
		if err != nil || len(d.Photos) != 1 {
			t.Fatalf("photos: %+v %v", d.Photos, err)
		}
		photo := d.Photos[0].ID
		if f, err := db.ContractorPhoto(ctx, auth.HashToken(w.A.VisitToken), photo, false); err != nil || f.Name != "a.jpg" {
			t.Fatalf("own photo: %+v %v", f, err)
		}
		for _, tok := range []string{w.A.OtherVisitToken, w.B.VisitToken} {
			if _, err := db.ContractorPhoto(ctx, auth.HashToken(tok), photo, false); !lintel.IsNotFound(err) {
				t.Errorf("another link reached the photo: %v", err)
			}
		}
	})
}

func TestContractorLinkLife(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		w := testkit.NewWorld(t, db)
		hash := auth.HashToken(w.A.VisitToken)
		admin := w.A.Staff[testkit.Admin]
		if _, err := db.ContractorComplete(ctx, hash, "", nil); err != nil {
			t.Fatal(err)
		}
		d, err := db.StaffRequest(ctx, admin, w.A.Request)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetRequestStatus(ctx, admin, w.A.Request, sqldb.StatusChange{To: lintel.StatusClosed, Version: d.Request.Version}, nil); err != nil {
			t.Fatal(err)
		}
		task, err := db.ContractorTask(ctx, hash)
		if err != nil {
			t.Fatalf("the link died when the request closed: %v", err)
		}
		if want := clock.Now().Add(lintel.ContractorLinkLife); !task.ExpiresAt.Equal(want) {
			t.Errorf("expires at %v, want %v", task.ExpiresAt, want)
		}
		if err := db.ContractorSaveInvoice(ctx, hash, "", sqldb.Invoice{Number: "1", Date: lintel.DateOf(clock.Now()), AmountMinor: 100},
			&sqldb.NewFile{Key: "2026/11/bbbbbbbbbbbbbbbbbbbbbbbbbb", Name: "i.pdf", ContentType: "application/pdf", Size: 1, SHA256: "x"}); !errors.Is(err, sqldb.ErrInvoiceClosed) {
			t.Errorf("invoice on a closed request: %v, want ErrInvoiceClosed", err)
		}
		clock.Advance(lintel.ContractorLinkLife - time.Second)
		if _, err := db.ContractorTask(ctx, hash); err != nil {
			t.Fatalf("the link died before its life ended: %v", err)
		}
		clock.Advance(time.Second)
		if _, err := db.ContractorTask(ctx, hash); !sqldb.IsTaskLinkDead(err) {
			t.Fatalf("the link outlived its life: %v", err)
		}
		if _, err := db.ContractorSaveNotes(ctx, hash, "", sqldb.TenantNotes, "late"); !sqldb.IsTaskLinkDead(err) {
			t.Fatalf("an expired link saved notes: %v", err)
		}
	})
}

// TestContractorOutcomeRace: concurrent "complete" and "unable" submits of
// one visit make exactly one transition and one set of e-mails.
func TestContractorOutcomeRace(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		hash := auth.HashToken(w.A.VisitToken)
		var mu sync.Mutex
		var notices []sqldb.OutcomeNotice
		compose := func(n sqldb.OutcomeNotice) ([]lintel.Email, error) {
			var out []lintel.Email
			for _, st := range n.Staff {
				out = append(out, lintel.Email{DedupeKey: "t:" + n.Outcome + ":" + st.Email, Kind: "contractor_outcome", To: st.Email, Subject: n.Outcome, Text: n.Reason})
			}
			mu.Lock()
			notices = append(notices, n)
			mu.Unlock()
			return out, nil
		}
		var wg sync.WaitGroup
		var changed int
		errs := make(chan error, 10)
		for i := range 10 {
			wg.Go(func() {
				var ok bool
				var err error
				if i%2 == 0 {
					ok, err = db.ContractorComplete(ctx, hash, "", compose)
				} else {
					ok, err = db.ContractorUnable(ctx, hash, "", "No access", compose)
				}
				// The losers see the visit already ended: no change, or a
				// conflict when the other outcome won.
				if err != nil && lintel.KindOf(err) != lintel.KindConflict {
					errs <- err
				}
				if ok {
					mu.Lock()
					changed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if changed != 1 || len(notices) != 1 {
			t.Fatalf("%d transitions, %d notices; want exactly one", changed, len(notices))
		}
		d, err := db.StaffRequest(ctx, w.A.Staff[testkit.Admin], w.A.Request)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]lintel.RequestStatus{sqldb.OutcomeCompleted: lintel.StatusCompleted, sqldb.OutcomeUnable: lintel.StatusSubmitted}[notices[0].Outcome]
		if d.Request.Status != want {
			t.Fatalf("request %s after %s, want %s", d.Request.Status, notices[0].Outcome, want)
		}
		if notices[0].Request.ID != w.A.Request || notices[0].Operator != "Pipes Harbour" || len(notices[0].Staff) == 0 {
			t.Fatalf("notice = %+v", notices[0])
		}
	})
}
