package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// TestContractorNeverSeesStaffNotes: the request form says only staff see
// staff notes, so the operator's task page shows the note given for them
// when dispatching, and the store does not even read the staff notes for
// the link.
func TestContractorNeverSeesStaffNotes(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		app := newTestApp(t, db)
		admin := w.A.Staff[testkit.Admin]
		const staffNote, operatorNote = "Owner is in arrears, do not approve extras", "The key is with the concierge"

		d, err := db.StaffRequest(ctx, admin, w.A.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		q := d.Request
		if err := db.UpdateRequest(ctx, admin, q.ID, sqldb.RequestEdit{Summary: q.Summary, Description: q.Description,
			StaffNotes: staffNote, Priority: q.Priority, CategoryID: q.CategoryID, Version: q.Version}); err != nil {
			t.Fatal(err)
		}
		raw, hash := auth.NewToken()
		if _, err := db.AssignOperator(ctx, admin, q.ID, 0, sqldb.Dispatch{OperatorID: w.A.Operator, TokenHash: hash, Note: operatorNote}, nil); err != nil {
			t.Fatal(err)
		}

		page := app.client(t).get("/t/"+raw).want(t, http.StatusOK).wantBody(t, "Notes from the manager", operatorNote)
		if strings.Contains(page.Body, staffNote) {
			t.Fatal("the contractor's task page shows the staff notes")
		}
		task, err := db.ContractorTask(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if task.Request.StaffNotes != "" {
			t.Fatalf("ContractorTask read the staff notes %q", task.Request.StaffNotes)
		}
		// Staff still see them.
		if d, err := db.StaffRequest(ctx, admin, q.ID); err != nil || d.Request.StaffNotes != staffNote {
			t.Fatalf("StaffRequest staff notes = %q, %v; want %q", d.Request.StaffNotes, err, staffNote)
		}
	})
}
