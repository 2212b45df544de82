package sqldb

import (
	"context"
	"fmt"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// ownershipCols are the columns scanOwnership reads; the query joins
// contacts c, properties p and (left) units u.
const ownershipCols = `o.id, o.company_id, o.contact_id, c.name, o.property_id, p.name, COALESCE(o.unit_id, 0), COALESCE(u.label, ''),
	o.share_bp, o.start_date, o.end_date, o.created_at, o.archived_at`

const ownershipFrom = ` FROM ownerships o JOIN contacts c ON c.id = o.contact_id JOIN properties p ON p.id = o.property_id
	LEFT JOIN units u ON u.id = o.unit_id`

func scanOwnership(row scanner, o *lintel.Ownership) error {
	return row.Scan(&o.ID, &o.CompanyID, &o.ContactID, &o.ContactName, &o.PropertyID, &o.PropertyName, &o.UnitID, &o.UnitLabel,
		&o.ShareBP, &o.Start, &o.End, at(&o.CreatedAt), at(&o.ArchivedAt))
}

// Ownership returns one of the company's ownerships, archived or not.
func (db *DB) Ownership(ctx context.Context, s lintel.Staff, id int64) (lintel.Ownership, error) {
	var o lintel.Ownership
	err := db.view(ctx, func(tx *Tx) error {
		return mapErr(scanOwnership(tx.QueryRowContext(ctx, `SELECT `+ownershipCols+ownershipFrom+` WHERE o.id = $1 AND o.company_id = $2`, id, s.CompanyID), &o))
	})
	return o, err
}

// PropertyOwners lists the ownerships in effect of a property and of each
// of its units: whole-property owners first, then by unit and owner name.
func (db *DB) PropertyOwners(ctx context.Context, s lintel.Staff, propertyID int64) ([]lintel.Ownership, error) {
	var out []lintel.Ownership
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+ownershipCols+ownershipFrom+`
			WHERE o.property_id = $1 AND o.company_id = $2 AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $3)
			ORDER BY o.unit_id IS NOT NULL, u.label, c.name, o.id`, propertyID, s.CompanyID, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o lintel.Ownership
			if err := scanOwnership(rows, &o); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	return out, nil
}

// CreateOwnership records that an owner contact owns the property or one
// of its units. Every id is re-checked against the company (SECURITY.md 12),
// and the shares of the asset's owners may not pass 100%: the message says
// how much is left.
func (db *DB) CreateOwnership(ctx context.Context, s lintel.Staff, o lintel.Ownership) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	if err := o.Validate().Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		// Touching the property row first serialises concurrent ownership
		// changes of one property on PostgreSQL (a row lock until commit), so
		// two owners added at once cannot both pass the 100% check. SQLite
		// has one writer anyway. It also proves the property is the company's.
		r, err := tx.exec(ctx, `UPDATE properties SET updated_at = updated_at WHERE id = $1 AND company_id = $2`, o.PropertyID, s.CompanyID)
		if err := oneRow(r, err); err != nil {
			return err
		}
		fe := lintel.FieldErrors{}
		asset, label := "property", ""
		if o.UnitID != 0 {
			asset = "unit"
			err := tx.get(ctx, `SELECT label FROM units WHERE id = $1 AND property_id = $2 AND company_id = $3 AND archived_at IS NULL`,
				[]any{o.UnitID, o.PropertyID, s.CompanyID}, &label)
			switch {
			case lintel.IsNotFound(err):
				fe.Add("asset", "Choose this property or one of its units from the list.")
			case err != nil:
				return err
			}
		}
		var ownerName string
		err = tx.get(ctx, `SELECT name FROM contacts WHERE id = $1 AND company_id = $2 AND is_owner AND archived_at IS NULL`,
			[]any{o.ContactID, s.CompanyID}, &ownerName)
		switch {
		case lintel.IsNotFound(err):
			fe.Add("contact_id", "Choose an owner from the list. To add someone new, first create them as a contact marked as an owner.")
		case err != nil:
			return err
		}
		if len(fe) > 0 {
			return fe.Err()
		}
		held, already, err := tx.assetShares(ctx, s, o)
		if err != nil {
			return err
		}
		if already {
			fe.Add("contact_id", ownerName+" already owns this "+asset+". Archive that ownership first to record a new share.")
		}
		if left := lintel.ShareBPMax - held; o.ShareBP > left {
			if left == 0 {
				fe.Add("share", "The current owners of this "+asset+" already hold 100%. Archive an ownership first to make room.")
			} else {
				fe.Add("share", fmt.Sprintf("Only %s%% of this %s is left to assign: the current owners hold %s%%.", lintel.FormatShare(left), asset, lintel.FormatShare(held)))
			}
		}
		if len(fe) > 0 {
			return fe.Err()
		}
		var unit any
		if o.UnitID != 0 {
			unit = o.UnitID
		}
		id, err = tx.insert(ctx, `INSERT INTO ownerships (company_id, contact_id, property_id, unit_id, share_bp, start_date, end_date, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			s.CompanyID, o.ContactID, o.PropertyID, unit, o.ShareBP, o.Start, o.End, ts(tx.Now))
		if err != nil {
			return err
		}
		what := "the property"
		if o.UnitID != 0 {
			what = "unit " + label
		}
		return tx.staffAudit(ctx, s, "ownership.create", "ownership", id, fmt.Sprintf("%s owns %s%% of %s", ownerName, lintel.FormatShare(o.ShareBP), what))
	})
	if err != nil {
		return 0, fmt.Errorf("create ownership: %w", err)
	}
	return id, nil
}

// assetShares sums the shares held today in o's asset (the whole property
// when o.UnitID is 0, else that unit) and reports whether o's contact is
// already one of its owners.
func (tx *Tx) assetShares(ctx context.Context, s lintel.Staff, o lintel.Ownership) (held int, already bool, err error) {
	q := `SELECT COALESCE(SUM(share_bp), 0), COALESCE(SUM(CASE WHEN contact_id = $3 THEN 1 ELSE 0 END), 0) FROM ownerships
		WHERE property_id = $1 AND company_id = $2 AND archived_at IS NULL AND (end_date IS NULL OR end_date >= $4)`
	args := []any{o.PropertyID, s.CompanyID, o.ContactID, lintel.DateOf(tx.Now)}
	if o.UnitID == 0 {
		q += ` AND unit_id IS NULL`
	} else {
		q += ` AND unit_id = $5`
		args = append(args, o.UnitID)
	}
	var n int
	err = tx.get(ctx, q, args, &held, &n)
	return held, n > 0, err
}

// ArchiveOwnership ends the record of an ownership (sold, recorded by
// mistake). Archiving twice changes nothing.
func (db *DB) ArchiveOwnership(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var archived *string
		if err := tx.get(ctx, `SELECT archived_at FROM ownerships WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID}, &archived); err != nil {
			return err
		}
		if archived != nil {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE ownerships SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "ownership.archive", "ownership", id, "")
	})
}

