package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Keyset marks a place in a list ordered by (Key, ID): a property's name or
// a unit's label, then its id to break ties. Lists page by keyset, never by
// OFFSET, so page 500 costs what page 1 costs.
type Keyset struct {
	Key string
	ID  int64
}

// Default and largest page sizes of the record lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// sqlArgs collects query parameters and hands out their $N placeholders, so
// optional filters can be appended without counting by hand.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// likePattern turns what a person typed into a LIKE pattern matching it
// anywhere, with LIKE's own wildcards taken literally (ESCAPE '\'). The
// SQL side lower-cases both sides, so the match is case-insensitive on both
// engines (ASCII only on SQLite, whose lower() knows no more).
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(q)) + "%"
}

// keysetClause adds the ORDER BY and the cursor condition of one page.
// Paging backwards reads in reverse order; the caller reverses the rows.
func keysetClause(args *sqlArgs, keyCol, idCol string, after, before *Keyset) (where, order string) {
	switch {
	case before != nil:
		return fmt.Sprintf(" AND (%s, %s) < (%s, %s)", keyCol, idCol, args.add(before.Key), args.add(before.ID)),
			fmt.Sprintf(" ORDER BY %s DESC, %s DESC", keyCol, idCol)
	case after != nil:
		return fmt.Sprintf(" AND (%s, %s) > (%s, %s)", keyCol, idCol, args.add(after.Key), args.add(after.ID)),
			fmt.Sprintf(" ORDER BY %s, %s", keyCol, idCol)
	}
	return "", fmt.Sprintf(" ORDER BY %s, %s", keyCol, idCol)
}

// pageLinks works out the cursors of the neighbouring pages. rows were read
// with limit+1 to learn whether one more page exists in the reading
// direction; keys are the (key, id) of the rows after trimming and putting
// them back in ascending order.
func pageLinks(keys []Keyset, more bool, after, before *Keyset) (next, prev *Keyset) {
	if len(keys) == 0 {
		if before != nil {
			return before, nil // back past the start: offer the way forward again
		}
		if after != nil {
			return nil, after
		}
		return nil, nil
	}
	first, last := keys[0], keys[len(keys)-1]
	switch {
	case before != nil:
		next = &last
		if more {
			prev = &first
		}
	case after != nil:
		prev = &first
		if more {
			next = &last
		}
	default:
		if more {
			next = &last
		}
	}
	return next, prev
}

// PropertyFilter chooses which properties a list shows.
type PropertyFilter struct {
	Search   string              // in the name, address and city
	Archived bool                // archived properties instead of those in use
	Kind     lintel.PropertyKind // "" for every kind
	After    *Keyset             // the page after this (name, id)
	Before   *Keyset             // the page before this (name, id)
	Limit    int                 // DefaultPageSize when 0
}

// PropertyPage is one page of properties and the cursors of its neighbours
// (nil at either end).
type PropertyPage struct {
	Properties []lintel.Property
	Next, Prev *Keyset
}

// propertyCols are the columns scanProperty reads, unit counts included:
// two index look-ups per row of the page, never a query per row.
const propertyCols = `p.id, p.company_id, p.name, p.kind, p.address_line1, p.address_line2, p.city, p.region, p.postal_code,
	p.country, p.notes, p.created_at, p.updated_at, p.archived_at,
	(SELECT COUNT(*) FROM units u WHERE u.property_id = p.id AND u.archived_at IS NULL AND u.common_area = FALSE),
	(SELECT COUNT(*) FROM units u WHERE u.property_id = p.id AND u.archived_at IS NULL AND u.common_area = TRUE),
	p.approval_limit_minor, p.management_fee_bp`

type scanner interface{ Scan(dest ...any) error }

func scanProperty(row scanner, p *lintel.Property) error {
	var limit sql.NullInt64
	err := row.Scan(&p.ID, &p.CompanyID, &p.Name, &p.Kind, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode,
		&p.Country, &p.Notes, at(&p.CreatedAt), at(&p.UpdatedAt), at(&p.ArchivedAt), &p.UnitCount, &p.CommonAreaCount, &limit, &p.ManagementFeeBP)
	if limit.Valid {
		p.ApprovalLimitMinor = &limit.Int64
	}
	return err
}

