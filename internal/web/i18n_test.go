package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/i18n"
)

// portalTemplates are the templates residents and owners read: everything
// under templates/portal/ plus these.
var portalTemplates = []string{
	"templates/layout.html",
	"templates/error.html",
	"templates/approvals/list.html",
	"templates/approvals/decide.html",
	"templates/partials/nav.html", // the portal's navigation; the manager's is cut out below
	"templates/partials/portal_tabs.html",
	"templates/partials/billing_lines.html",
}

func portalTemplateFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(name string) {
		b, err := templateFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	for _, name := range portalTemplates {
		add(name)
	}
	err := fs.WalkDir(templateFiles, "templates/portal", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, ".html") {
			add(name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	tLiteral = regexp.MustCompile(`\.T\s+("(?:[^"\\]|\\.)*")`)
	action   = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	script   = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	textNode = regexp.MustCompile(`>([^<>]*)<`)
	textAttr = regexp.MustCompile(`\b(aria-label|placeholder|title|alt)="([^"]*)"`)
	letters  = regexp.MustCompile(`\p{L}{2,}`)
	navBlock = regexp.MustCompile(`(?s)\{\{define "nav-manage"\}\}.*?\{\{end\}\}\s*\n\{\{define`)
)

// TestPortalTextIsTranslated fails when a portal template shows English
// that does not go through .T, or when a .T string has no French.
func TestPortalTextIsTranslated(t *testing.T) {
	t.Parallel()
	for name, src := range portalTemplateFiles(t) {
		if name == "templates/layout.html" || name == "templates/partials/nav.html" {
			// The manager app's navigation stays English.
			src = navBlock.ReplaceAllString(src, "{{define")
		}
		for _, m := range tLiteral.FindAllStringSubmatch(src, -1) {
			key, err := strconv.Unquote(m[1])
			if err != nil {
				t.Errorf("%s: %s: %v", name, m[1], err)
				continue
			}
			if !i18n.Has("fr", key) {
				t.Errorf("%s: no French for %q (add it to internal/i18n/fr/<capability>.json)", name, key)
			}
		}
		bare := script.ReplaceAllString(action.ReplaceAllString(src, "{{}}"), "")
		for _, m := range textNode.FindAllStringSubmatch(bare, -1) {
			// The brand name is not translated.
			txt := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(m[1], "{{}}", ""), "Lintel", ""))
			if letters.MatchString(txt) {
				t.Errorf("%s: text %q is not translated: wrap it in {{.T \"…\"}}", name, txt)
			}
		}
		for _, m := range textAttr.FindAllStringSubmatch(bare, -1) {
			if txt := strings.ReplaceAll(m[2], "{{}}", ""); letters.MatchString(txt) {
				t.Errorf("%s: %s=%q is not translated: wrap it in {{.T \"…\"}}", name, m[1], txt)
			}
		}
	}
}
