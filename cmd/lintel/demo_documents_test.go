package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"testing"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestSeedDemoDocuments(t *testing.T) {
	db := testkit.SQLite(t)
	ctx := context.Background()
	files, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	if err := seedDemo(ctx, db, &url.URL{Scheme: "http", Host: "localhost:8080"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run adds nothing
		if err := seedDemoDocuments(ctx, db, files); err != nil {
			t.Fatal(err)
		}
	}
	dc := demoCompanies[0]
	who := func(email string) lintel.Resident {
		u, err := db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return lintel.Resident{UserID: u.ID, Email: email}
	}
	for _, tc := range []struct {
		email string
		want  []string
	}{
		{dc.tenant.email, []string{"Lease agreement"}},
		{dc.owner.email, []string{"Insurance certificate", "Building rules"}},
	} {
		page, err := db.ResidentDocuments(ctx, who(tc.email), sqldb.ResidentDocumentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range page.Documents {
			got = append(got, d.Title)
			f, err := db.ResidentDocumentFile(ctx, who(tc.email), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := files.Open(ctx, f.Key)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.HasPrefix(b, []byte("%PDF-1.4")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
				t.Errorf("%s is not a PDF", d.Title)
			}
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%s sees %v, want %v", tc.email, got, tc.want)
		}
	}
}
