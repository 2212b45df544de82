package sqldb

import (
	"context"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The manager's side of shared documents: upload
// a file with a title and category, share it with a lease, a unit, a
// property or a contact (which e-mails the people it reaches, through the
// outbox, in the same transaction), unshare, edit, archive. The residents'
// side is documents_resident.go.

// NewDocument is an uploaded document, its file already stored.
type NewDocument struct {
	File     NewFile
	Title    string
	Category lintel.DocumentCategory
	// Share, when set, shares the document in the same transaction.
	Share lintel.ShareTarget
}

// DocumentNotice is what the "a document was shared with you" e-mail to
// one address needs.
type DocumentNotice struct {
	DocumentID  int64
	Title       string
	Category    lintel.DocumentCategory
	CompanyName string
	FileID      int64
	FileName    string
	ContentType string
	Size        int64
	To          string
	ToName      string
	About       ShareRef // what the share is on
}

// DocumentMailer composes the e-mail for one recipient of a share. The
// store sets CompanyID and writes it to the outbox; a nil mailer sends no
// e-mail (fixtures and the demo seed).
type DocumentMailer func(DocumentNotice) (lintel.Email, error)

// ShareRef is one share of a document, described for people.
type ShareRef struct {
	ID           int64
	DocumentID   int64
	Target       lintel.ShareTarget
	UnitLabel    string // lease and unit shares
	PropertyName string // lease, unit and property shares
	ContactName  string // contact shares
	SharedBy     string
	CreatedAt    time.Time
}

// Kind is "lease", "unit", "property" or "contact".
func (s ShareRef) Kind() string {
	switch {
	case s.Target.LeaseID > 0:
		return "lease"
	case s.Target.UnitID > 0:
		return "unit"
	case s.Target.PropertyID > 0:
		return "property"
	}
	return "contact"
}

// Label says in English what the share is on, e.g. "Lease of Apt 1,
// Harbour House".
func (s ShareRef) Label() string {
	switch s.Kind() {
	case "lease":
		return "Lease of " + s.UnitLabel + ", " + s.PropertyName
	case "unit":
		return s.UnitLabel + ", " + s.PropertyName
	case "property":
		return s.PropertyName + " (all owners)"
	}
	return s.ContactName
}

// Path is the manager-app page of the share's target.
func (s ShareRef) Path() string {
	t := s.Target
	switch s.Kind() {
	case "lease":
		return fmt.Sprintf("/manage/leases/%d", t.LeaseID)
	case "unit":
		return fmt.Sprintf("/manage/units/%d", t.UnitID)
	case "property":
		return fmt.Sprintf("/manage/properties/%d", t.PropertyID)
	}
	return fmt.Sprintf("/manage/contacts/%d", t.ContactID)
}

// DocumentItem is a document with its live shares.
type DocumentItem struct {
	lintel.Document
	Shares []ShareRef
}

// DocumentFilter chooses the manager's list.
type DocumentFilter struct {
	Category lintel.DocumentCategory // "" for every category
	Archived bool                    // the archived ones instead
	Before   int64                   // the page after this document id (newest first)
	Limit    int
}

// DocumentPage is one page of documents, newest first.
type DocumentPage struct {
	Documents  []DocumentItem
	NextBefore int64 // 0: no more
}

const documentCols = `d.id, d.company_id, d.file_id, d.title, d.category, f.name, f.content_type, f.size, d.uploaded_by, d.created_at, d.archived_at`

func scanDocument(row interface{ Scan(...any) error }, d *lintel.Document) error {
	return row.Scan(&d.ID, &d.CompanyID, &d.FileID, &d.Title, &d.Category, &d.FileName, &d.ContentType, &d.Size,
		&d.UploadedBy, at(&d.CreatedAt), at(&d.Archived))
}

// CreateDocument records an uploaded document (its file already stored),
// shares it when in.Share is set, queues the e-mails mailer writes and
// audits it, in one transaction.
func (db *DB) CreateDocument(ctx context.Context, s lintel.Staff, in NewDocument, mailer DocumentMailer) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	fe := lintel.FieldsOf(lintel.ValidateDocument(&in.Title, in.Category))
	if fe == nil {
		fe = lintel.FieldErrors{}
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		if !in.Share.IsZero() {
			if msg := tx.checkShareTarget(ctx, s.CompanyID, in.Share); msg != "" {
				fe.Add("share", msg)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		fileID, err := tx.insertFile(ctx, s.CompanyID, in.File, s.Name)
		if err != nil {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO documents (company_id, file_id, title, category, uploaded_by_user_id, uploaded_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, s.CompanyID, fileID, in.Title, in.Category, s.UserID, s.Name, ts(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "document.upload", "document", id, in.Title); err != nil {
			return err
		}
		if in.Share.IsZero() {
			return nil
		}
		_, err = tx.shareDocument(ctx, s, id, in.Share, mailer)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create document: %w", err)
	}
	return id, nil
}

// checkShareTarget answers "" when t names a live record of the company
// that can be shared with, else the message to show next to the field.
// Ids come from forms, so they are checked here, in the company's scope
// (SECURITY.md 12).
func (tx *Tx) checkShareTarget(ctx context.Context, companyID int64, t lintel.ShareTarget) string {
	const choose = "Choose whom to share with from the list."
	if !t.Valid() {
		return choose
	}
	var q string
	var id int64
	switch {
	case t.LeaseID > 0:
		q, id = `SELECT 1 FROM leases WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`, t.LeaseID
	case t.UnitID > 0:
		q, id = `SELECT 1 FROM units WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`, t.UnitID
	case t.PropertyID > 0:
		q, id = `SELECT 1 FROM properties WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`, t.PropertyID
	default:
		var resident bool
		err := tx.get(ctx, `SELECT is_tenant OR is_owner FROM contacts WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`,
			[]any{t.ContactID, companyID}, &resident)
		if err != nil {
			return choose
		}
		if !resident {
			return "Only tenants and owners see documents in the portal. Mark this contact as a tenant or an owner first."
		}
		return ""
	}
	var one int
	if err := tx.get(ctx, q, []any{id, companyID}, &one); err != nil {
		return choose
	}
	return ""
}

// CheckShareTarget answers the message to show when t is not something of
// the staff member's company a document can be shared with, "" when it
// is; the web layer asks before it stores an upload. The store checks again
// when it shares.
func (db *DB) CheckShareTarget(ctx context.Context, s lintel.Staff, t lintel.ShareTarget) (string, error) {
	var msg string
	err := db.view(ctx, func(tx *Tx) error {
		msg = tx.checkShareTarget(ctx, s.CompanyID, t)
		return nil
	})
	return msg, err
}

// ShareDocument shares document id with t and queues an e-mail to every
// person it reaches (see shareRecipients). Sharing again with the same
// target is a conflict saying so.
func (db *DB) ShareDocument(ctx context.Context, s lintel.Staff, id int64, t lintel.ShareTarget, mailer DocumentMailer) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	var shareID int64
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.liveDocument(ctx, s.CompanyID, id); err != nil {
			return err
		}
		if msg := tx.checkShareTarget(ctx, s.CompanyID, t); msg != "" {
			return lintel.FieldErrors{"share": msg}.Err()
		}
		var err error
		shareID, err = tx.shareDocument(ctx, s, id, t, mailer)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("share document %d: %w", id, err)
	}
	return shareID, nil
}

// liveDocument reads a document of the company that is not archived.
func (tx *Tx) liveDocument(ctx context.Context, companyID, id int64) (lintel.Document, error) {
	var d lintel.Document
	err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+documentCols+` FROM documents d JOIN files f ON f.id = d.file_id
		WHERE d.id = $1 AND d.company_id = $2`, id, companyID), &d)
	if err = mapErr(err); err != nil {
		return d, err
	}
	if d.IsArchived() {
		return d, lintel.Conflict("This document is archived. Nothing can be shared from it.")
	}
	return d, nil
}

