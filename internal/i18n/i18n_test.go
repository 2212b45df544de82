package i18n

import (
	"testing"
	"testing/fstest"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		saved, accept, want string
	}{
		{"", "", "en"},
		{"", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de-DE,de;q=0.9", "en"},
		{"", "de,fr;q=0.5", "fr"},
		{"en", "fr", "en"},
		{"fr", "en-US", "fr"},
		{"xx", "fr", "fr"},
		{"", "not a header;;;", "en"},
	}
	for _, tt := range tests {
		if got := Match(tt.saved, tt.accept); got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.saved, tt.accept, got, tt.want)
		}
	}
}

func TestPrinter(t *testing.T) {
	if got := For("fr").T("Maintenance"); got != "Entretien" {
		t.Errorf("fr Maintenance = %q", got)
	}
	if got := For("en").T("Maintenance"); got != "Maintenance" {
		t.Errorf("en Maintenance = %q", got)
	}
	if got := For("fr").T("Request %s", "abc"); got != "Requête abc" {
		t.Errorf("fr with an argument = %q", got)
	}
	if got := For("fr").T("Not in the catalog %d", 3); got != "Not in the catalog 3" {
		t.Errorf("a missing key falls back to English: %q", got)
	}
	if got := For("en").T("50% off"); got != "50% off" {
		t.Errorf("text without args is not a format: %q", got)
	}
	if got := For("zz").T("Maintenance"); got != "Maintenance" {
		t.Errorf("an unknown language is English: %q", got)
	}
	if !Has("fr", "Maintenance") || Has("fr", "Never translated") || !Has("en", "Anything") {
		t.Error("Has is wrong")
	}
}

func TestSameVerbs(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Due on %s", "Échéance le %s", true},
		{"%d of %s", "%[2]s : %[1]d", true},
		{"%s", "aucun", false},
		{"100%% sure %s", "sûr à 100 %% %s", true},
		{"%s", "%d", false},
	}
	for _, tt := range tests {
		if got := sameVerbs(tt.a, tt.b); got != tt.want {
			t.Errorf("sameVerbs(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestLoadRefusesBrokenCatalogs(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"not json":       {"fr/a.json": {Data: []byte("{")}},
		"verbs differ":   {"fr/a.json": {Data: []byte(`{"Due on %s": "Échéance"}`)}},
		"twice":          {"fr/a.json": {Data: []byte(`{"Yes": "Oui"}`)}, "fr/b.json": {Data: []byte(`{"Yes": "Oui"}`)}},
		"not a language": {"zz-not-a-tag-at-all/a.json": {Data: []byte(`{}`)}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			saved := sources
			sources = map[string]map[string]string{}
			defer func() { sources = saved }()
			if err := load(fsys); err == nil {
				t.Error("load accepted a broken catalog")
			}
		})
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, time.February, 3, 14, 5, 0, 0, time.UTC)
	tests := []struct{ lang, date, dateTime string }{
		{"en", "3 Feb 2026", "3 Feb 2026 14:05"},
		{"fr", "3 févr. 2026", "3 févr. 2026 14:05"},
	}
	for _, tt := range tests {
		p := For(tt.lang)
		if got := p.Date(at); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.lang, got, tt.date)
		}
		if got := p.DateTime(at); got != tt.dateTime {
			t.Errorf("%s DateTime = %q, want %q", tt.lang, got, tt.dateTime)
		}
	}
	if For("fr").Date(time.Time{}) != "" {
		t.Error("the zero time is empty")
	}
}
