package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/testkit"
)

func init() {
	addMatrixRows(map[string]matrixRow{
		// Not multipart: an allowed person is sent back with a message.
		"POST /manage/maintenance/{id}/photos": {withID("/manage/maintenance/%d/photos", func(w *testkit.World) int64 { return w.A.Request }), nil, dispatchObject},
	})
}

func TestStaffAddPhotos(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	a := w.A
	path := fmt.Sprintf("/manage/maintenance/%d/photos", a.Request)
	page := fmt.Sprintf("/manage/maintenance/%d", a.Request)

	m := loginPersona(t, app, a, testkit.Maintenance)
	m.get(page).want(t, 200).wantBody(t, `action="`+path+`"`, `accept="image/jpeg,image/png"`)

	// Two photos from the tenant's e-mail: stored, on the timeline, seen by the tenant.
	m.postFiles(path, nil, "photos", map[string][]byte{"sink.jpg": testJPEG(t, 120, 90), "pipe.jpg": testJPEG(t, 90, 120)}).
		wantRedirect(t, page+"#h-photos")
	m.get(page).want(t, 200).wantBody(t, "Photos added", "2 photos added")
	d, err := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.Request)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Photos) != 2 || d.Photos[0].Phase != "other" || !d.Photos[0].HasThumb || d.Photos[0].By != "Maintenance Harbour" {
		t.Fatalf("stored photos = %+v", d.Photos)
	}
	tenant := loginPersona(t, app, a, testkit.Tenant)
	tenant.get(fmt.Sprintf("/portal/maintenance/%d/photos/%d?size=thumb", a.Request, d.Photos[1].ID)).want(t, 200)

	// Not a photo: nothing is added, and the message says which file and why.
	m.postFiles(path, nil, "photos", map[string][]byte{"notes.txt": []byte("hello")}).wantRedirect(t, page+"#h-photos")
	m.get(page).want(t, 200).wantBody(t, "No photo was added.", "notes.txt")
	if d, _ := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.Request); len(d.Photos) != 2 {
		t.Errorf("a refused upload left %d photos, want 2", len(d.Photos))
	}
	// Nothing chosen.
	m.postFiles(path, nil, "photos", nil).wantRedirect(t, page+"#h-photos")
	m.get(page).want(t, 200).wantBody(t, "Choose at least one photo")

	// The bookkeeper may not; another company cannot reach the request.
	loginPersona(t, app, a, testkit.Bookkeeper).postFiles(path, nil, "photos", map[string][]byte{"x.jpg": testJPEG(t, 10, 10)}).want(t, http.StatusForbidden)
	r := loginPersona(t, app, w.B, testkit.Admin).postFiles(path, nil, "photos", map[string][]byte{"x.jpg": testJPEG(t, 10, 10)}).want(t, http.StatusNotFound)
	if strings.Contains(r.Body, "Photo") {
		t.Error("company B's admin is told something about A's request")
	}
}
