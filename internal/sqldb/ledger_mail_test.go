package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The payment's transaction queues the receipt job; the job finds the
// lease's tenants who take billing e-mail, and no one for a reversed
// payment or another company's.
func TestReceiptEmailJob(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		pay := get(db.PostPayment(ctx, a.Staff[testkit.Admin], lintel.NewPayment{LeaseID: a.Lease, Amount: 5000, Received: lintel.DateOf(db.Now()),
			Method: lintel.PayCash, IdempotencyKey: "t:pay"})).ok(t)
		before := get(db.PendingJobs(ctx, sqldb.JobPaymentReceipt)).ok(t)
		noErr(t, db.EnqueueReceiptEmailsForTest(ctx, a.ID, pay))
		if n := get(db.PendingJobs(ctx, sqldb.JobPaymentReceipt)).ok(t); n != before+1 {
			t.Fatalf("%d receipt jobs, want %d", n, before+1)
		}
		job := sqldb.ReceiptJob{CompanyID: a.ID, PaymentID: pay}
		rs := get(db.ReceiptForEmail(ctx, job)).ok(t)
		if len(rs.Recipients) != 2 || rs.Receipt.Number == 0 {
			t.Fatalf("recipients %+v", rs)
		}
		exec(t, db, `UPDATE users SET notify_billing = FALSE WHERE email = $1`, a.Emails[testkit.Cotenant])
		rs = get(db.ReceiptForEmail(ctx, job)).ok(t)
		if len(rs.Recipients) != 1 || rs.Recipients[0].Email != a.Emails[testkit.Tenant] {
			t.Errorf("recipients with billing e-mail off for one: %+v", rs.Recipients)
		}
		if _, err := db.ReceiptForEmail(ctx, sqldb.ReceiptJob{CompanyID: w.B.ID, PaymentID: pay}); !lintel.IsNotFound(err) {
			t.Errorf("another company's job: %v", err)
		}
		get(db.Reverse(ctx, a.Staff[testkit.Admin], pay, "Wrong lease", "t:rev")).ok(t)
		if rs = get(db.ReceiptForEmail(ctx, job)).ok(t); len(rs.Recipients) != 0 {
			t.Errorf("a reversed payment's receipt still goes to %+v", rs.Recipients)
		}
	})
}