// shareDocument inserts the share (checked by the caller), audits it and
// queues the e-mails.
func (tx *Tx) shareDocument(ctx context.Context, s lintel.Staff, docID int64, t lintel.ShareTarget, mailer DocumentMailer) (int64, error) {
	var exists bool
	err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM document_shares WHERE document_id = $1 AND removed_at IS NULL
		AND COALESCE(lease_id, 0) = $2 AND COALESCE(unit_id, 0) = $3 AND COALESCE(property_id, 0) = $4 AND COALESCE(contact_id, 0) = $5)`,
		[]any{docID, t.LeaseID, t.UnitID, t.PropertyID, t.ContactID}, &exists)
	if err != nil {
		return 0, err
	}
	if exists {
		return 0, lintel.Conflict("The document is already shared there.")
	}
	shareID, err := tx.insert(ctx, `INSERT INTO document_shares (company_id, document_id, lease_id, unit_id, property_id, contact_id, shared_by_user_id, shared_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.CompanyID, docID, nullID(t.LeaseID), nullID(t.UnitID), nullID(t.PropertyID), nullID(t.ContactID),
		s.UserID, s.Name, ts(tx.Now))
	if err != nil {
		return 0, err
	}
	refs, err := tx.shareRefs(ctx, s.CompanyID, `s.id = $2`, shareID)
	if err != nil || len(refs) != 1 {
		return 0, fmt.Errorf("read share %d back: %v", shareID, err)
	}
	ref := refs[0]
	if err := tx.staffAudit(ctx, s, "document.share", "document", docID, ref.Label()); err != nil {
		return 0, err
	}
	if mailer == nil {
		return shareID, nil
	}
	d, err := tx.liveDocument(ctx, s.CompanyID, docID)
	if err != nil {
		return 0, err
	}
	var company string
	if err := tx.get(ctx, `SELECT name FROM companies WHERE id = $1`, []any{s.CompanyID}, &company); err != nil {
		return 0, err
	}
	recipients, err := tx.shareRecipients(ctx, s.CompanyID, t)
	if err != nil {
		return 0, err
	}
	for _, r := range recipients {
		m, err := mailer(DocumentNotice{DocumentID: docID, Title: d.Title, Category: d.Category, CompanyName: company,
			FileID: d.FileID, FileName: d.FileName, ContentType: d.ContentType, Size: d.Size, To: r.Email, ToName: r.Name, About: ref})
		if err != nil {
			return 0, err
		}
		m.CompanyID = s.CompanyID
		// One e-mail per address per document, however many shares or
		// contact records reach it: the outbox drops a second one.
		m.DedupeKey = fmt.Sprintf("document_shared:%d:%s", docID, r.Email)
		if m.AttachmentFileID != 0 && m.AttachmentFileID != d.FileID {
			return 0, fmt.Errorf("document e-mail attaches file %d, not the document's %d", m.AttachmentFileID, d.FileID)
		}
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return 0, err
		}
	}
	return shareID, nil
}

