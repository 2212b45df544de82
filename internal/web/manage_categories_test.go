package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

func init() {
	categoryA := func(w *testkit.World) int64 { return w.A.Plumbing }
	questionA := func(w *testkit.World) int64 { return w.A.PlumbingQuestion }
	addMatrixRows(map[string]matrixRow{
		"GET /manage/settings/categories":                 {fixed("/manage/settings/categories"), nil, staffList},
		"POST /manage/settings/categories":                {fixed("/manage/settings/categories"), nil, editList},
		"GET /manage/settings/categories/{id}":            {withID("/manage/settings/categories/%d", categoryA), nil, staffObject},
		"POST /manage/settings/categories/{id}":           {withID("/manage/settings/categories/%d", categoryA), nil, editObject},
		"POST /manage/settings/categories/{id}/move":      {withID("/manage/settings/categories/%d/move", categoryA), url.Values{"direction": {"up"}}, editObject},
		"POST /manage/settings/categories/{id}/archive":   {withID("/manage/settings/categories/%d/archive", categoryA), nil, editObject},
		"POST /manage/settings/categories/{id}/unarchive": {withID("/manage/settings/categories/%d/unarchive", categoryA), nil, editObject},
		"POST /manage/settings/categories/{id}/questions": {withID("/manage/settings/categories/%d/questions", categoryA), nil, editObject},
		"POST /manage/settings/questions/{id}":            {withID("/manage/settings/questions/%d", questionA), nil, editObject},
		"POST /manage/settings/questions/{id}/move":       {withID("/manage/settings/questions/%d/move", questionA), nil, editObject},
		"POST /manage/settings/questions/{id}/remove":     {withID("/manage/settings/questions/%d/remove", questionA), nil, editObject},
	})
}

func TestMaintenanceCategories(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()

	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	c.get("/manage/settings").want(t, 200).wantBody(t, `href="/manage/settings/categories"`)
	// Managers who are not admins have no Settings entry: the maintenance desk links there too.
	c.get("/manage/maintenance").want(t, 200).wantBody(t, `href="/manage/settings/categories"`)
	c.get("/manage/settings/categories").want(t, 200).wantBody(t, "Appliance", "Electrical", "Plumbing", "Door or lock", "Heating or cooling", "Pests", "Other")

	// Add a category; a second one with the same name is refused with the name kept.
	r := c.postForm("/manage/settings/categories", url.Values{"name": {"Windows"}})
	loc := r.Header.Get("Location")
	if r.Status != 303 || loc == "" {
		t.Fatalf("add category: %d %s", r.Status, excerpt(r.Body))
	}
	c.get(loc).want(t, 200).wantBody(t, "Category added", "No questions yet")
	c.postForm("/manage/settings/categories", url.Values{"name": {"windows"}}).want(t, 422).wantBody(t, "already a category with this name", `value="windows"`)

	// Questions: a choice needs two answers; the refused form keeps what was typed.
	c.postForm(loc+"/questions", url.Values{"prompt": {"Which window?"}, "kind": {"choice"}, "options": {"Bedroom"}}).
		want(t, 422).wantBody(t, "at least two answers", `value="Which window?"`, ">Bedroom</textarea>")
	c.postForm(loc+"/questions", url.Values{"prompt": {"Which window?"}, "kind": {"choice"}, "options": {"Bedroom\r\nKitchen\r\n\r\nKitchen"}, "required": {"on"}}).
		wantRedirect(t, loc)
	c.postForm(loc+"/questions", url.Values{"prompt": {"Is the glass broken?"}, "kind": {"yesno"}}).wantRedirect(t, loc)
	c.get(loc).want(t, 200).wantBody(t, "Which window?", "One of: Bedroom, Kitchen", "Is the glass broken?", "Required")

	// Residents see the new category and its questions, in order; then reorder.
	tenant := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
	prompts := func() []string {
		cats, err := db.ResidentCategories(ctx, tenant, w.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, cat := range cats {
			if cat.Name == "Windows" {
				var out []string
				for _, q := range cat.Questions {
					out = append(out, q.Prompt)
				}
				return out
			}
		}
		return nil
	}
	if got := prompts(); !slices.Equal(got, []string{"Which window?", "Is the glass broken?"}) {
		t.Fatalf("residents are asked %q", got)
	}
	cat, err := db.Category(ctx, w.A.Staff[testkit.Admin], idFromPath(t, loc))
	if err != nil {
		t.Fatal(err)
	}
	second := fmt.Sprint(cat.Questions[1].ID)
	c.postForm("/manage/settings/questions/"+second+"/move", url.Values{"direction": {"up"}}).wantRedirect(t, loc)
	if got := prompts(); !slices.Equal(got, []string{"Is the glass broken?", "Which window?"}) {
		t.Errorf("after moving up, residents are asked %q", got)
	}
	// Edit: a refused edit comes back open with its message.
	c.postForm("/manage/settings/questions/"+second, url.Values{"category_id": {fmt.Sprint(cat.ID)}, "prompt": {""}, "kind": {"yesno"}}).
		want(t, 422).wantBody(t, "Write the question residents will answer", "<details open>")
	c.postForm("/manage/settings/questions/"+second, url.Values{"category_id": {fmt.Sprint(cat.ID)}, "prompt": {"Is any glass cracked?"}, "kind": {"yesno"}, "required": {"on"}}).
		wantRedirect(t, loc)
	c.postForm("/manage/settings/questions/"+fmt.Sprint(cat.Questions[0].ID)+"/remove", nil).wantRedirect(t, loc)
	if got := prompts(); !slices.Equal(got, []string{"Is any glass cracked?"}) {
		t.Errorf("after edit and remove, residents are asked %q", got)
	}

	// Archive: residents no longer see it; restore brings it back.
	c.postForm(loc+"/archive", nil).wantRedirect(t, "/manage/settings/categories")
	if got := prompts(); got != nil {
		t.Errorf("an archived category is still offered with %q", got)
	}
	c.get("/manage/settings/categories").want(t, 200).wantBody(t, "Archived", "Restore")
	c.postForm(loc+"/unarchive", nil).wantRedirect(t, "/manage/settings/categories")
	if got := prompts(); len(got) != 1 {
		t.Errorf("a restored category offers %q", got)
	}
	c.postForm(loc, url.Values{"name": {"Windows and glass"}}).wantRedirect(t, loc)
	c.get("/manage/settings/categories").want(t, 200).wantBody(t, "Windows and glass")

	// The bookkeeper may look but not change; company B cannot see A's.
	b := app.client(t)
	b.loginAs(w.A.Emails[testkit.Bookkeeper], testkit.Password)
	b.get(loc).want(t, 200)
	b.postForm(loc, url.Values{"name": {"Mine"}}).want(t, 403)
	o := app.client(t)
	o.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	o.get(loc).want(t, 404)
	o.postForm(loc+"/archive", nil).want(t, 404)
}

func idFromPath(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path, "/manage/settings/categories/%d", &id); err != nil {
		t.Fatalf("no id in %q", path)
	}
	return id
}