// OwnerChoice is an owner contact offered in the owner select.
type OwnerChoice struct {
	ID   int64
	Name string
}

// MaxOwnerChoices is how many owners the select offers at most; past that
// the person narrows the list with a search.
const MaxOwnerChoices = 200

// OwnerChoices lists the company's owner contacts in use, by name, whose
// name contains q (all when q is empty), at most MaxOwnerChoices+1 so the
// caller can tell the list was cut.
func (db *DB) OwnerChoices(ctx context.Context, s lintel.Staff, q string) ([]OwnerChoice, error) {
	var out []OwnerChoice
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{s.CompanyID}
		var ts textSearch
		if strings.TrimSpace(q) != "" {
			ts = db.newTextSearch(&args, q)
		}
		sq := `SELECT id, name FROM contacts WHERE ` + ts.scope("company_id", "$1") + ` AND is_owner AND archived_at IS NULL`
		if strings.TrimSpace(q) != "" {
			sq += ` AND ` + ts.match("id", "contacts_fts", "lower(name)")
		}
		sq += ` ORDER BY ` + ts.sortKey("name") + `, id LIMIT ` + args.add(MaxOwnerChoices+1)
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, sq, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c OwnerChoice
			if err := rows.Scan(&c.ID, &c.Name); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list owner choices: %w", err)
	}
	return out, nil
}