// shareRecipients are the addresses a share on t reaches, once each: the
// tenants of a lease (former ones too: they keep its documents), the
// owners of a unit (and of its whole property), every owner of a property
// or of a unit in it, or the contact. Addresses whose portal account
// turned document e-mails off are left out.
func (tx *Tx) shareRecipients(ctx context.Context, companyID int64, t lintel.ShareTarget) ([]Recipient, error) {
	rows, err := tx.QueryContext(ctx, `WITH r AS (
			SELECT lt.contact_id FROM lease_tenants lt WHERE lt.lease_id = $2 AND lt.company_id = $1
			UNION
			SELECT o.contact_id FROM ownerships o JOIN units u ON u.id = $3 AND u.company_id = o.company_id
			WHERE o.company_id = $1 AND o.property_id = u.property_id AND (o.unit_id IS NULL OR o.unit_id = u.id)
				AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $6)
			UNION
			SELECT o.contact_id FROM ownerships o
			WHERE o.company_id = $1 AND o.property_id = $4 AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $6)
			UNION
			SELECT id FROM contacts WHERE id = $5 AND company_id = $1)
		SELECT ce.email, MIN(c.name) FROM r
		JOIN contacts c ON c.id = r.contact_id AND c.company_id = $1 AND c.archived_at IS NULL AND (c.is_tenant OR c.is_owner)
		JOIN contact_emails ce ON ce.contact_id = c.id AND ce.company_id = c.company_id
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = ce.email AND NOT u.notify_documents)
		GROUP BY ce.email ORDER BY ce.email`,
		companyID, t.LeaseID, t.UnitID, t.PropertyID, t.ContactID, lintel.DateOf(tx.Now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Email, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// shareRefsFrom joins a share to the names of what it is on; every join
// repeats the share's company.
const shareRefsFrom = ` FROM document_shares s
	LEFT JOIN leases l ON l.id = s.lease_id AND l.company_id = s.company_id
	LEFT JOIN units lu ON lu.id = l.unit_id AND lu.company_id = s.company_id
	LEFT JOIN properties lp ON lp.id = lu.property_id AND lp.company_id = s.company_id
	LEFT JOIN units u ON u.id = s.unit_id AND u.company_id = s.company_id
	LEFT JOIN properties up ON up.id = u.property_id AND up.company_id = s.company_id
	LEFT JOIN properties p ON p.id = s.property_id AND p.company_id = s.company_id
	LEFT JOIN contacts c ON c.id = s.contact_id AND c.company_id = s.company_id`

const shareRefCols = `s.id, s.document_id, COALESCE(s.lease_id, 0), COALESCE(s.unit_id, 0), COALESCE(s.property_id, 0), COALESCE(s.contact_id, 0),
	COALESCE(lu.label, u.label, ''), COALESCE(lp.name, up.name, p.name, ''), COALESCE(c.name, ''), s.shared_by, s.created_at`

// shareRefs reads the live shares of company companyID matching where
// (with $2... from args), oldest first.
func (tx *Tx) shareRefs(ctx context.Context, companyID int64, where string, args ...any) ([]ShareRef, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+shareRefCols+shareRefsFrom+`
		WHERE s.company_id = $1 AND s.removed_at IS NULL AND `+where+` ORDER BY s.id`, append([]any{companyID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ShareRef
	for rows.Next() {
		var r ShareRef
		t := &r.Target
		if err := rows.Scan(&r.ID, &r.DocumentID, &t.LeaseID, &t.UnitID, &t.PropertyID, &t.ContactID,
			&r.UnitLabel, &r.PropertyName, &r.ContactName, &r.SharedBy, at(&r.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// attachShares fills each item's live shares.
func (tx *Tx) attachShares(ctx context.Context, companyID int64, items []DocumentItem) error {
	if len(items) == 0 {
		return nil
	}
	args := sqlArgs{companyID}
	in := ""
	byID := map[int64]*DocumentItem{}
	for i := range items {
		if i > 0 {
			in += ", "
		}
		in += args.add(items[i].ID)
		byID[items[i].ID] = &items[i]
	}
	refs, err := tx.shareRefs(ctx, companyID, `s.document_id IN (`+in+`)`, args[1:]...)
	if err != nil {
		return err
	}
	for _, r := range refs {
		byID[r.DocumentID].Shares = append(byID[r.DocumentID].Shares, r)
	}
	return nil
}

// Documents lists the company's documents, newest first.
func (db *DB) Documents(ctx context.Context, s lintel.Staff, f DocumentFilter) (DocumentPage, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return DocumentPage{}, err
	}
	var out DocumentPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{s.CompanyID}
		q := `SELECT ` + documentCols + ` FROM documents d JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id WHERE d.company_id = $1`
		if f.Archived {
			q += ` AND d.archived_at IS NOT NULL`
		} else {
			q += ` AND d.archived_at IS NULL`
		}
		if f.Category != "" {
			q += ` AND d.category = ` + args.add(f.Category)
		}
		if f.Before > 0 {
			q += ` AND d.id < ` + args.add(f.Before)
		}
		q += ` ORDER BY d.id DESC LIMIT ` + args.add(limit+1)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it DocumentItem
			if err := scanDocument(rows, &it.Document); err != nil {
				return err
			}
			out.Documents = append(out.Documents, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out.Documents) > limit {
			out.Documents = out.Documents[:limit]
			out.NextBefore = out.Documents[limit-1].ID
		}
		return tx.attachShares(ctx, s.CompanyID, out.Documents)
	})
	if err != nil {
		return DocumentPage{}, fmt.Errorf("list documents: %w", err)
	}
	return out, nil
}

// Document reads one of the company's documents with its live shares.
func (db *DB) Document(ctx context.Context, s lintel.Staff, id int64) (DocumentItem, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return DocumentItem{}, err
	}
	var it DocumentItem
	err := db.view(ctx, func(tx *Tx) error {
		err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+documentCols+` FROM documents d JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id
			WHERE d.id = $1 AND d.company_id = $2`, id, s.CompanyID), &it.Document)
		if err = mapErr(err); err != nil {
			return err
		}
		items := []DocumentItem{it}
		if err := tx.attachShares(ctx, s.CompanyID, items); err != nil {
			return err
		}
		it = items[0]
		return nil
	})
	if err != nil {
		return DocumentItem{}, fmt.Errorf("read document %d: %w", id, err)
	}
	return it, nil
}

// DocumentsSharedOn lists the company's documents (not archived) with a
// live share on exactly t, newest first: the "Documents" section of a
// lease, unit, property or contact page.
func (db *DB) DocumentsSharedOn(ctx context.Context, s lintel.Staff, t lintel.ShareTarget) ([]DocumentItem, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, nil
	}
	var out []DocumentItem
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+documentCols+` FROM documents d JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id
			WHERE d.company_id = $1 AND d.archived_at IS NULL AND d.id IN (SELECT document_id FROM document_shares
				WHERE company_id = $1 AND removed_at IS NULL AND COALESCE(lease_id, 0) = $2 AND COALESCE(unit_id, 0) = $3
				AND COALESCE(property_id, 0) = $4 AND COALESCE(contact_id, 0) = $5)
			ORDER BY d.id DESC LIMIT 200`, s.CompanyID, t.LeaseID, t.UnitID, t.PropertyID, t.ContactID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it DocumentItem
			if err := scanDocument(rows, &it.Document); err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list documents shared there: %w", err)
	}
	return out, nil
}

// UnshareDocument removes a live share of one of the company's documents;
// the people it reached no longer see the document through it.
func (db *DB) UnshareDocument(ctx context.Context, s lintel.Staff, docID, shareID int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	err := db.update(ctx, func(tx *Tx) error {
		refs, err := tx.shareRefs(ctx, s.CompanyID, `s.id = $2 AND s.document_id = $3`, shareID, docID)
		if err != nil {
			return err
		}
		if len(refs) == 0 {
			return lintel.ErrNotFound
		}
		if _, err := tx.exec(ctx, `UPDATE document_shares SET removed_at = $1, removed_by = $2 WHERE id = $3 AND company_id = $4 AND removed_at IS NULL`,
			ts(tx.Now), s.Name, shareID, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "document.unshare", "document", docID, refs[0].Label())
	})
	if err != nil {
		return fmt.Errorf("unshare document %d: %w", docID, err)
	}
	return nil
}

// UpdateDocument changes a document's title and category.
func (db *DB) UpdateDocument(ctx context.Context, s lintel.Staff, id int64, title string, category lintel.DocumentCategory) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	if err := lintel.ValidateDocument(&title, category); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.liveDocument(ctx, s.CompanyID, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE documents SET title = $1, category = $2, updated_at = $3 WHERE id = $4 AND company_id = $5`,
			title, category, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "document.update", "document", id, title+" ("+category.Label()+")")
	})
}

// ArchiveDocument takes a document out of every list, the residents'
// included; its file and history stay.
func (db *DB) ArchiveDocument(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		d, err := tx.liveDocument(ctx, s.CompanyID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE documents SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`,
			ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "document.archive", "document", id, d.Title)
	})
}

