package web

import (
	"io/fs"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// TestUnstorableTextIsRefused sends bytes PostgreSQL cannot store (not
// UTF-8, NUL) and control characters to forms and list filters: each gets
// a 422 naming the field, on both databases, and nothing is stored. A line
// break in a textarea is still text.
func TestUnstorableTextIsRefused(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		app := newTestApp(t, db)
		seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)

		app.client(t).postForm("/login", login("a\x00b@example.org", testPassword)).want(t, 422).wantBody(t, "“email”", "control character")
		app.client(t).postForm("/login", login("ada@acme.test\xff", testPassword)).want(t, 422).wantBody(t, "not UTF-8")

		c := app.client(t)
		c.loginAs("ada@acme.test", testPassword)
		for _, form := range []url.Values{
			{"name": {"\xff\xfe\xfd"}, "kind": {"single_family"}},
			{"name": {"Birch Lane"}, "kind": {"single_family"}, "notes": {"gate code\x00"}},
			{"name": {"Birch\tLane"}, "kind": {"single_family"}},
			{"name": {"Birch Lane"}, "kind": {"single_family"}, "x\xff": {"1"}},
		} {
			c.postForm("/manage/properties", form).want(t, 422).wantBody(t, "send the form again")
		}
		c.get("/manage/properties").want(t, 200).wantBody(t, "You have no properties yet")

		c.get("/manage/contacts?q=%ff%fe").want(t, 422).wantBody(t, "“q”", "not UTF-8")
		c.get("/manage/contacts?q=a%00b").want(t, 422)
		c.get("/manage/properties?q=birch%0Alane").want(t, 422)
		c.get("/manage/contacts?q=ada").want(t, 200)

		r := c.postForm("/manage/properties", url.Values{"name": {"Birch Lane"}, "kind": {"single_family"}, "notes": {"Gate code 1234\r\nKey\tunder the mat"}})
		pid := idFrom(t, r.Location)
		r.wantRedirect(t, "/manage/properties/"+pid)
		c.get("/manage/properties/"+pid).want(t, 200).wantBody(t, "Gate code 1234", "under the mat")
	})
}

// TestMultilineFieldsMatchTemplates keeps multilineFields, the fields that
// may hold line breaks, equal to the textareas the templates render.
func TestMultilineFieldsMatchTemplates(t *testing.T) {
	t.Parallel()
	var textareas []string
	field := regexp.MustCompile(`\(field [^"]*"(\w+)" (?:"[^"]*"|\([^)]*\)) "textarea"`)
	raw := regexp.MustCompile(`<textarea[^>]*name="(\w+)"`)
	seen := map[string]bool{}
	walkTemplates(t, func(name, body string) {
		for _, re := range []*regexp.Regexp{field, raw} {
			for _, m := range re.FindAllStringSubmatch(body, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					textareas = append(textareas, m[1])
				}
			}
		}
		if name == "templates/partials/form.html" {
			return // the field partial itself, where the name is {{.Name}}
		}
		if (strings.Contains(body, `"textarea"`) || strings.Contains(body, "<textarea")) && !field.MatchString(body) && !raw.MatchString(body) {
			t.Errorf("%s has a textarea this test cannot read; name it like the others", name)
		}
	})
	var listed []string
	for k := range multilineFields {
		if !strings.Contains(k, "password") {
			listed = append(listed, k)
		}
	}
	sort.Strings(textareas)
	sort.Strings(listed)
	if strings.Join(textareas, " ") != strings.Join(listed, " ") {
		t.Fatalf("the templates' textareas are %v, but multilineFields lists %v: update multilineFields in forms.go", textareas, listed)
	}
}

func walkTemplates(t *testing.T, fn func(name, body string)) {
	t.Helper()
	err := fs.WalkDir(templateFiles, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".html") {
			return err
		}
		b, err := templateFiles.ReadFile(name)
		fn(name, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