// ListProperties lists the staff member's company's properties by name.
func (db *DB) ListProperties(ctx context.Context, s lintel.Staff, f PropertyFilter) (PropertyPage, error) {
	var out PropertyPage
	limit := pageSize(f.Limit)
	args := sqlArgs{s.CompanyID}
	search := strings.TrimSpace(f.Search) != ""
	var ts textSearch
	if search {
		ts = db.newTextSearch(&args, f.Search)
	}
	q := `SELECT ` + propertyCols + ` FROM properties p WHERE ` + ts.scope("p.company_id", "$1")
	if f.Archived {
		q += ` AND p.archived_at IS NOT NULL`
	} else {
		q += ` AND p.archived_at IS NULL`
	}
	if f.Kind != "" {
		q += ` AND p.kind = ` + args.add(string(f.Kind))
	}
	if search {
		q += ` AND ` + ts.match("p.id", "properties_fts", "lower(p.name)", "lower(p.address_line1)", "lower(p.city)", "lower(p.postal_code)")
	}
	where, order := keysetClause(&args, ts.sortKey("p.name"), "p.id", f.After, f.Before)
	q += where + order + ` LIMIT ` + args.add(limit+1)
	err := db.view(ctx, func(tx *Tx) error {
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p lintel.Property
			if err := scanProperty(rows, &p); err != nil {
				return err
			}
			out.Properties = append(out.Properties, p)
		}
		return rows.Err()
	})
	if err != nil {
		return PropertyPage{}, fmt.Errorf("list properties: %w", err)
	}
	more := len(out.Properties) > limit
	if more {
		out.Properties = out.Properties[:limit]
	}
	if f.Before != nil {
		reverse(out.Properties)
	}
	keys := make([]Keyset, len(out.Properties))
	for i, p := range out.Properties {
		keys[i] = Keyset{p.Name, p.ID}
	}
	out.Next, out.Prev = pageLinks(keys, more, f.After, f.Before)
	return out, nil
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Property returns one of the company's properties, archived or not.
func (db *DB) Property(ctx context.Context, s lintel.Staff, id int64) (lintel.Property, error) {
	var p lintel.Property
	err := db.view(ctx, func(tx *Tx) error {
		return mapErr(scanProperty(tx.QueryRowContext(ctx, `SELECT `+propertyCols+` FROM properties p WHERE p.id = $1 AND p.company_id = $2`, id, s.CompanyID), &p))
	})
	return p, err
}

// CreateProperty stores a new property and, when firstUnit is not nil, its
// first unit in the same transaction: a single-family house is a property
// with one unit, and the manager should not have to make both by hand.
func (db *DB) CreateProperty(ctx context.Context, s lintel.Staff, p lintel.Property, firstUnit *lintel.Unit) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	p.Normalize()
	if err := p.Validate().Err(); err != nil {
		return 0, err
	}
	if firstUnit != nil {
		firstUnit.Normalize()
		if err := firstUnit.Validate().Err(); err != nil {
			return 0, err
		}
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insert(ctx, `INSERT INTO properties (company_id, name, kind, address_line1, address_line2, city, region, postal_code, country, notes, created_at, updated_at, management_fee_bp)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)`,
			s.CompanyID, p.Name, string(p.Kind), p.AddressLine1, p.AddressLine2, p.City, p.Region, p.PostalCode, p.Country, p.Notes, ts(tx.Now), p.ManagementFeeBP)
		if err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "property.create", "property", id, p.Name); err != nil {
			return err
		}
		if firstUnit != nil {
			firstUnit.PropertyID = id
			if _, err := tx.insertUnit(ctx, s, *firstUnit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("create property: %w", err)
	}
	return id, nil
}

// UpdateProperty saves the editable fields of p, one of the company's
// properties.
func (db *DB) UpdateProperty(ctx context.Context, s lintel.Staff, p lintel.Property) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate().Err(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var limit any
		if p.ApprovalLimitMinor != nil {
			limit = *p.ApprovalLimitMinor
		}
		r, err := tx.exec(ctx, `UPDATE properties SET name = $1, kind = $2, address_line1 = $3, address_line2 = $4, city = $5, region = $6,
			postal_code = $7, country = $8, notes = $9, updated_at = $10, approval_limit_minor = $13, management_fee_bp = $14 WHERE id = $11 AND company_id = $12`,
			p.Name, string(p.Kind), p.AddressLine1, p.AddressLine2, p.City, p.Region, p.PostalCode, p.Country, p.Notes, ts(tx.Now), p.ID, s.CompanyID, limit, p.ManagementFeeBP)
		if err := oneRow(r, err); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "property.update", "property", p.ID, p.Name)
	})
}

// ArchiveProperty takes a property out of use. It refuses while a unit of
// it has a current or upcoming lease: those tenants still live there.
// Archiving twice changes nothing.
func (db *DB) ArchiveProperty(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		archived, err := tx.propertyArchived(ctx, s, id)
		if err != nil || archived {
			return err
		}
		var label string
		err = tx.get(ctx, `SELECT u.label FROM leases l JOIN units u ON u.id = l.unit_id
			WHERE u.property_id = $1 AND l.company_id = $2 AND l.archived_at IS NULL AND (l.end_date IS NULL OR l.end_date >= $3)
			ORDER BY u.label LIMIT 1`, []any{id, s.CompanyID, lintel.DateOf(tx.Now)}, &label)
		switch {
		case err == nil:
			return lintel.Conflict(fmt.Sprintf("Unit %s has a current or upcoming lease. End or archive that lease first, then archive the property.", label))
		case !lintel.IsNotFound(err):
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE properties SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "property.archive", "property", id, "")
	})
}

// UnarchiveProperty puts an archived property back in use, with the units
// that were in use when it was archived.
func (db *DB) UnarchiveProperty(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		archived, err := tx.propertyArchived(ctx, s, id)
		if err != nil || !archived {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE properties SET archived_at = NULL, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "property.unarchive", "property", id, "")
	})
}

// propertyArchived checks that property id is the company's and reports
// whether it is archived.
func (tx *Tx) propertyArchived(ctx context.Context, s lintel.Staff, id int64) (bool, error) {
	var archived *string
	err := tx.get(ctx, `SELECT archived_at FROM properties WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID}, &archived)
	return archived != nil, err
}

// oneRow turns "no row matched" into lintel.ErrNotFound for updates scoped
// by company: out of scope and missing look the same.
func oneRow(r interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return lintel.ErrNotFound
	}
	return nil
}
