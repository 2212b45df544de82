package testkit

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// SetManagementFee sets a property's management fee (basis points) the way
// the property form does, through UpdateProperty.
func SetManagementFee(ctx context.Context, db *sqldb.DB, s lintel.Staff, propertyID int64, bp int) error {
	p, err := db.Property(ctx, s, propertyID)
	if err != nil {
		return err
	}
	p.ManagementFeeBP = bp
	return db.UpdateProperty(ctx, s, p)
}

// SetLateFeeRule sets a lease's late fee the way the lease form does,
// through UpdateLease.
func SetLateFeeRule(ctx context.Context, db *sqldb.DB, s lintel.Staff, leaseID, fee int64, graceDays int) error {
	l, err := db.Lease(ctx, s, leaseID)
	if err != nil {
		return err
	}
	l.LateFeeMinor, l.LateFeeGraceDays = fee, graceDays
	return db.UpdateLease(ctx, s, l)
}
