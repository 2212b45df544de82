package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
	"lintel.dev/lintel/internal/upload"
)

// Who may see company A's Request: its lease's tenants (co-tenants share
// it) and the property's owner. The unit owner owns another unit, the
// former tenant's lease ended before it was made, and staff act in the
// manager app, not the portal.
var (
	requestA = func(w *testkit.World) int64 { return w.A.Request }

	seesRequestA profile = func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case other:
			return notFound
		case a.persona == testkit.Tenant || a.persona == testkit.Cotenant || a.persona == testkit.PropertyOwner:
			return allow
		}
		return notFound
	}
)

func init() {
	addMatrixRows(map[string]matrixRow{
		"GET /portal/maintenance":           {fixed("/portal/maintenance"), nil, portal},
		"POST /portal/maintenance/settings": {fixed("/portal/maintenance/settings"), url.Values{"hide_cancelled": {"on"}}, portal},
		"GET /portal/maintenance/new":       {fixed("/portal/maintenance/new"), nil, portal},
		// Not a multipart form: an allowed person gets the form's 422.
		"POST /portal/maintenance":     {fixed("/portal/maintenance"), nil, portal},
		"GET /portal/maintenance/{id}": {withID("/portal/maintenance/%d", requestA), nil, seesRequestA},
		"GET /portal/maintenance/{id}/photos/{photo}": {func(w *testkit.World) string {
			return fmt.Sprintf("/portal/maintenance/%d/photos/%d?size=thumb", w.A.Request, matrixFiles.photoA)
		}, nil, seesRequestA},
	})
}

// login signs persona p of company c in.
func loginPersona(t *testing.T, app *testApp, c *testkit.Company, p testkit.Persona) *testClient {
	t.Helper()
	cl := app.client(t)
	cl.loginAs(c.Emails[p], testkit.Password)
	return cl
}

func requestHref(id int64) string { return fmt.Sprintf(`href="/portal/maintenance/%d"`, id) }

func TestPortalMaintenanceScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		a, b := w.A, w.B
		all := []int64{a.Request, a.OwnerRequest, a.OtherRequest, a.ApprovalRequest, b.Request, b.OwnerRequest, b.OtherRequest, b.ApprovalRequest}
		for _, tc := range []struct {
			c    *testkit.Company
			p    testkit.Persona
			sees []int64
		}{
			// ApprovalRequest is the tenant's, about the common area.
			{a, testkit.Tenant, []int64{a.Request, a.ApprovalRequest}},
			{a, testkit.Cotenant, []int64{a.Request, a.ApprovalRequest}},
			{a, testkit.FormerTenant, nil},
			{a, testkit.OtherTenant, []int64{a.OtherRequest}},
			{a, testkit.PropertyOwner, []int64{a.Request, a.OwnerRequest, a.ApprovalRequest}},
			{a, testkit.UnitOwner, []int64{a.OwnerRequest}},
			{a, testkit.OtherOwner, []int64{a.OtherRequest}},
			{a, testkit.Admin, nil},
			{b, testkit.Tenant, []int64{b.Request, b.ApprovalRequest}},
			{b, testkit.PropertyOwner, []int64{b.Request, b.OwnerRequest, b.ApprovalRequest}},
		} {
			name := tc.c.Name + " " + string(tc.p)
			cl := loginPersona(t, app, tc.c, tc.p)
			list := cl.get("/portal/maintenance").want(t, 200)
			for _, id := range all {
				listed := strings.Contains(list.Body, requestHref(id))
				page := cl.get(fmt.Sprintf("/portal/maintenance/%d", id))
				want := containsID(tc.sees, id)
				if listed != want {
					t.Errorf("%s: request %d listed = %v, want %v", name, id, listed, want)
				}
				if want && page.Status != 200 || !want && page.Status != 404 {
					t.Errorf("%s: request %d page = %d, want visible %v", name, id, page.Status, want)
				}
			}
			if len(tc.sees) == 0 && !strings.Contains(list.Body, "No maintenance requests") {
				t.Errorf("%s: no empty state:\n%s", name, excerpt(list.Body))
			}
		}
	})
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestPortalMaintenanceRequestPage(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)

	tenant := loginPersona(t, app, w.A, testkit.Tenant)
	r := tenant.get(fmt.Sprintf("/portal/maintenance/%d", w.A.Request)).want(t, 200)
	r.wantBody(t, "Kitchen tap drips", "Plumbing", "Apt 1", "Pipes Harbour", "Operator assigned", "Is water leaking right now?",
		"Weekday mornings", "Yes, when nobody is home", "A friendly cat", "Request submitted", `aria-current="page">Maintenance`)
	if strings.Contains(r.Body, "Review and decide") {
		t.Fatal("a tenant is offered an owner's decision")
	}

	// The manager asked the property's owner to approve work on the common
	// area: the owner sees it waiting for them, with the estimate and the
	// way to decide; the tenant who reported it sees where it stands, not
	// the owner's money.
	owner := loginPersona(t, app, w.A, testkit.PropertyOwner)
	list := owner.get("/portal/maintenance").want(t, 200)
	// Above the list, what waits for the owner's decision, with the way there.
	list.wantBody(t, `id="h-awaiting">Waiting for your approval`, fmt.Sprintf(`href="/portal/approvals/%d"`, w.A.Approval), "$850.00", `href="/portal/approvals"`)
	row := rowOf(list.Body, requestHref(w.A.ApprovalRequest))
	if !strings.Contains(row, "Waiting for your approval") || !strings.Contains(row, "Awaiting owner approval") {
		t.Errorf("owner's row: %q", row)
	}
	owner.get(fmt.Sprintf("/portal/maintenance/%d", w.A.ApprovalRequest)).want(t, 200).
		wantBody(t, "Waiting for your approval", "$850.00", "Replace the heating element.", fmt.Sprintf(`href="/portal/approvals/%d"`, w.A.Approval))
	tl := tenant.get("/portal/maintenance").want(t, 200)
	if strings.Contains(tl.Body, "h-awaiting") || strings.Contains(tl.Body, "/portal/approvals") {
		t.Error("the tenant's list offers owners' approvals")
	}
	row = rowOf(tl.Body, requestHref(w.A.ApprovalRequest))
	if !strings.Contains(row, "Awaiting owner approval") || strings.Contains(row, "Waiting for your approval") {
		t.Errorf("tenant's row: %q", row)
	}
	tp := tenant.get(fmt.Sprintf("/portal/maintenance/%d", w.A.ApprovalRequest)).want(t, 200)
	tp.wantBody(t, "Laundry room (common area)", "Waiting for the owner&#39;s decision")
	for _, secret := range []string{"$850.00", "Replace the heating element.", "/portal/approvals/"} {
		if strings.Contains(tp.Body, secret) {
			t.Errorf("the tenant sees %q", secret)
		}
	}
	tenant.get(fmt.Sprintf("/portal/maintenance/%d", w.A.OwnerRequest)).want(t, 404)
}

// rowOf returns the table row of body that contains marker.
func rowOf(body, marker string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}

