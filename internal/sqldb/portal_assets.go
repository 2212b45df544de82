package sqldb

import (
	"context"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The portal's Assets tab: what an owner owns, with
// their share, occupancy, the current leases in outline and the open
// maintenance. An owner of the whole property sees all of it; an owner of
// one unit sees that unit only. Nothing here names a tenant: owners learn
// whether a unit is let, on what terms, not to whom.

// Asset kinds, as they appear in /portal/assets/{kind}/{id}.
const (
	AssetKindProperty = "property"
	AssetKindUnit     = "unit"
)

// ResidentAssetItem is one property or unit the resident owns a share of.
type ResidentAssetItem struct {
	Kind         string // AssetKindProperty or AssetKindUnit
	PropertyID   int64
	UnitID       int64 // 0 for a whole property
	CompanyName  string
	PropertyName string
	Address      string
	UnitLabel    string
	ShareBP      int // basis points: 10000 = 100 %
	Units        int // units that can be let (common areas left out)
	Occupied     int // of those, units with a lease running today
	OpenRequests int // maintenance not yet closed or cancelled
}

// ID is the asset's id in its URL: the property's or the unit's.
func (a ResidentAssetItem) ID() int64 {
	if a.Kind == AssetKindUnit {
		return a.UnitID
	}
	return a.PropertyID
}

// Share formats the share as a percentage, e.g. "60%".
func (a ResidentAssetItem) Share() string { return lintel.FormatShare(a.ShareBP) + "%" }

// Vacant is the number of units without a running lease.
func (a ResidentAssetItem) Vacant() int { return a.Units - a.Occupied }

// ResidentAsset is one asset's page.
type ResidentAsset struct {
	ResidentAssetItem
	Company  PortalCompany
	Currency string
	UnitList []AssetUnitView
	Requests []AssetRequest
}

// AssetUnitView is one unit of an asset, with its lease in outline.
type AssetUnitView struct {
	ID         int64
	Label      string
	CommonArea bool
	// Lease is the lease running today, else the next one to start; nil
	// when there is neither.
	Lease *AssetLease
}

// Occupied reports whether a lease runs today.
func (u AssetUnitView) Occupied() bool { return u.Lease != nil && u.Lease.Status == lintel.LeaseActive }

// AssetLease is a lease as an owner sees it: terms, not tenants.
type AssetLease struct {
	Start, End   lintel.Date
	MonthToMonth bool
	RentMinor    int64
	Currency     string
	Status       lintel.LeaseStatus
}

// Rent is the rent in the company's currency.
func (l AssetLease) Rent() string { return lintel.FormatMoney(l.RentMinor, l.Currency) }

// AssetRequest is an open maintenance request on the asset.
type AssetRequest struct {
	ID         int64
	Summary    string
	Status     lintel.RequestStatus
	UnitLabel  string // "" when about the whole property
	CommonArea bool
	CreatedAt  time.Time
}

// currentOwnership is the WHERE part shared by the list and the page: the
// resident's owner contacts' ownerships that have not ended, of assets in
// use. $2 is today.
const currentOwnership = ` FROM me
	JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id
	JOIN properties p ON p.id = o.property_id AND p.company_id = o.company_id
	LEFT JOIN units un ON un.id = o.unit_id AND un.company_id = o.company_id
	JOIN companies co ON co.id = o.company_id
	WHERE me.is_owner AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $2)
		AND p.archived_at IS NULL AND (o.unit_id IS NULL OR un.archived_at IS NULL)`

const assetCols = `o.property_id, COALESCE(o.unit_id, 0), co.name, p.name, p.address_line1, p.address_line2, p.city, p.region, p.postal_code, p.country,
	COALESCE(un.label, ''), o.share_bp`

// ResidentAssets lists what the resident owns, with counts for each asset
// computed in the same statement.
func (db *DB) ResidentAssets(ctx context.Context, r lintel.Resident) ([]ResidentAssetItem, error) {
	var out []ResidentAssetItem
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT `+assetCols+`,
				(SELECT COUNT(*) FROM units u2 WHERE u2.property_id = o.property_id AND u2.company_id = o.company_id
					AND u2.archived_at IS NULL AND NOT u2.common_area AND (o.unit_id IS NULL OR u2.id = o.unit_id)),
				(SELECT COUNT(DISTINCT l.unit_id) FROM leases l JOIN units u3 ON u3.id = l.unit_id AND u3.company_id = l.company_id
					WHERE u3.property_id = o.property_id AND u3.company_id = o.company_id AND u3.archived_at IS NULL AND NOT u3.common_area
						AND (o.unit_id IS NULL OR u3.id = o.unit_id)
						AND l.archived_at IS NULL AND l.start_date <= `+db.unplanned("$2")+` AND (l.end_date IS NULL OR l.end_date >= `+db.unplanned("$2")+`)),
				(SELECT COUNT(*) FROM requests r WHERE r.company_id = o.company_id AND r.property_id = o.property_id
					AND (o.unit_id IS NULL OR r.unit_id = o.unit_id) AND r.status NOT IN ('closed', 'cancelled'))`+
			currentOwnership+`
			ORDER BY co.name, p.name, COALESCE(un.label, ''), o.id`, r.UserID, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		seen := map[[2]int64]bool{}
		for rows.Next() {
			var a ResidentAssetItem
			var p lintel.Property
			if err := rows.Scan(&a.PropertyID, &a.UnitID, &a.CompanyName, &a.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City,
				&p.Region, &p.PostalCode, &p.Country, &a.UnitLabel, &a.ShareBP, &a.Units, &a.Occupied, &a.OpenRequests); err != nil {
				return err
			}
			a.Address = p.Address()
			a.Kind = AssetKindProperty
			if a.UnitID != 0 {
				a.Kind = AssetKindUnit
			}
			// Two of the person's contact records may own the same asset
			// (a company that recorded them twice): one line each asset.
			if k := [2]int64{a.PropertyID, a.UnitID}; !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list assets: %w", err)
	}
	return out, nil
}

// ResidentAsset reads one asset the resident owns: kind AssetKindProperty
// with a property id (owned whole), or AssetKindUnit with a unit id (owned on
// its own). Anything else — another owner's asset, a unit of a property
// the person owns only one unit of — is lintel.ErrNotFound.
func (db *DB) ResidentAsset(ctx context.Context, r lintel.Resident, kind string, id int64) (ResidentAsset, error) {
	var a ResidentAsset
	var which string
	switch kind {
	case AssetKindProperty:
		which = ` AND o.unit_id IS NULL AND o.property_id = $3`
	case AssetKindUnit:
		which = ` AND o.unit_id = $3`
	default:
		return a, fmt.Errorf("read asset: %w", lintel.ErrNotFound)
	}
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		var p lintel.Property
		err := tx.get(ctx, myContacts+`SELECT `+assetCols+`, co.id, co.email, co.phone, co.address, co.currency`+
			currentOwnership+which+` ORDER BY o.share_bp DESC, o.id LIMIT 1`, []any{r.UserID, today, id},
			&a.PropertyID, &a.UnitID, &a.CompanyName, &a.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City,
			&p.Region, &p.PostalCode, &p.Country, &a.UnitLabel, &a.ShareBP,
			&a.Company.ID, &a.Company.Email, &a.Company.Phone, &a.Company.Address, &a.Currency)
		if err != nil {
			return err
		}
		a.Kind, a.Address, a.Company.Name = kind, p.Address(), a.CompanyName
		companyID := a.Company.ID

		// Each unit with the lease running today or the next to start:
		// the first lease by start date that has not ended.
		args := sqlArgs{companyID, a.PropertyID, today}
		q := `SELECT un.id, un.label, un.common_area, COALESCE(l.id, 0), l.start_date, l.end_date,
				COALESCE(l.month_to_month, FALSE), COALESCE(l.rent_minor, 0)
			FROM units un
			LEFT JOIN leases l ON l.unit_id = un.id AND l.company_id = un.company_id AND l.archived_at IS NULL
				AND (l.end_date IS NULL OR l.end_date >= ` + db.unplanned("$3") + `)
			WHERE un.company_id = $1 AND un.property_id = $2 AND un.archived_at IS NULL`
		if a.UnitID != 0 {
			q += ` AND un.id = ` + args.add(a.UnitID)
		}
		q += ` ORDER BY un.common_area, un.label, un.id, l.start_date, l.id`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u AssetUnitView
			var leaseID int64
			var l AssetLease
			if err := rows.Scan(&u.ID, &u.Label, &u.CommonArea, &leaseID, &l.Start, &l.End, &l.MonthToMonth, &l.RentMinor); err != nil {
				return err
			}
			if n := len(a.UnitList); n > 0 && a.UnitList[n-1].ID == u.ID {
				continue // a later lease of the same unit
			}
			if leaseID != 0 {
				l.Currency = a.Currency
				l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
				u.Lease = &l
			}
			a.UnitList = append(a.UnitList, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, u := range a.UnitList {
			if !u.CommonArea {
				a.Units++
				if u.Occupied() {
					a.Occupied++
				}
			}
		}

		args = sqlArgs{companyID, a.PropertyID}
		q = `SELECT r.id, r.summary, r.status, r.created_at, COALESCE(un.label, ''), COALESCE(un.common_area, FALSE)
			FROM requests r LEFT JOIN units un ON un.id = r.unit_id AND un.company_id = r.company_id
			WHERE r.company_id = $1 AND r.property_id = $2 AND r.status NOT IN ('closed', 'cancelled')`
		if a.UnitID != 0 {
			q += ` AND r.unit_id = ` + args.add(a.UnitID)
		}
		q += ` ORDER BY r.id DESC LIMIT 100`
		rows, err = tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rq AssetRequest
			if err := rows.Scan(&rq.ID, &rq.Summary, &rq.Status, at(&rq.CreatedAt), &rq.UnitLabel, &rq.CommonArea); err != nil {
				return err
			}
			a.Requests = append(a.Requests, rq)
		}
		a.OpenRequests = len(a.Requests)
		return rows.Err()
	})
	if err != nil {
		return ResidentAsset{}, fmt.Errorf("read asset %s %d: %w", kind, id, err)
	}
	return a, nil
}
