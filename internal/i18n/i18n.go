// Package i18n translates the resident portal. English text is the key:
// templates and handlers write English, and a French catalog (fr/*.json,
// one flat {"English": "Français"} file per capability) supplies the
// translation. A missing entry falls back to the English text, and a test in
// internal/web fails when a portal template string has no French.
//
// Formatting is golang.org/x/text/message's: fmt verbs in the key, with
// numbers printed the way each language writes them.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Languages the portal speaks, in the order offered to people. English is
// first: it is the fallback.
var Languages = []Language{
	{Code: "en", Name: "English"},
	{Code: "fr", Name: "Français"},
}

// Language is one the portal is translated into; Name is in that language.
type Language struct {
	Code string
	Name string
}

// Default is the language of the keys.
const Default = "en"

//go:embed fr/*.json
var files embed.FS

var (
	cat     *catalog.Builder
	sources = map[string]map[string]string{} // lang → English → translation
	matcher language.Matcher
	tags    []language.Tag
)

func init() {
	cat = catalog.NewBuilder(catalog.Fallback(language.English))
	for _, l := range Languages {
		tags = append(tags, language.MustParse(l.Code))
	}
	matcher = language.NewMatcher(tags)
	if err := load(files); err != nil {
		panic(err) // the catalog is embedded: a broken file is a build defect, caught by tests
	}
	for i, l := range Languages {
		printers[l.Code] = Printer{l.Code, message.NewPrinter(tags[i], message.Catalog(cat))}
	}
}

// load reads every <lang>/*.json file into the catalog.
func load(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".json" {
			return err
		}
		lang := path.Dir(name)
		tag, err := language.Parse(lang)
		if err != nil {
			return fmt.Errorf("i18n: %s: folder is not a language: %w", name, err)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("i18n: %s: %w", name, err)
		}
		if sources[lang] == nil {
			sources[lang] = map[string]string{}
		}
		for k, v := range m {
			if _, dup := sources[lang][k]; dup {
				return fmt.Errorf("i18n: %s: %q is translated twice", name, k)
			}
			if !sameVerbs(k, v) {
				return fmt.Errorf("i18n: %s: %q and %q must have the same %%-verbs", name, k, v)
			}
			sources[lang][k] = v
			if err := cat.SetString(tag, k, v); err != nil {
				return fmt.Errorf("i18n: %s: %q: %w", name, k, err)
			}
		}
		return nil
	})
}

// Supported reports whether code is a language the portal speaks.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Match picks the portal language for a person: their saved choice when it
// is one we speak, else the best match for the browser's Accept-Language,
// else English.
func Match(saved, acceptLanguage string) string {
	if Supported(saved) {
		return saved
	}
	want, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(want) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return Default
	}
	return Languages[i].Code
}

// Printer formats and translates for one language.
type Printer struct {
	lang string
	p    *message.Printer
}

// printers are made once: building a message.Printer parses its language
// tag and looks up its catalog, and every page asks for one. A Printer is
// safe for concurrent use (each Sprintf takes its own state from a pool).
// They are made in init, once the catalog exists.
var printers = map[string]Printer{}

// For returns the printer for a language code; unknown codes get English.
func For(code string) Printer {
	if p, ok := printers[code]; ok {
		return p
	}
	return printers[Default]
}

// T translates msg and, when there are args, formats it with them (fmt
// verbs). Without args msg is plain text, so a message that carries a
// person's words ("50% off") is never read as a format.
func (p Printer) T(msg string, args ...any) string {
	if len(args) == 0 {
		if tr, ok := sources[p.lang][msg]; ok {
			return tr
		}
		return msg
	}
	return p.p.Sprintf(msg, args...)
}

// frMonths are French month abbreviations as French typography writes them.
var frMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// Date formats a day the way the language writes it: "2 Jan 2006",
// "2 janv. 2006". The zero time is "".
func (p Printer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if p.lang == "fr" {
		return fmt.Sprintf("%d %s %d", t.Day(), frMonths[t.Month()-1], t.Year())
	}
	return t.Format("2 Jan 2006")
}

// DateTime formats a moment to the minute: "2 Jan 2006 15:04",
// "2 janv. 2006 15:04". The zero time is "".
func (p Printer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.Date(t) + " " + t.Format("15:04")
}

// Has reports whether lang has a translation for key (English has all).
func Has(lang, key string) bool {
	_, ok := sources[lang][key]
	return lang == Default || ok
}

// sameVerbs reports whether a and b use the same fmt verbs, in any order
// (a translation may move an argument with %[2]s).
func sameVerbs(a, b string) bool {
	va, vb := verbs(a), verbs(b)
	if len(va) != len(vb) {
		return false
	}
	sort.Strings(va)
	sort.Strings(vb)
	for i := range va {
		if va[i] != vb[i] {
			return false
		}
	}
	return true
}

// verbs returns the fmt verbs in s without flags or argument indexes, e.g.
// "%s, %[1]d%%" → ["s", "d"].
func verbs(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.ContainsRune("+-# 0123456789.[]", rune(s[j])) {
			j++
		}
		if j < len(s) {
			if s[j] != '%' {
				out = append(out, s[j:j+1])
			}
			i = j
		}
	}
	return out
}
