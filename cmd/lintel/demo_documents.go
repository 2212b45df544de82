package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// seedDemoDocuments shares a few documents in each demo company: the lease
// agreement on the demo tenant's lease, the building rules on the building
// (all its owners) and an insurance certificate for the owner. A company
// that has documents already is left alone, so running the demo again
// adds nothing. No e-mail is sent for them.
func seedDemoDocuments(ctx context.Context, db *sqldb.DB, files blob.Store) error {
	for _, dc := range demoCompanies {
		id, _, err := db.DemoCompany(ctx, dc.name)
		if err != nil {
			return err
		}
		p, err := db.DemoDocumentPlaces(ctx, id, dc.tenant.email, dc.building, dc.owner.email)
		if err != nil {
			return fmt.Errorf("%s: find the places to share documents: %w", dc.name, err)
		}
		if p.HasDocuments {
			continue
		}
		for _, d := range []struct {
			title, file string
			cat         lintel.DocumentCategory
			to          lintel.ShareTarget
			lines       []string
		}{
			{"Lease agreement", "lease-agreement.pdf", lintel.DocLease, lintel.ShareTarget{LeaseID: p.TenantLease},
				[]string{"Residential lease agreement", dc.name, "Flat " + dc.flats[0] + ", " + dc.building, "Signed by the landlord and the tenants."}},
			{"Building rules", "building-rules.pdf", lintel.DocRules, lintel.ShareTarget{PropertyID: p.Property},
				[]string{"House rules of " + dc.building, "Quiet hours 10pm to 7am.", "Laundry room open 7am to 10pm.", "Bins out on Tuesday evening."}},
			{"Insurance certificate", "insurance-certificate.pdf", lintel.DocInsurance, lintel.ShareTarget{ContactID: p.OwnerContact},
				[]string{"Certificate of insurance", dc.building, "Buildings cover, public liability.", "Valid for twelve months."}},
		} {
			pdf := demoPDF(d.lines)
			key := blob.NewKey()
			if err := files.Put(ctx, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
				return fmt.Errorf("%s: store %s: %w", dc.name, d.file, err)
			}
			sum := sha256.Sum256(pdf)
			_, err := db.CreateDocument(ctx, p.Admin, sqldb.NewDocument{
				File:  sqldb.NewFile{Key: key, Name: d.file, ContentType: "application/pdf", Size: int64(len(pdf)), SHA256: hex.EncodeToString(sum[:])},
				Title: d.title, Category: d.cat, Share: d.to}, nil)
			if err != nil {
				_ = files.Delete(context.WithoutCancel(ctx), key)
				return fmt.Errorf("%s: document %s: %w", dc.name, d.title, err)
			}
		}
	}
	return nil
}

// demoPDF writes a one-page PDF showing lines of text in Helvetica, with a
// correct cross-reference table so every viewer opens it.
func demoPDF(lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 14 Tf 72 740 Td 18 TL\n")
	for _, l := range lines {
		esc := bytes.NewBuffer(nil)
		for _, r := range l {
			switch {
			case r == '(' || r == ')' || r == '\\':
				esc.WriteByte('\\')
				esc.WriteRune(r)
			case r < 128:
				esc.WriteRune(r)
			default:
				esc.WriteByte('?')
			}
		}
		fmt.Fprintf(&content, "(%s) Tj T*\n", esc.String())
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
