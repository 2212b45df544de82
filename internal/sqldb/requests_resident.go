package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// What the residents' maintenance tab needs beyond the shared core in
// requests.go: the person's list preference, and which of the requests
// they see are on assets they own (owners decide approvals; tenants only
// follow along).

// ResidentMaintenancePrefs are a resident's choices for their list.
type ResidentMaintenancePrefs struct {
	HideCancelled bool
}

// ResidentMaintenancePrefsOf reads the resident's list preferences.
func (db *DB) ResidentMaintenancePrefsOf(ctx context.Context, r lintel.Resident) (ResidentMaintenancePrefs, error) {
	var p ResidentMaintenancePrefs
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT hide_cancelled_requests FROM users WHERE id = $1 AND disabled_at IS NULL`, []any{r.UserID}, &p.HideCancelled)
	})
	if err != nil {
		return ResidentMaintenancePrefs{}, fmt.Errorf("read list preferences: %w", err)
	}
	return p, nil
}

// SetHideCancelledRequests records whether the resident's list leaves out
// cancelled requests.
func (db *DB) SetHideCancelledRequests(ctx context.Context, r lintel.Resident, hide bool) error {
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE users SET hide_cancelled_requests = $1, updated_at = $2 WHERE id = $3 AND disabled_at IS NULL`,
			hide, ts(tx.Now), r.UserID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lintel.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save list preferences: %w", err)
	}
	return nil
}

// ResidentOwnedRequests reports which of the requests ids are on an asset
// the resident owns: the whole property, or the unit of the request. Ids
// the resident may not see, or does not own, are simply absent, so the
// answer says nothing about requests outside their scope.
func (db *DB) ResidentOwnedRequests(ctx context.Context, r lintel.Resident, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{r.UserID}
		in := ""
		for i, id := range ids {
			if i > 0 {
				in += ", "
			}
			in += args.add(id)
		}
		// The same ownership rule as myRequests' owner half.
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT DISTINCT r.id FROM requests r
			JOIN ownerships o ON o.company_id = r.company_id AND o.property_id = r.property_id AND o.archived_at IS NULL
				AND (o.unit_id IS NULL OR o.unit_id = r.unit_id)
			JOIN me ON me.id = o.contact_id AND me.company_id = o.company_id AND me.is_owner
			WHERE r.id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("check owned requests: %w", err)
	}
	return out, nil
}
