package testkit

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

func TestWorld(t *testing.T) {
	ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := NewWorld(t, db)
		ctx := context.Background()
		l, err := db.Lease(ctx, w.A.Staff[Admin], w.A.Lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Tenants) != 2 || l.StatusOn(lintel.DateOf(db.Now())) != lintel.LeaseActive {
			t.Fatalf("active lease: %d tenants, status %s", len(l.Tenants), l.StatusOn(lintel.DateOf(db.Now())))
		}
		ended, err := db.Lease(ctx, w.A.Staff[Admin], w.A.EndedLease)
		if err != nil || ended.StatusOn(lintel.DateOf(db.Now())) != lintel.LeaseEnded {
			t.Fatalf("ended lease: %v %v", ended.StatusOn(lintel.DateOf(db.Now())), err)
		}
		// The companies look alike but are separate.
		if _, err := db.Lease(ctx, w.B.Staff[Admin], w.A.Lease); !lintel.IsNotFound(err) {
			t.Fatalf("company B reads company A's lease: %v", err)
		}
	})
}
