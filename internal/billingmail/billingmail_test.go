package billingmail

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/receipt"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func newWorker(t *testing.T, db *sqldb.DB) (*Worker, blob.Store) {
	t.Helper()
	files, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	base, _ := url.Parse("https://lintel.example")
	return &Worker{DB: db, Files: files, BaseURL: base}, files
}

// mails lists the outbox's messages of kind, oldest first.
func mails(t *testing.T, db *sqldb.DB, kind string) []sqldb.OutboxEmail {
	t.Helper()
	page, err := db.DevMailbox(context.Background(), 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var out []sqldb.OutboxEmail
	for _, m := range page.Emails {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out
}

func resident(c *testkit.Company, p testkit.Persona) lintel.Resident {
	return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p], Name: string(p)}
}

func setBillingMail(t *testing.T, db *sqldb.DB, r lintel.Resident, on bool) {
	t.Helper()
	ctx := context.Background()
	s, err := db.SettingsOf(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	s.NotifyBilling = on
	if err := db.SaveSettings(ctx, r, s, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
}

func receiptJob(companyID, paymentID int64) sqldb.Job {
	b, _ := json.Marshal(sqldb.ReceiptJob{CompanyID: companyID, PaymentID: paymentID})
	return sqldb.Job{ID: 1, Kind: sqldb.JobPaymentReceipt, Payload: string(b), Attempts: 1}
}

// A payment's receipt reaches each tenant of the lease who takes billing
// e-mail, once, with the receipt PDF attached.
func TestReceiptEmail(t *testing.T) {
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		today := lintel.DateOf(db.Now())
		if _, err := db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent for this month",
			Amount: 120000, Due: today, IdempotencyKey: "t:rent"}); err != nil {
			t.Fatal(err)
		}
		pay, err := db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: a.Lease, Amount: 120000, Received: today, Method: lintel.PayCheck,
			Reference: "Cheque 881", IdempotencyKey: "t:pay"})
		if err != nil {
			t.Fatal(err)
		}
		// The other tenant of the lease turned billing e-mail off.
		setBillingMail(t, db, resident(a, testkit.Cotenant), false)

		wk, files := newWorker(t, db)
		if err := wk.sendReceipt(ctx, receiptJob(a.ID, pay)); err != nil {
			t.Fatal(err)
		}
		got := mails(t, db, "payment_receipt")
		if len(got) != 1 || got[0].To != a.Emails[testkit.Tenant] {
			t.Fatalf("receipt e-mails %+v", got)
		}
		m := got[0]
		if !strings.Contains(m.Subject, "$1,200.00") || !strings.Contains(m.Text, "Cheque 881") || m.AttachmentFileID == 0 || m.CompanyID != a.ID {
			t.Errorf("e-mail %q\n%s (attachment %d)", m.Subject, m.Text, m.AttachmentFileID)
		}
		f, err := db.EmailAttachment(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := files.Open(ctx, f.Key)
		if err != nil {
			t.Fatal(err)
		}
		pdf, _ := io.ReadAll(rc)
		rc.Close()
		rs, err := db.ResidentReceipt(ctx, resident(a, testkit.Tenant), pay)
		if err != nil {
			t.Fatal(err)
		}
		number := "Receipt " + receipt.Number(rs.Number)
		if text := receipt.Text(pdf); f.ContentType != "application/pdf" || !strings.Contains(text, number) || !strings.Contains(text, "$1,200.00") ||
			!strings.Contains(m.Subject, receipt.Number(rs.Number)) {
			t.Errorf("attachment %s %q:\n%s", f.ContentType, f.Name, text)
		}

		// The job again (a retry after a crash) sends nothing more.
		if err := wk.sendReceipt(ctx, receiptJob(a.ID, pay)); err != nil {
			t.Fatal(err)
		}
		if n := len(mails(t, db, "payment_receipt")); n != 1 {
			t.Errorf("%d receipt e-mails after a retry", n)
		}
		// Another company's payment id under this company is nothing.
		if err := wk.sendReceipt(ctx, receiptJob(w.B.ID, pay)); err != nil {
			t.Fatal(err)
		}
		if n := len(mails(t, db, "payment_receipt")); n != 1 {
			t.Errorf("%d receipt e-mails after a cross-company job", n)
		}
	})
}