// StaffDocumentFile returns the file of one of the company's documents.
func (db *DB) StaffDocumentFile(ctx context.Context, s lintel.Staff, id int64) (StoredFile, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return StoredFile{}, err
	}
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT f.storage_key, f.name, f.content_type, f.size FROM documents d
			JOIN files f ON f.id = d.file_id AND f.company_id = d.company_id
			WHERE d.id = $1 AND d.company_id = $2`, []any{id, s.CompanyID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	})
	return f, err
}

// ShareChoice is one entry of the "share with" list.
type ShareChoice struct {
	Value string // lintel.ShareTarget.String()
	Label string
}

// ShareChoices are what a document can be shared with, by kind.
type ShareChoices struct {
	Leases, Units, Properties, Contacts []ShareChoice
}

// DocumentShareChoices lists the company's live leases, units, properties
// and tenant or owner contacts for the "share with" select.
func (db *DB) DocumentShareChoices(ctx context.Context, s lintel.Staff) (ShareChoices, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return ShareChoices{}, err
	}
	var out ShareChoices
	err := db.view(ctx, func(tx *Tx) error {
		list := func(dst *[]ShareChoice, kind, q string) error {
			rows, err := tx.QueryContext(ctx, q, s.CompanyID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var label string
				if err := rows.Scan(&id, &label); err != nil {
					return err
				}
				*dst = append(*dst, ShareChoice{Value: fmt.Sprintf("%s:%d", kind, id), Label: label})
			}
			return rows.Err()
		}
		if err := list(&out.Leases, "lease", `SELECT l.id, 'Lease of ' || u.label || ', ' || p.name || ' (from ' || l.start_date || ')'
			FROM leases l JOIN units u ON u.id = l.unit_id AND u.company_id = l.company_id
			JOIN properties p ON p.id = u.property_id AND p.company_id = u.company_id
			WHERE l.company_id = $1 AND l.archived_at IS NULL ORDER BY p.name, u.label, l.start_date DESC, l.id LIMIT 1000`); err != nil {
			return err
		}
		if err := list(&out.Units, "unit", `SELECT u.id, u.label || ', ' || p.name FROM units u
			JOIN properties p ON p.id = u.property_id AND p.company_id = u.company_id
			WHERE u.company_id = $1 AND u.archived_at IS NULL AND p.archived_at IS NULL ORDER BY p.name, u.label, u.id LIMIT 1000`); err != nil {
			return err
		}
		if err := list(&out.Properties, "property", `SELECT id, name FROM properties
			WHERE company_id = $1 AND archived_at IS NULL ORDER BY name, id LIMIT 1000`); err != nil {
			return err
		}
		return list(&out.Contacts, "contact", `SELECT id, name FROM contacts
			WHERE company_id = $1 AND archived_at IS NULL AND (is_tenant OR is_owner) ORDER BY name, id LIMIT 1000`)
	})
	if err != nil {
		return ShareChoices{}, fmt.Errorf("list share choices: %w", err)
	}
	return out, nil
}
