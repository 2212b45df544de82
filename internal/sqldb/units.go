package sqldb

import (
	"context"
	"fmt"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// UnitFilter chooses which units a list shows.
type UnitFilter struct {
	Search string // in the unit's label and its property's name
	// Archived lists archived units instead of units in use. Without a
	// PropertyID, units in use also leave out those of archived properties.
	Archived   bool
	PropertyID int64 // 0: every property of the company
	CommonArea *bool // nil: both; true: only common areas; false: only rentable units
	Occupancy  string
	After      *Keyset // the page after this (label, id)
	Before     *Keyset // the page before this (label, id)
	Limit      int     // DefaultPageSize when 0
}

// Occupancy filters of UnitFilter.
const (
	OccupancyAny      = ""
	OccupancyOccupied = "occupied" // a lease covers today
	OccupancyVacant   = "vacant"   // rentable and no lease covers today
)

// UnitPage is one page of units and the cursors of its neighbours.
type UnitPage struct {
	Units      []lintel.Unit
	Next, Prev *Keyset
}

// unitCols are the columns scanUnit reads. The occupancy check takes the
// day as its one parameter, which the query must pass as $1.
const unitCols = `u.id, u.company_id, u.property_id, p.name, u.label, u.common_area, u.bedrooms, u.bathrooms_half, u.area_sqft,
	u.notes, u.created_at, u.updated_at, u.archived_at, p.archived_at IS NOT NULL, ` + occupiedSQL

// occupiedSQL is true when a lease of unit u covers day $1. It matches
// lintel.Lease.StatusOn: started on or before today and not ended before it.
const occupiedSQL = `EXISTS (SELECT 1 FROM leases l WHERE l.unit_id = u.id AND l.archived_at IS NULL
	AND l.start_date <= $1 AND (l.end_date IS NULL OR l.end_date >= $1))`

func scanUnit(row scanner, u *lintel.Unit) error {
	return row.Scan(&u.ID, &u.CompanyID, &u.PropertyID, &u.PropertyName, &u.Label, &u.CommonArea, &u.Bedrooms, &u.BathroomsHalf, &u.AreaSqft,
		&u.Notes, at(&u.CreatedAt), at(&u.UpdatedAt), at(&u.ArchivedAt), &u.PropertyGone, &u.Occupied)
}

// ListUnits lists the company's units by label.
func (db *DB) ListUnits(ctx context.Context, s lintel.Staff, f UnitFilter) (UnitPage, error) {
	var out UnitPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{lintel.DateOf(tx.Now)}
		// Conditions on the property are written as sub-selects on u's
		// property_id, not on the joined p: both engines then filter the
		// units walked in label order without looking up each one's
		// property, and join only the rows of the page.
		company := args.add(s.CompanyID)
		search := strings.TrimSpace(f.Search) != ""
		var ts textSearch
		if search {
			ts = db.newTextSearch(&args, f.Search)
		}
		q := `SELECT ` + unitCols + ` FROM units u JOIN properties p ON p.id = u.property_id WHERE ` + ts.scope("u.company_id", company)
		switch {
		case f.Archived:
			q += ` AND u.archived_at IS NOT NULL`
		case f.PropertyID != 0:
			q += ` AND u.archived_at IS NULL`
		default:
			q += ` AND u.archived_at IS NULL AND u.property_id NOT IN (SELECT id FROM properties WHERE company_id = ` + company + ` AND archived_at IS NOT NULL)`
		}
		if f.PropertyID != 0 {
			q += ` AND u.property_id = ` + args.add(f.PropertyID)
		}
		if f.CommonArea != nil {
			q += ` AND u.common_area = ` + args.add(*f.CommonArea)
		}
		switch f.Occupancy {
		case OccupancyOccupied:
			q += ` AND ` + occupiedSQL
		case OccupancyVacant:
			q += ` AND NOT u.common_area AND NOT ` + occupiedSQL
		}
		if search {
			q += ` AND u.id IN (` + unitSearch(ts, company) + `)`
		}
		where, order := keysetClause(&args, ts.sortKey("u.label"), "u.id", f.After, f.Before)
		q += where + order + ` LIMIT ` + args.add(limit+1)
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u lintel.Unit
			if err := scanUnit(rows, &u); err != nil {
				return err
			}
			out.Units = append(out.Units, u)
		}
		return rows.Err()
	})
	if err != nil {
		return UnitPage{}, fmt.Errorf("list units: %w", err)
	}
	more := len(out.Units) > limit
	if more {
		out.Units = out.Units[:limit]
	}
	if f.Before != nil {
		reverse(out.Units)
	}
	keys := make([]Keyset, len(out.Units))
	for i, u := range out.Units {
		keys[i] = Keyset{u.Label, u.ID}
	}
	out.Next, out.Prev = pageLinks(keys, more, f.After, f.Before)
	return out, nil
}

