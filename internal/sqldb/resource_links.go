package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// Resource links: a company's own links for its residents, listed on the
// help page under "From your management company".

const resourceLinkColumns = `id, company_id, title, url, audience, position, created_at`

func scanResourceLink(sc interface{ Scan(...any) error }, l *lintel.ResourceLink) error {
	var audience string
	err := sc.Scan(&l.ID, &l.CompanyID, &l.Title, &l.URL, &audience, &l.Position, at(&l.CreatedAt))
	l.Audience = lintel.LinkAudience(audience)
	return err
}

// ResourceLinks lists the staff member's company's links in the order
// residents see them.
func (db *DB) ResourceLinks(ctx context.Context, s lintel.Staff) ([]lintel.ResourceLink, error) {
	var out []lintel.ResourceLink
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+resourceLinkColumns+` FROM resource_links
			WHERE company_id = $1 AND archived_at IS NULL ORDER BY position, id`, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l lintel.ResourceLink
			if err := scanResourceLink(rows, &l); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list resource links: %w", err)
	}
	return out, nil
}

// ResourceLink reads one of the company's links; another company's, or a
// removed one, is not found.
func (db *DB) ResourceLink(ctx context.Context, s lintel.Staff, id int64) (lintel.ResourceLink, error) {
	var l lintel.ResourceLink
	err := db.view(ctx, func(tx *Tx) error {
		return scanResourceLink(tx.QueryRowContext(ctx, `SELECT `+resourceLinkColumns+` FROM resource_links
			WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`, id, s.CompanyID), &l)
	})
	if err != nil {
		return lintel.ResourceLink{}, fmt.Errorf("read resource link: %w", mapErr(err))
	}
	return l, nil
}

// CreateResourceLink adds a link at the end of the company's list.
func (db *DB) CreateResourceLink(ctx context.Context, s lintel.Staff, l lintel.ResourceLink) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	l, err := lintel.NormalizeResourceLink(l)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.update(ctx, func(tx *Tx) error {
		id, err = tx.insert(ctx, `INSERT INTO resource_links (company_id, title, url, audience, position, created_at)
			VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), -1) + 1 FROM resource_links WHERE company_id = $1), $5)`,
			s.CompanyID, l.Title, l.URL, string(l.Audience), ts(tx.Now))
		if err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "resource_link.create", "resource_link", id, l.Title+" → "+l.URL)
	})
	return id, err
}

// UpdateResourceLink changes a link's title, address and audience.
func (db *DB) UpdateResourceLink(ctx context.Context, s lintel.Staff, id int64, l lintel.ResourceLink) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	l, err := lintel.NormalizeResourceLink(l)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE resource_links SET title = $1, url = $2, audience = $3
			WHERE id = $4 AND company_id = $5 AND archived_at IS NULL`, l.Title, l.URL, string(l.Audience), id, s.CompanyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return lintel.ErrNotFound
		}
		return tx.staffAudit(ctx, s, "resource_link.update", "resource_link", id, l.Title+" → "+l.URL)
	})
}

// RemoveResourceLink takes a link off the help page. The row is archived
// so the audit trail keeps naming it.
func (db *DB) RemoveResourceLink(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var title string
		if err := tx.get(ctx, `UPDATE resource_links SET archived_at = $1 WHERE id = $2 AND company_id = $3 AND archived_at IS NULL RETURNING title`,
			[]any{ts(tx.Now), id, s.CompanyID}, &title); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "resource_link.remove", "resource_link", id, title)
	})
}

// MoveResourceLink moves a link one place up (delta -1) or down (+1).
func (db *DB) MoveResourceLink(ctx context.Context, s lintel.Staff, id int64, delta int) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		return tx.move(ctx, "resource_links", "company_id", s.CompanyID, s.CompanyID, id, delta)
	})
}

// CompanyLinks are one management company's links for a resident.
type CompanyLinks struct {
	CompanyID   int64
	CompanyName string
	Links       []lintel.ResourceLink
}

// ResidentResourceLinks lists, per company the resident is linked to, the
// links meant for them: a tenant sees the tenants' and everyone's links,
// an owner the owners' and everyone's. Companies without such links are
// left out. The links are resolved in SQL from the verified e-mail
// (myContacts), like every portal read.
func (db *DB) ResidentResourceLinks(ctx context.Context, r lintel.Resident) ([]CompanyLinks, error) {
	var out []CompanyLinks
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT co.name, l.id, l.company_id, l.title, l.url, l.audience, l.position, l.created_at
			FROM resource_links l JOIN companies co ON co.id = l.company_id
			WHERE l.archived_at IS NULL AND (
				(l.audience IN ('tenants', 'everyone') AND EXISTS (SELECT 1 FROM me WHERE me.company_id = l.company_id AND me.is_tenant))
				OR (l.audience IN ('owners', 'everyone') AND EXISTS (SELECT 1 FROM me WHERE me.company_id = l.company_id AND me.is_owner)))
			ORDER BY co.name, co.id, l.position, l.id`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, audience string
			var l lintel.ResourceLink
			if err := rows.Scan(&name, &l.ID, &l.CompanyID, &l.Title, &l.URL, &audience, &l.Position, at(&l.CreatedAt)); err != nil {
				return err
			}
			l.Audience = lintel.LinkAudience(audience)
			if n := len(out); n == 0 || out[n-1].CompanyID != l.CompanyID {
				out = append(out, CompanyLinks{CompanyID: l.CompanyID, CompanyName: name})
			}
			out[len(out)-1].Links = append(out[len(out)-1].Links, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list resource links: %w", err)
	}
	return out, nil
}
