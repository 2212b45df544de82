package web

import (
	"bytes"
	"html/template"
	"testing"

	"lintel.dev/lintel/internal/i18n"
)

// A page's fixed text, translated when the templates are parsed, renders
// exactly as the {{.T "…"}} call it replaces: the same words, escaped the
// same way, in every language, while calls that format stay calls.
func TestConstantTranslationsRenderAsTheCall(t *testing.T) {
	t.Parallel()
	src := `<title>{{.T "Billing"}}</title><a aria-label="{{.T "Account"}}">{{ $.T "Log out" }}</a>` +
		`<p>{{.T "Request %s" "r-1"}}</p><p>{{.T .Title}}</p><p>{{.T "Fish & <chips> \"x\""}}</p>`
	for _, l := range i18n.Languages {
		t.Run(l.Code, func(t *testing.T) {
			p := &Page{Title: "Maintenance", Lang: l.Code, printer: i18n.For(l.Code)}
			render := func(src string) string {
				var b bytes.Buffer
				if err := template.Must(template.New("x").Parse(src)).Execute(&b, p); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			folded := translateConstants(src, l.Code)
			if got, want := render(folded), render(src); got != want {
				t.Errorf("folded templates render\n%s\nthe calls render\n%s", got, want)
			}
			if n := len(constantT.FindAllString(folded, -1)); n != 0 {
				t.Errorf("%d constant calls left in %s", n, folded)
			}
		})
	}
	if fr := translateConstants(`{{.T "Log out"}}`, "fr"); fr == "Log out" || fr == `{{.T "Log out"}}` {
		t.Errorf("French folding left %q: the test above would pass without translating", fr)
	}
}