// unitSearch is a subquery of the ids of the company's units whose label or
// property's name contains the search: the units list's search, and part
// of the leases list's. Two branches rather than an OR, so that each is
// found through its own index.
func unitSearch(ts textSearch, company string) string {
	return ts.ids("su.id", "units", "su", "units_fts", company, "lower(su.label)") +
		` UNION ALL SELECT pu.id FROM units pu WHERE pu.property_id IN (` +
		ts.ids("sp.id", "properties", "sp", "properties_fts", company, "lower(sp.name)") + `)`
}

// CountArchivedUnits counts a property's archived units, for the link to
// them from the property page.
func (db *DB) CountArchivedUnits(ctx context.Context, s lintel.Staff, propertyID int64) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*) FROM units WHERE property_id = $1 AND company_id = $2 AND archived_at IS NOT NULL`,
			[]any{propertyID, s.CompanyID}, &n)
	})
	return n, err
}

// Unit returns one of the company's units, archived or not.
func (db *DB) Unit(ctx context.Context, s lintel.Staff, id int64) (lintel.Unit, error) {
	var u lintel.Unit
	err := db.view(ctx, func(tx *Tx) error {
		return mapErr(scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units u JOIN properties p ON p.id = u.property_id
			WHERE u.id = $2 AND u.company_id = $3`, lintel.DateOf(tx.Now), id, s.CompanyID), &u))
	})
	return u, err
}

// CreateUnit adds a unit to u.PropertyID, which must be one of the
// company's properties in use: the id comes from a URL or a form and is
// re-checked here (SECURITY.md 12).
func (db *DB) CreateUnit(ctx context.Context, s lintel.Staff, u lintel.Unit) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	u.Normalize()
	if err := u.Validate().Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insertUnit(ctx, s, u)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create unit: %w", err)
	}
	return id, nil
}

// insertUnit checks the property and stores a normalized, valid unit.
func (tx *Tx) insertUnit(ctx context.Context, s lintel.Staff, u lintel.Unit) (int64, error) {
	archived, err := tx.propertyArchived(ctx, s, u.PropertyID)
	if err != nil {
		return 0, err
	}
	if archived {
		return 0, lintel.Conflict("This property is archived. Restore it first, then add units.")
	}
	id, err := tx.insert(ctx, `INSERT INTO units (company_id, property_id, label, common_area, bedrooms, bathrooms_half, area_sqft, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		s.CompanyID, u.PropertyID, u.Label, u.CommonArea, u.Bedrooms, u.BathroomsHalf, u.AreaSqft, u.Notes, ts(tx.Now))
	if err != nil {
		return 0, err
	}
	return id, tx.staffAudit(ctx, s, "unit.create", "unit", id, u.Label)
}

// UpdateUnit saves the editable fields of u, one of the company's units. A
// unit stays with its property: leases and ownerships hang on that.
func (db *DB) UpdateUnit(ctx context.Context, s lintel.Staff, u lintel.Unit) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	u.Normalize()
	if err := u.Validate().Err(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE units SET label = $1, common_area = $2, bedrooms = $3, bathrooms_half = $4, area_sqft = $5, notes = $6, updated_at = $7
			WHERE id = $8 AND company_id = $9`,
			u.Label, u.CommonArea, u.Bedrooms, u.BathroomsHalf, u.AreaSqft, u.Notes, ts(tx.Now), u.ID, s.CompanyID)
		if err := oneRow(r, err); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "unit.update", "unit", u.ID, u.Label)
	})
}

// ArchiveUnit takes a unit out of use. It refuses while the unit has a
// current or upcoming lease. Archiving twice changes nothing.
func (db *DB) ArchiveUnit(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		archived, err := tx.unitArchived(ctx, s, id)
		if err != nil || archived {
			return err
		}
		var n int
		if err := tx.get(ctx, `SELECT COUNT(*) FROM leases WHERE unit_id = $1 AND company_id = $2 AND archived_at IS NULL
			AND (end_date IS NULL OR end_date >= $3)`, []any{id, s.CompanyID, lintel.DateOf(tx.Now)}, &n); err != nil {
			return err
		}
		if n > 0 {
			return lintel.Conflict("This unit has a current or upcoming lease. End or archive the lease first, then archive the unit.")
		}
		if _, err := tx.exec(ctx, `UPDATE units SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "unit.archive", "unit", id, "")
	})
}

// UnarchiveUnit puts an archived unit back in use.
func (db *DB) UnarchiveUnit(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		archived, err := tx.unitArchived(ctx, s, id)
		if err != nil || !archived {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE units SET archived_at = NULL, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "unit.unarchive", "unit", id, "")
	})
}

func (tx *Tx) unitArchived(ctx context.Context, s lintel.Staff, id int64) (bool, error) {
	var archived *string
	err := tx.get(ctx, `SELECT archived_at FROM units WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID}, &archived)
	return archived != nil, err
}
