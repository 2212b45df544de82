package sqldb

import (
	"context"
	"fmt"
	"slices"

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

// ResidentRequestView is a request as its resident page shows it.
type ResidentRequestView struct {
	RequestDetail
	CompanyName string
	Currency    string
	// Owner: the resident owns the asset (the whole property or the
	// request's unit), so approvals are theirs to decide; tenants only
	// follow along.
	Owner bool
}

// ResidentRequestView reads a request the resident may see, with its
// resident-visible timeline, its company and whether the resident owns the
// asset. A request outside their scope is lintel.ErrNotFound.
func (db *DB) ResidentRequestView(ctx context.Context, r lintel.Resident, id int64) (ResidentRequestView, error) {
	var v ResidentRequestView
	err := db.view(ctx, func(tx *Tx) error {
		companyID, err := tx.residentCompanyOf(ctx, r, id)
		if err != nil {
			return err
		}
		if v.RequestDetail, err = tx.requestDetail(ctx, companyID, id, forResidents); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT name, currency FROM companies WHERE id = $1`, []any{companyID}, &v.CompanyName, &v.Currency); err != nil {
			return err
		}
		owned, err := tx.residentOwns(ctx, r, []int64{id})
		v.Owner = owned[id]
		return err
	})
	if err != nil {
		return ResidentRequestView{}, fmt.Errorf("read request %d: %w", id, err)
	}
	return v, nil
}

// CheckResidentRequest runs SubmitRequest's checks without writing
// anything, so the web layer can refuse a form (with every message at
// once) before it stores photos. SubmitRequest checks again in its own
// transaction; this is no substitute.
func (db *DB) CheckResidentRequest(ctx context.Context, r lintel.Resident, companyID int64, in NewRequest) error {
	return db.view(ctx, func(tx *Tx) error {
		fe := lintel.FieldErrors{}
		places, err := tx.residentPlaces(ctx, r)
		if err != nil {
			return err
		}
		placeOK := slices.ContainsFunc(places, func(p Place) bool {
			return p.CompanyID == companyID && p.PropertyID == in.PropertyID && p.UnitID == in.UnitID
		})
		if !placeOK {
			fe.Add("place", "Choose one of your homes or properties from the list.")
		}
		var cat lintel.Category
		if placeOK {
			if cat, err = tx.category(ctx, companyID, in.CategoryID); err != nil {
				return err
			}
		}
		in.Priority = lintel.PriorityNormal
		_, verr := validateRequest(&in, cat, lintel.DateOf(tx.Now))
		for k, v := range lintel.FieldsOf(verr) {
			// Without a place there is no company whose categories a
			// chosen category could be checked against: only the place
			// needs fixing.
			if k == "category_id" && !placeOK && in.CategoryID != 0 {
				continue
			}
			fe.Add(k, v)
		}
		return fe.Err()
	})
}

// ResidentOwnedRequests reports which of the requests ids are on an asset
// the resident owns: the whole property, or the unit of the request. Ids
// the resident may not see, or does not own, are simply absent, so the
// answer says nothing about requests outside their scope.
func (db *DB) ResidentOwnedRequests(ctx context.Context, r lintel.Resident, ids []int64) (map[int64]bool, error) {
	var out map[int64]bool
	err := db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.residentOwns(ctx, r, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("check owned requests: %w", err)
	}
	return out, nil
}

func (tx *Tx) residentOwns(ctx context.Context, r lintel.Resident, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
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
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
