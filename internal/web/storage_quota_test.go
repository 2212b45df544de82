package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// A photo upload over the company's storage quota shows a message that
// says what to do, in words for whoever sent it, and stores nothing: no
// blob, no file row, no photo, no request.
func TestStorageQuotaRefusesUploads(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app, dir := newFilesApp(t, db)
	ctx := context.Background()
	a := w.A
	admin := a.Staff[testkit.Admin]
	used, err := db.StorageUsage(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	// Room for 50 bytes: less than any photo or document.
	if _, err := db.SetStorageQuota(ctx, a.ID, used.UsedBytes+50, "test"); err != nil {
		t.Fatal(err)
	}
	quota := lintel.FormatBytes(used.UsedBytes + 50)
	staffMsg := html.EscapeString("Your company's storage is full (" + quota + "). Delete old files or ask Lintel's administrator for more space.")
	// What a stored upload would have changed.
	tables := func() map[string]string {
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"files": snap["files"], "request_photos": snap["request_photos"], "requests": snap["requests"], "visits": snap["visits"]}
	}
	before := tables()
	nothingStored := func(t *testing.T) {
		t.Helper()
		if n := filesIn(t, dir); n != 0 {
			t.Errorf("%d blobs were left in the file store", n)
		}
		for name, rows := range tables() {
			if rows != before[name] {
				t.Errorf("table %s changed", name)
			}
		}
		if u, _ := db.StorageUsage(ctx, admin); u.UsedBytes != used.UsedBytes {
			t.Errorf("storage used moved from %d to %d", used.UsedBytes, u.UsedBytes)
		}
	}

	t.Run("manager", func(t *testing.T) {
		page := fmt.Sprintf("/manage/maintenance/%d", a.Request)
		m := loginPersona(t, app, a, testkit.Maintenance)
		m.postFiles(page+"/photos", nil, "photos", map[string][]byte{"sink.jpg": testJPEG(t, 120, 90)}).wantRedirect(t, page+"#h-photos")
		m.get(page).want(t, http.StatusOK).wantBody(t, "No photo was added. "+staffMsg)
		nothingStored(t)
	})

	t.Run("tenant", func(t *testing.T) {
		tenant := loginPersona(t, app, a, testkit.Tenant)
		r := tenant.postMultipart("/portal/maintenance", plus(reportForm(t, db, w), part{name: "photos", filename: "leak.jpg", data: exifJPEG(t, 40, 20, 1)}))
		// The form comes back as typed, the message next to the photos.
		r.want(t, http.StatusUnprocessableEntity).wantBody(t, html.EscapeString(residentStorageFull), "Bathroom basin leaks")
		nothingStored(t)
	})

	t.Run("contractor", func(t *testing.T) {
		c := app.client(t)
		r := c.postFiles("/t/"+a.VisitToken+"/photos", [][2]string{{"phase", "before"}}, "photos", map[string][]byte{"pipe.jpg": testJPEG(t, 90, 120)})
		r.want(t, http.StatusUnprocessableEntity).wantBody(t, html.EscapeString(contractorStorageFull))
		r = c.postFiles("/t/"+a.VisitToken+"/invoice", [][2]string{{"invoice_number", "INV-7"}, {"invoice_date", lintel.DateOf(db.Now()).String()},
			{"invoice_amount", "120.00"}, {"invoice_tax", "0"}}, "invoice_file", map[string][]byte{"invoice.pdf": testPDF})
		r.want(t, http.StatusUnprocessableEntity).wantBody(t, html.EscapeString(contractorStorageFull))
		nothingStored(t)
	})

	// Company B is not affected by A being full.
	t.Run("other company", func(t *testing.T) {
		page := fmt.Sprintf("/manage/maintenance/%d", w.B.Request)
		m := loginPersona(t, app, w.B, testkit.Maintenance)
		m.postFiles(page+"/photos", nil, "photos", map[string][]byte{"sink.jpg": testJPEG(t, 120, 90)}).wantRedirect(t, page+"#h-photos")
		m.get(page).want(t, http.StatusOK).wantBody(t, "Photo added.")
	})

	// Once the operator gives more space, the same upload works.
	t.Run("more space", func(t *testing.T) {
		if _, err := db.SetStorageQuota(ctx, a.ID, sqldb.DefaultStorageQuota, "test"); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/manage/maintenance/%d", a.Request)
		m := loginPersona(t, app, a, testkit.Maintenance)
		m.postFiles(page+"/photos", nil, "photos", map[string][]byte{"sink.jpg": testJPEG(t, 120, 90)}).wantRedirect(t, page+"#h-photos")
		m.get(page).want(t, http.StatusOK).wantBody(t, "Photo added.")
	})
}

// The settings page shows how much of the quota is used; nothing there
// (or anywhere in the app) lets an administrator change it.
func TestStorageQuotaOnSettings(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	a := w.A
	admin := a.Staff[testkit.Admin]
	photo := sqldb.NewPhoto{File: sqldb.NewFile{Key: "2026/01/settingstest", Name: "p.jpg", ContentType: "image/jpeg", Size: 2*lintel.GB + lintel.GB/10 + 1}}
	if err := db.AddStaffPhotos(ctx, admin, a.Request, []sqldb.NewPhoto{photo}); err != nil {
		t.Fatal(err)
	}
	c := loginPersona(t, app, a, testkit.Admin)
	r := c.get("/manage/settings").want(t, http.StatusOK)
	r.wantBody(t, `<h2 id="storage-h">File storage</h2>`, "2.1 GB of 10 GB used", `value="21"`, "ask Lintel's administrator")
	if strings.Contains(r.Body, `name="storage_quota`) {
		t.Error("the settings page has a field for the quota")
	}
	// A quota smuggled into the settings form is ignored.
	c.postForm("/manage/settings", url.Values{"name": {w.A.Name}, "currency": {"USD"}, "storage_quota_bytes": {"1099511627776"}}).
		wantRedirect(t, "/manage/settings")
	if u, err := db.StorageUsage(ctx, admin); err != nil || u.QuotaBytes != sqldb.DefaultStorageQuota {
		t.Fatalf("after posting a quota with the settings: %+v, %v", u, err)
	}
	// Company B's page shows B's use, not A's.
	b, err := db.StorageUsage(ctx, w.B.Staff[testkit.Admin])
	if err != nil {
		t.Fatal(err)
	}
	loginPersona(t, app, w.B, testkit.Admin).get("/manage/settings").want(t, http.StatusOK).wantBody(t, b.Used())
}
