package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// The residents' side of shared documents: what a
// tenant or owner may see, resolved in SQL from their verified e-mail
// (myContacts), never from ids in the request.

// myShares selects, after myContacts ($1 the user, $2 today), the live
// shares that reach the resident:
//   - on a lease they are or were a tenant on: former tenants keep their
//     ended lease's documents, co-tenants share them;
//   - on a unit they own, or a unit of a property they own whole;
//   - on a property they own, whole or by one of its units ("a property,
//     all its owners");
//   - on one of their contact records directly.
//
// Ownerships count while current (not archived, not ended), as on the
// portal's home page.
const myShares = `, myshares AS (
	SELECT s.id, s.document_id, s.company_id FROM document_shares s
	JOIN lease_tenants lt ON lt.lease_id = s.lease_id AND lt.company_id = s.company_id
	JOIN me ON me.id = lt.contact_id AND me.company_id = lt.company_id AND me.is_tenant
	WHERE s.removed_at IS NULL
	UNION
	SELECT s.id, s.document_id, s.company_id FROM document_shares s
	JOIN units un ON un.id = s.unit_id AND un.company_id = s.company_id
	JOIN ownerships o ON o.company_id = un.company_id AND o.property_id = un.property_id AND (o.unit_id IS NULL OR o.unit_id = un.id)
		AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $2)
	JOIN me ON me.id = o.contact_id AND me.company_id = o.company_id AND me.is_owner
	WHERE s.removed_at IS NULL
	UNION
	SELECT s.id, s.document_id, s.company_id FROM document_shares s
	JOIN ownerships o ON o.company_id = s.company_id AND o.property_id = s.property_id
		AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $2)
	JOIN me ON me.id = o.contact_id AND me.company_id = o.company_id AND me.is_owner
	WHERE s.removed_at IS NULL
	UNION
	SELECT s.id, s.document_id, s.company_id FROM document_shares s
	JOIN me ON me.id = s.contact_id AND me.company_id = s.company_id
	WHERE s.removed_at IS NULL)
`

// ResidentDocument is a document as the portal lists it.
type ResidentDocument struct {
	lintel.Document
	CompanyName string
	// About are the shares through which the resident sees it: which
	// lease, unit or property it is about, or "shared with you".
	About []ShareRef
}

// ResidentDocumentFilter chooses what the Documents tab shows.
type ResidentDocumentFilter struct {
	Category lintel.DocumentCategory // "" for every category
	Before   int64                   // the page after this document id (newest first)
	Limit    int
}

// ResidentDocumentPage is one page of the resident's documents.
type ResidentDocumentPage struct {
	Documents  []ResidentDocument
	NextBefore int64 // 0: no more
}

// ResidentDocuments lists the documents shared with the resident, newest
// first.
func (db *DB) ResidentDocuments(ctx context.Context, r lintel.Resident, f ResidentDocumentFilter) (ResidentDocumentPage, error) {
	var out ResidentDocumentPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{r.UserID, lintel.DateOf(tx.Now)}
		where := ""
		if f.Category != "" {
			where += ` AND d.category = ` + args.add(f.Category)
		}
		if f.Before > 0 {
			where += ` AND d.id < ` + args.add(f.Before)
		}
		docs, err := tx.residentDocuments(ctx, args, where, ` ORDER BY d.id DESC LIMIT `+args.add(limit+1))
		if err != nil {
			return err
		}
		if len(docs) > limit {
			docs = docs[:limit]
			out.NextBefore = docs[limit-1].ID
		}
		out.Documents = docs
		return nil
	})
	if err != nil {
		return ResidentDocumentPage{}, fmt.Errorf("list documents: %w", err)
	}
	return out, nil
}

// DocumentsOnLease lists the documents the resident may see that are
// shared on lease leaseID (the portal's lease page), newest first. A lease
// that is not theirs has none.
func (db *DB) DocumentsOnLease(ctx context.Context, r lintel.Resident, leaseID int64) ([]ResidentDocument, error) {
	return db.residentDocumentsWhere(ctx, r, `s.lease_id = `, leaseID)
}

// DocumentsOnAsset lists the documents the resident may see that are
// shared on a unit (unitID > 0) or on property propertyID (unitID 0), for
// the portal's asset pages, newest first.
func (db *DB) DocumentsOnAsset(ctx context.Context, r lintel.Resident, propertyID, unitID int64) ([]ResidentDocument, error) {
	if unitID > 0 {
		return db.residentDocumentsWhere(ctx, r, `s.unit_id = `, unitID)
	}
	return db.residentDocumentsWhere(ctx, r, `s.property_id = `, propertyID)
}