func TestPortalMaintenanceHideCancelled(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	admin := w.A.Staff[testkit.Admin]
	d, err := db.StaffRequest(ctx, admin, w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRequestStatus(ctx, admin, w.A.Request, sqldb.StatusChange{To: lintel.StatusCancelled, Reason: "Fixed by the landlord's handyman", Version: d.Request.Version}, nil); err != nil {
		t.Fatal(err)
	}
	tenant := loginPersona(t, app, w.A, testkit.Tenant)
	tenant.get("/portal/maintenance").want(t, 200).wantBody(t, requestHref(w.A.Request), "Cancelled")
	tenant.postForm("/portal/maintenance/settings", url.Values{"hide_cancelled": {"on"}}).wantRedirect(t, "/portal/maintenance")
	r := tenant.get("/portal/maintenance").want(t, 200)
	r.wantBody(t, "Cancelled requests are hidden", `name="hide_cancelled" value="on" checked`, requestHref(w.A.ApprovalRequest))
	if strings.Contains(r.Body, requestHref(w.A.Request)) {
		t.Fatal("a cancelled request is listed although hidden")
	}
	// The page itself still opens, with why it was cancelled.
	tenant.get(fmt.Sprintf("/portal/maintenance/%d", w.A.Request)).want(t, 200).wantBody(t, "Why it was cancelled: Fixed by the landlord")
	// The co-tenant's list is their own.
	loginPersona(t, app, w.A, testkit.Cotenant).get("/portal/maintenance").want(t, 200).wantBody(t, requestHref(w.A.Request))

	tenant.postForm("/portal/maintenance/settings", nil).wantRedirect(t, "/portal/maintenance")
	tenant.get("/portal/maintenance").want(t, 200).wantBody(t, requestHref(w.A.Request))
}

func TestPortalMaintenancePager(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	tenant := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
	var ids []int64
	for i := range sqldb.DefaultPageSize + 2 {
		id, err := db.SubmitRequest(ctx, tenant, w.A.ID, sqldb.NewRequest{PropertyID: w.A.Property, UnitID: w.A.CommonArea,
			CategoryID: otherCategory(t, db, tenant, w.A.ID), Summary: fmt.Sprintf("Problem number %d", i)}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	cl := loginPersona(t, app, w.A, testkit.Tenant)
	first := cl.get("/portal/maintenance").want(t, 200)
	newest := ids[len(ids)-1]
	first.wantBody(t, requestHref(newest), "Older requests")
	if strings.Contains(first.Body, requestHref(w.A.Request)) {
		t.Fatal("the oldest request is on the first page")
	}
	next := linkAfter(t, first.Body, `href="/portal/maintenance?before=`)
	second := cl.get(next).want(t, 200)
	second.wantBody(t, requestHref(w.A.Request), "Newest requests")
	if strings.Contains(second.Body, requestHref(newest)) {
		t.Fatal("the newest request is on the second page")
	}
}

// linkAfter returns the href value starting with prefix (href="...).
func linkAfter(t *testing.T, body, prefix string) string {
	t.Helper()
	i := strings.Index(body, prefix)
	if i < 0 {
		t.Fatalf("no link %s in\n%s", prefix, excerpt(body))
	}
	rest := body[i+len(`href="`):]
	return strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
}

// otherCategory is the company's "Other" category, which asks nothing.
func otherCategory(t *testing.T, db *sqldb.DB, r lintel.Resident, company int64) int64 {
	t.Helper()
	cats, err := db.ResidentCategories(context.Background(), r, company)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Name == "Other" {
			return c.ID
		}
	}
	t.Fatal("no Other category")
	return 0
}

// The report form.

// part is one part of a multipart form: a text field, or a file when
// filename is set.
type part struct {
	name, value string
	filename    string
	data        []byte
}

// postMultipart posts parts, in order, as multipart/form-data.
func (c *testClient) postMultipart(path string, parts []part) *resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		if p.filename == "" && p.data == nil {
			if err := mw.WriteField(p.name, p.value); err != nil {
				c.t.Fatal(err)
			}
			continue
		}
		fw, err := mw.CreateFormFile(p.name, p.filename)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(p.data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.url(path), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// exifJPEG returns a w×h JPEG, left half red and right half blue, carrying
// an EXIF block with orientation o (6: the camera was turned, rotate 90°
// clockwise to view) and a GPS-looking marker.
func exifJPEG(t testing.TB, w, h int, o uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// TIFF, big-endian: one IFD entry (Orientation, SHORT, 1 value), then
	// some text that a leak would carry along.
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8))
	binary.Write(&tiff, binary.BigEndian, uint16(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{o, 0})
	binary.Write(&tiff, binary.BigEndian, uint32(0))
	tiff.WriteString("GPS 51.5007N 0.1246W")
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	src := enc.Bytes()
	out := append([]byte{}, src[:2]...) // SOI
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, src[2:]...)
}

// reportForm is a complete report of a plumbing problem at the tenant's
// unit; photos are appended by the caller.
func reportForm(t *testing.T, db *sqldb.DB, w *testkit.World) []part {
	t.Helper()
	r := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
	cats, err := db.ResidentCategories(context.Background(), r, w.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	today := lintel.DateOf(db.Now())
	parts := []part{
		{name: "place", value: fmt.Sprintf("%d:%d", w.A.Property, w.A.Unit)},
		{name: "category_id", value: strconv.FormatInt(w.A.Plumbing, 10)},
	}
	for _, c := range cats {
		if c.ID != w.A.Plumbing {
			continue
		}
		for _, q := range c.Questions {
			v := "Bathroom"
			if q.Kind == lintel.QuestionYesNo {
				v = "no"
			}
			parts = append(parts, part{name: "answer_" + strconv.FormatInt(q.ID, 10), value: v})
		}
	}
	return append(parts,
		part{name: "summary", value: "Bathroom basin leaks"},
		part{name: "description", value: "Water under the basin every morning."},
		part{name: "occurred_on", value: today.AddDays(-3).String()},
		part{name: "access", value: today.AddDays(1).String() + " morning"},
		part{name: "access", value: today.AddDays(1).String() + " afternoon"},
		part{name: "access", value: today.AddDays(2).String() + " evening"},
		part{name: "access", value: "2001-01-01 morning"}, // not offered: ignored
		part{name: "permission_to_enter", value: "yes"},
		part{name: "pets", value: "Two cats"},
	)
}

// plus returns a new slice of parts followed by more (never appending to
// parts' own array, which test cases share).
func plus(parts []part, more ...part) []part {
	return append(append([]part{}, parts...), more...)
}

// with returns parts with field name's value replaced (or removed when
// value is "-").
func with(parts []part, name, value string) []part {
	var out []part
	for _, p := range parts {
		if p.name == name && p.filename == "" {
			if value == "-" {
				continue
			}
			p.value = value
		}
		out = append(out, p)
	}
	return out
}

// filesIn counts the files stored under dir.
func filesIn(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newFilesApp(t *testing.T, db *sqldb.DB) (*testApp, string) {
	t.Helper()
	dir := t.TempDir()
	files, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	return newTestAppWith(t, db, Config{Files: files}), dir
}

func TestPortalMaintenanceSubmit(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app, dir := newFilesApp(t, db)
		tenant := loginPersona(t, app, w.A, testkit.Tenant)

		form := tenant.get("/portal/maintenance/new").want(t, 200)
		form.wantBody(t, "Report a problem", "Harbour House · Apt 1", "Laundry room (common area)", "Plumbing", "Is water leaking right now?",
			"Today", "Tomorrow", `type="file"`, `multiple`, `enctype="multipart/form-data"`)

		jpg := exifJPEG(t, 40, 20, 6)
		parts := plus(reportForm(t, db, w), part{name: "photos", filename: "IMG_0042.JPG", data: jpg})
		r := tenant.postMultipart("/portal/maintenance", parts)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/portal/maintenance/") {
			t.Fatalf("submit: %d to %q\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(r.Location, "/portal/maintenance/"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}

		page := tenant.get(r.Location).want(t, 200)
		page.wantBody(t, "Your request was sent", "Bathroom basin leaks", "Water under the basin", "Two cats", "Yes, when nobody is home",
			": morning (8am–12pm), afternoon (12–5pm)", ": evening (5–8pm)", "Submitted")
		if strings.Contains(page.Body, "2001") {
			t.Fatal("an access time that was not offered was stored")
		}
		// The co-tenant shares it; the tenant's list shows it first.
		loginPersona(t, app, w.A, testkit.Cotenant).get(r.Location).want(t, 200)
		list := tenant.get("/portal/maintenance").want(t, 200)
		if i, j := strings.Index(list.Body, requestHref(id)), strings.Index(list.Body, requestHref(w.A.Request)); i < 0 || j < 0 || i > j {
			t.Fatalf("the new request is not listed first (%d, %d)", i, j)
		}

		// The photo: upright (the 40×20 picture turned a quarter), no EXIF,
		// served inline as JPEG with nosniff, and a smaller-or-equal thumbnail.
		v, err := db.ResidentRequestView(context.Background(), lintel.Resident{UserID: w.A.Users[testkit.Tenant]}, id)
		if err != nil || len(v.Photos) != 1 || !v.Photos[0].HasThumb {
			t.Fatalf("photos = %+v, %v", v.Photos, err)
		}
		photoURL := fmt.Sprintf("/portal/maintenance/%d/photos/%d", id, v.Photos[0].ID)
		page.wantBody(t, `href="`+photoURL+`"`, `src="`+photoURL+`?size=thumb"`)
		full := tenant.get(photoURL).want(t, 200)
		for h, want := range map[string]string{"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff", "Content-Disposition": `inline; filename="IMG_0042.jpg"`} {
			if got := full.Header.Get(h); !strings.HasPrefix(got, want) {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if cc := full.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("Cache-Control = %q, want private", cc)
		}
		cfg, err := jpeg.DecodeConfig(strings.NewReader(full.Body))
		if err != nil || cfg.Width != 20 || cfg.Height != 40 {
			t.Fatalf("stored photo %dx%d (%v), want 20x40: the orientation was not applied", cfg.Width, cfg.Height, err)
		}
		if strings.Contains(full.Body, "Exif") || strings.Contains(full.Body, "GPS 51.5007N") {
			t.Fatal("the stored photo still carries EXIF")
		}
		// Upright: a quarter turn clockwise puts the red left half on top.
		img, err := jpeg.Decode(strings.NewReader(full.Body))
		if err != nil {
			t.Fatal(err)
		}
		if r, _, b, _ := img.At(10, 5).RGBA(); r < b {
			t.Fatalf("the top of the upright photo is not red (r=%d b=%d)", r>>8, b>>8)
		}
		thumb := tenant.get(photoURL+"?size=thumb").want(t, 200)
		if thumb.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("thumbnail Content-Type %q", thumb.Header.Get("Content-Type"))
		}
		if n := filesIn(t, dir); n != 2 {
			t.Fatalf("%d files stored, want the photo and its thumbnail", n)
		}

		// The company's dispatchers are told, with a link to the request in
		// the manager app; the bookkeeper is not.
		for _, p := range []testkit.Persona{testkit.Admin, testkit.Maintenance} {
			m := app.lastEmailTo(t, w.A.Emails[p])
			if !strings.Contains(m.Subject, "Bathroom basin leaks") || !strings.Contains(m.Text, "Harbour House · Apt 1") ||
				!strings.Contains(m.Text, "Tenant Harbour") || !strings.Contains(m.Text, "Photos: 1") {
				t.Errorf("e-mail to %s: %q\n%s", p, m.Subject, m.Text)
			}
			if link := app.linkIn(t, m, "/manage/maintenance/"); link != app.base+fmt.Sprintf("/manage/maintenance/%d", id) {
				t.Errorf("link %q", link)
			}
		}
		for _, m := range app.emailsTo(t, w.A.Emails[testkit.Bookkeeper]) {
			if m.Kind == "request_submitted" {
				t.Fatal("the bookkeeper was told about a maintenance request")
			}
		}
		for _, m := range app.emailsTo(t, w.B.Emails[testkit.Admin]) {
			if m.Kind == "request_submitted" {
				t.Fatal("company B was told about company A's request")
			}
		}
	})
}

func TestPortalMaintenanceSubmitRefused(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app, dir := newFilesApp(t, db)
	tenant := loginPersona(t, app, w.A, testkit.Tenant)
	res := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
	count := func() int {
		p, err := db.ResidentRequests(context.Background(), res, sqldb.ResidentRequestFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Requests)
	}
	before := count()
	good := reportForm(t, db, w)
	var firstQuestion string
	for _, p := range good {
		if strings.HasPrefix(p.name, "answer_") {
			firstQuestion = p.name // "Is water leaking right now?", required
			break
		}
	}
	tomorrow := lintel.DateOf(db.Now()).AddDays(1).String()
	jpg := exifJPEG(t, 40, 20, 1)

	for _, tc := range []struct {
		name   string
		parts  []part
		status int
		want   []string
	}{
		{"required question, future date, no permission", plus(with(with(with(good, firstQuestion, "-"), "occurred_on", tomorrow), "permission_to_enter", "-"),
			part{name: "photos", filename: "a.jpg", data: jpg}), 422,
			[]string{"Please answer this question.", "cannot be in the future", "Say whether someone may let themselves in",
				"choose your photos again", `value="Bathroom basin leaks"`, `value="` + tomorrow + `"`}},
		{"not an image", plus(good, part{name: "photos", filename: "notes.txt", data: []byte("just some words, not a photo")}), 422,
			[]string{"“notes.txt”: " + photo.MsgNotPhoto, "choose your photos again", `value="Bathroom basin leaks"`}},
		{"a good and a bad photo", plus(good, part{name: "photos", filename: "a.jpg", data: jpg}, part{name: "photos", filename: "b.png", data: []byte("\x89PNG\r\n\x1a\nbroken")}), 422,
			[]string{"“b.png”: " + photo.MsgNotPhoto}},
		{"too big", plus(good, part{name: "photos", filename: "huge.jpg", data: append(jpg, make([]byte, photo.MaxBytes)...)}), 422,
			[]string{"“huge.jpg” is too large (max 15 MB)", `value="Bathroom basin leaks"`}},
		{"no summary", with(good, "summary", ""), 422, []string{"Say in a few words what is wrong"}},
		{"someone else's unit", with(good, "place", fmt.Sprintf("%d:%d", w.A.OtherProperty, w.A.OtherUnit)), 422,
			[]string{"Choose one of your homes or properties from the list."}},
		{"another company's category", with(good, "category_id", strconv.FormatInt(w.B.Plumbing, 10)), 422,
			[]string{"Choose what kind of problem this is."}},
	} {
		r := tenant.postMultipart("/portal/maintenance", tc.parts)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d\n%s", tc.name, r.Status, tc.status, excerpt(r.Body))
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(r.Body, s) {
				i := strings.Index(r.Body, `id="e-photos"`)
				t.Errorf("%s: the page does not say %q\n%s", tc.name, s, r.Body[max(i, 0):min(len(r.Body), max(i, 0)+400)])
			}
		}
	}
	if n := count(); n != before {
		t.Fatalf("refused forms stored %d requests", n-before)
	}
	if n := filesIn(t, dir); n != 0 {
		t.Fatalf("refused forms left %d files in storage", n)
	}
	if ms := app.emailsTo(t, w.A.Emails[testkit.Admin]); len(ms) > 0 {
		for _, m := range ms {
			if m.Kind == "request_submitted" {
				t.Fatal("a refused form told the manager")
			}
		}
	}
	// A body declared larger than any form may be is refused before it is
	// read (straight to the handler: a real client will not send it).
	req := httptest.NewRequest(http.MethodPost, "/portal/maintenance", strings.NewReader("--x--"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.ContentLength = upload.MaxPhotoRequestBytes + 1
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tenant.sessionCookie()})
	rec := httptest.NewRecorder()
	app.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "too large together") {
		t.Fatalf("huge body: %d\n%s", rec.Code, excerpt(rec.Body.String()))
	}
}

