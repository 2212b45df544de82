// Package mail composes Lintel's e-mails from templates and delivers the
// outbox through SMTP. Every message has a plain-text and an HTML body.
package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// Composed is a rendered message, ready for lintel.Email.
type Composed struct {
	Subject string
	Text    string
	HTML    string
}

// Compose renders the message named name (templates/<name>.tmpl) with
// data. Each template file defines three blocks: "subject" and "text" (plain
// text) and "html" (escaped as HTML, wrapped in the shared layout).
func Compose(name string, data any) (Composed, error) {
	file := "templates/" + name + ".tmpl"
	src, err := templateFiles.ReadFile(file)
	if err != nil {
		return Composed{}, fmt.Errorf("no e-mail template %q", name)
	}
	tt, err := texttemplate.New(name).Parse(string(src))
	if err != nil {
		return Composed{}, fmt.Errorf("e-mail template %s: %w", name, err)
	}
	var subject, text bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Composed{}, fmt.Errorf("e-mail %s subject: %w", name, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", data); err != nil {
		return Composed{}, fmt.Errorf("e-mail %s text: %w", name, err)
	}
	ht, err := htmltemplate.New("layout").ParseFS(templateFiles, "templates/layout.html.tmpl", file)
	if err != nil {
		return Composed{}, fmt.Errorf("e-mail template %s: %w", name, err)
	}
	var html bytes.Buffer
	if err := ht.ExecuteTemplate(&html, "layout", data); err != nil {
		return Composed{}, fmt.Errorf("e-mail %s html: %w", name, err)
	}
	// A subject is one line: a name with a newline must not break headers.
	s := strings.Join(strings.Fields(subject.String()), " ")
	return Composed{Subject: s, Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}