// residentDocumentsWhere lists the resident's documents with a share that
// reaches them and whose column (cond, ending in "= ") equals id.
func (db *DB) residentDocumentsWhere(ctx context.Context, r lintel.Resident, cond string, id int64) ([]ResidentDocument, error) {
	var out []ResidentDocument
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{r.UserID, lintel.DateOf(tx.Now)}
		where := ` AND d.id IN (SELECT ms.document_id FROM myshares ms JOIN document_shares s ON s.id = ms.id WHERE ` + cond + args.add(id) + `)`
		var err error
		out, err = tx.residentDocuments(ctx, args, where, ` ORDER BY d.id DESC LIMIT 200`)
		if err != nil {
			return err
		}
		// Only the shares on the asked-for lease or asset: the page is
		// about it.
		for i := range out {
			kept := out[i].About[:0]
			for _, a := range out[i].About {
				t := a.Target
				if (cond == `s.lease_id = ` && t.LeaseID == id) || (cond == `s.unit_id = ` && t.UnitID == id) || (cond == `s.property_id = ` && t.PropertyID == id) {
					kept = append(kept, a)
				}
			}
			out[i].About = kept
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return out, nil
}

// residentDocuments runs the resident's document query with extra where
// and tail (order, limit) and fills About.
func (tx *Tx) residentDocuments(ctx context.Context, args sqlArgs, where, tail string) ([]ResidentDocument, error) {
	rows, err := tx.QueryContext(ctx, myContacts+myShares+`SELECT `+documentCols+`, co.name FROM documents d
		JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id
		JOIN companies co ON co.id = d.company_id
		WHERE d.archived_at IS NULL AND d.id IN (SELECT document_id FROM myshares)`+where+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ResidentDocument
	for rows.Next() {
		var d ResidentDocument
		var doc = &d.Document
		if err := rows.Scan(&doc.ID, &doc.CompanyID, &doc.FileID, &doc.Title, &doc.Category, &doc.FileName, &doc.ContentType, &doc.Size,
			&doc.UploadedBy, at(&doc.CreatedAt), at(&doc.Archived), &d.CompanyName); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// Which of their shares each one came through.
	in := ""
	refArgs := sqlArgs{args[0], args[1]}
	byID := map[int64]*ResidentDocument{}
	for i := range out {
		if i > 0 {
			in += ", "
		}
		in += refArgs.add(out[i].ID)
		byID[out[i].ID] = &out[i]
	}
	rows, err = tx.QueryContext(ctx, myContacts+myShares+`SELECT `+shareRefCols+shareRefsFrom+`
		WHERE s.id IN (SELECT id FROM myshares) AND s.document_id IN (`+in+`) ORDER BY s.id`, refArgs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r ShareRef
		t := &r.Target
		if err := rows.Scan(&r.ID, &r.DocumentID, &t.LeaseID, &t.UnitID, &t.PropertyID, &t.ContactID,
			&r.UnitLabel, &r.PropertyName, &r.ContactName, &r.SharedBy, at(&r.CreatedAt)); err != nil {
			return nil, err
		}
		r.SharedBy = "" // staff names are not the residents' business
		byID[r.DocumentID].About = append(byID[r.DocumentID].About, r)
	}
	return out, rows.Err()
}

// ResidentDocumentCategories lists the categories of the documents shared
// with the resident, for the filter.
func (db *DB) ResidentDocumentCategories(ctx context.Context, r lintel.Resident) ([]lintel.DocumentCategory, error) {
	var out []lintel.DocumentCategory
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+myShares+`SELECT DISTINCT d.category FROM documents d
			WHERE d.archived_at IS NULL AND d.id IN (SELECT document_id FROM myshares)`, r.UserID, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		have := map[lintel.DocumentCategory]bool{}
		for rows.Next() {
			var c lintel.DocumentCategory
			if err := rows.Scan(&c); err != nil {
				return err
			}
			have[c] = true
		}
		for _, c := range lintel.DocumentCategories {
			if have[c] {
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list document categories: %w", err)
	}
	return out, nil
}

// ResidentDocumentFile returns the file of a document shared with the
// resident; anything else, archived documents included, is
// lintel.ErrNotFound.
func (db *DB) ResidentDocumentFile(ctx context.Context, r lintel.Resident, docID int64) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, myContacts+myShares+`SELECT f.storage_key, f.name, f.content_type, f.size FROM documents d
			JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id
			WHERE d.id = $3 AND d.archived_at IS NULL AND d.id IN (SELECT document_id FROM myshares)`,
			[]any{r.UserID, lintel.DateOf(tx.Now), docID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	})
	return f, err
}