func TestPortalMaintenanceCompaniesAndCommonAreas(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	// The tenant of company A also owns Ridge Court, managed by company B.
	bAdmin := w.B.Staff[testkit.Admin]
	contact, err := db.CreateContact(ctx, bAdmin, lintel.Contact{Name: "Tenant Harbour", IsOwner: true, Emails: []lintel.ContactEmail{{Email: w.A.Emails[testkit.Tenant]}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateOwnership(ctx, bAdmin, lintel.Ownership{ContactID: contact, PropertyID: w.B.Property, ShareBP: 4000}); err != nil {
		t.Fatal(err)
	}
	tenant := loginPersona(t, app, w.A, testkit.Tenant)
	form := tenant.get("/portal/maintenance/new").want(t, 200)
	form.wantBody(t, "Harbour House · Apt 1 — Harbour Lettings", "Harbour House · Laundry room (common area) — Harbour Lettings",
		"Ridge House · the whole property — Ridge Lettings", "Ridge House · Apt 1 — Ridge Lettings", "With Harbour Lettings:", "With Ridge Lettings:")

	// Company B's place with company A's category is refused; with B's
	// own, it goes to B.
	parts := reportForm(t, db, w)
	parts = with(parts, "place", fmt.Sprintf("%d:0", w.B.Property))
	tenant.postMultipart("/portal/maintenance", parts).want(t, 422).wantBody(t, "Choose what kind of problem this is.")
	parts = with(parts, "category_id", strconv.FormatInt(otherCategory(t, db, lintel.Resident{UserID: w.A.Users[testkit.Tenant]}, w.B.ID), 10))
	r := tenant.postMultipart("/portal/maintenance", parts)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("submit to B: %d\n%s", r.Status, excerpt(r.Body))
	}
	tenant.get(r.Location).want(t, 200).wantBody(t, "Ridge House · the whole property", "managed by Ridge Lettings")
	if m := app.lastEmailTo(t, w.B.Emails[testkit.Admin]); m.Kind != "request_submitted" {
		t.Fatalf("company B's admin got %q", m.Subject)
	}
	// B's other owner of the property sees it, B's tenants do not (it is
	// not their lease's); A's staff never hear of it.
	loginPersona(t, app, w.B, testkit.PropertyOwner).get(r.Location).want(t, 200)
	loginPersona(t, app, w.B, testkit.Tenant).get(r.Location).want(t, 404)
	for _, m := range app.emailsTo(t, w.A.Emails[testkit.Admin]) {
		if strings.Contains(m.Subject, "Ridge House") {
			t.Fatal("company A was told about company B's request")
		}
	}

	// A common area: the whole building's tenants' concern, reported by one.
	parts = with(reportForm(t, db, w), "place", fmt.Sprintf("%d:%d", w.A.Property, w.A.CommonArea))
	r = tenant.postMultipart("/portal/maintenance", parts)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("common area: %d\n%s", r.Status, excerpt(r.Body))
	}
	tenant.get(r.Location).want(t, 200).wantBody(t, "Laundry room (common area)")
}

func TestPortalMaintenancePhotoScope(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app, _ := newFilesApp(t, db)
	tenant := loginPersona(t, app, w.A, testkit.Tenant)
	parts := plus(reportForm(t, db, w), part{name: "photos", filename: "leak.jpg", data: exifJPEG(t, 16, 16, 1)})
	r := tenant.postMultipart("/portal/maintenance", parts).want(t, http.StatusSeeOther)
	id, _ := strconv.ParseInt(strings.TrimPrefix(r.Location, "/portal/maintenance/"), 10, 64)
	v, err := db.ResidentRequestView(context.Background(), lintel.Resident{UserID: w.A.Users[testkit.Tenant]}, id)
	if err != nil || len(v.Photos) != 1 {
		t.Fatal(v.Photos, err)
	}
	photoURL := fmt.Sprintf("/portal/maintenance/%d/photos/%d", id, v.Photos[0].ID)
	for _, tc := range []struct {
		c    *testkit.Company
		p    testkit.Persona
		want int
	}{
		{w.A, testkit.Tenant, 200}, {w.A, testkit.Cotenant, 200}, {w.A, testkit.PropertyOwner, 200},
		{w.A, testkit.FormerTenant, 404}, {w.A, testkit.OtherTenant, 404}, {w.A, testkit.UnitOwner, 404},
		{w.A, testkit.Admin, 404}, {w.B, testkit.Tenant, 404}, {w.B, testkit.PropertyOwner, 404},
	} {
		cl := loginPersona(t, app, tc.c, tc.p)
		missing := cl.get(fmt.Sprintf("/portal/maintenance/%d/photos/987654", id)).want(t, 404)
		for _, u := range []string{photoURL, photoURL + "?size=thumb"} {
			got := cl.get(u)
			if got.Status != tc.want {
				t.Errorf("%s %s: %s = %d, want %d", tc.c.Name, tc.p, u, got.Status, tc.want)
			}
			if tc.want == 404 && got.mainOf() != missing.mainOf() {
				t.Errorf("%s %s: the 404 differs from a missing photo's", tc.c.Name, tc.p)
			}
		}
	}
	// A photo id of another request, under this request's URL, is not found.
	tenant.get(fmt.Sprintf("/portal/maintenance/%d/photos/%d", w.A.Request, v.Photos[0].ID)).want(t, 404)
	app.client(t).get(photoURL).want(t, http.StatusSeeOther)
}

func TestAccessTimes(t *testing.T) {
	t.Parallel()
	today, _ := lintel.ParseDate("2026-11-23") // a Monday
	f := NewForm()
	for _, v := range []string{"2026-11-24 morning", "2026-11-24 afternoon", "2026-11-24 evening", "2026-11-26 evening", "2026-12-30 morning", "junk"} {
		f.Values.Add("access", v)
	}
	got := strings.Join(accessTimes(f, today), " | ")
	if want := "Tue 24 Nov: any time of day | Thu 26 Nov: evening (5–8pm)"; got != want {
		t.Fatalf("access times = %q, want %q", got, want)
	}
	f.Values.Set("access_any", "on")
	if got := accessTimes(f, today); len(got) != 1 || got[0] != "Any time" {
		t.Fatalf("any time = %q", got)
	}
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"IMG_1.jpg":       `inline; filename="IMG_1.jpg"; filename*=UTF-8''IMG_1.jpg`,
		"":                `inline; filename="file"; filename*=UTF-8''file`,
		`a"b\c.jpg`:       `inline; filename="a_b_c.jpg"; filename*=UTF-8''a%22b%5Cc.jpg`,
		"it's (1);x.jpg":  `inline; filename="it's (1);x.jpg"; filename*=UTF-8''it%27s%20%281%29%3Bx.jpg`,
		"Café.jpg":        `inline; filename="Caf_.jpg"; filename*=UTF-8''Caf%C3%A9.jpg`,
		"x\r\nSet-Cookie": `inline; filename="x__Set-Cookie"; filename*=UTF-8''x%0D%0ASet-Cookie`,
	} {
		if got := contentDisposition("inline", in); got != want {
			t.Errorf("contentDisposition(%q) = %q, want %q", in, got, want)
		}
	}
}