// With the company's storage full the receipt still goes, with a link
// instead of the attachment.
func TestReceiptEmailStorageFull(t *testing.T) {
	db, w := testkit.SQLiteWorld(t)
	ctx := context.Background()
	a := w.A
	if _, err := db.SetStorageQuota(ctx, a.ID, 1, "test"); err != nil {
		t.Fatal(err)
	}
	pay, err := db.PostPayment(ctx, a.Staff[testkit.Admin], lintel.NewPayment{LeaseID: a.Lease, Amount: 5000, Received: lintel.DateOf(db.Now()),
		Method: lintel.PayCash, IdempotencyKey: "t:pay"})
	if err != nil {
		t.Fatal(err)
	}
	wk, _ := newWorker(t, db)
	if err := wk.sendReceipt(ctx, receiptJob(a.ID, pay)); err != nil {
		t.Fatal(err)
	}
	got := mails(t, db, "payment_receipt")
	if len(got) != 2 || got[0].AttachmentFileID != 0 || !strings.Contains(got[0].Text, "(this one included)") {
		t.Fatalf("e-mails %+v", got)
	}
}

// Each owner gets last month's statement once, unless they turned billing
// e-mail off.
func TestMonthlyStatements(t *testing.T) {
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		d, _ := lintel.ParseDate("2024-01-05")
		if _, err := db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent",
			Amount: 100000, Due: d, IdempotencyKey: "t:rent"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: a.Lease, Amount: 100000, Received: d, Method: lintel.PayCash,
			IdempotencyKey: "t:pay"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PostOwnerEntry(ctx, admin, lintel.NewOwnerEntry{Kind: lintel.OwnerContribution, ContactID: a.Contacts[testkit.UnitOwner],
			PropertyID: a.Property, UnitID: a.OwnedUnit, Amount: 2000, Date: d, IdempotencyKey: "t:contrib"}); err != nil {
			t.Fatal(err)
		}
		setBillingMail(t, db, resident(a, testkit.UnitOwner), false)

		wk, _ := newWorker(t, db)
		wk.Now = func() time.Time { return time.Date(2024, 2, 10, 9, 0, 0, 0, time.UTC) }
		n, err := wk.SendStatements(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := mails(t, db, "owner_statement")
		if n != 1 || len(got) != 1 || got[0].To != a.Emails[testkit.PropertyOwner] {
			t.Fatalf("queued %d: %+v", n, got)
		}
		m := got[0]
		if m.DedupeKey != "statement:"+itoa(a.Contacts[testkit.PropertyOwner])+":2024-01" || !strings.Contains(m.Subject, "January 2024") ||
			!strings.Contains(m.Text, "Money in: $600.00") || !strings.Contains(m.Text, "Closing balance: $600.00") ||
			!strings.Contains(m.Text, "https://lintel.example/portal/billing/statement.pdf?company="+itoa(a.ID)+"&from=2024-01-01&to=2024-01-31") {
			t.Errorf("statement e-mail %q %q\n%s", m.DedupeKey, m.Subject, m.Text)
		}
		// Again, or from another node: nothing more this month.
		if n, err := wk.SendStatements(ctx); err != nil || n != 0 {
			t.Errorf("second run queued %d, %v", n, err)
		}
		// Next month brings the next one.
		wk.Now = func() time.Time { return time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC) }
		if n, err := wk.SendStatements(ctx); err != nil || n != 1 {
			t.Errorf("next month queued %d, %v", n, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestStatementPeriod(t *testing.T) {
	for in, want := range map[string]string{"2026-03-01": "2026-02", "2026-01-31": "2025-12", "2026-12-15": "2026-11"} {
		d, _ := lintel.ParseDate(in)
		if got := StatementPeriod(d); got != want {
			t.Errorf("StatementPeriod(%s) = %s, want %s", in, got, want)
		}
	}
}
