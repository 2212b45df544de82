package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Form carries what a person typed and the messages for each field, so a
// refused form comes back with their input kept and errors beside fields.
type Form struct {
	Values url.Values
	Errors lintel.FieldErrors
}

// NewForm returns an empty form.
func NewForm() Form { return Form{Values: url.Values{}, Errors: lintel.FieldErrors{}} }

// formFrom reads a submitted form, limited to 1 MiB (uploads use their own
// limits). A form holding text that cannot be stored is refused here, for
// every handler at once, with the form's errors set as well.
func formFrom(w http.ResponseWriter, r *http.Request) (Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return Form{}, &lintel.Error{Kind: lintel.KindInvalid, Message: "The form could not be read. It may be too large; please try again.", Err: err}
	}
	f := Form{Values: r.PostForm, Errors: lintel.FieldErrors{}}
	if err := checkText(r.PostForm, multilineFields, f.Errors); err != nil {
		return f, err
	}
	return f, nil
}

// multilineFields are the form fields shown as a textarea, the only ones
// where a tab or a line break is part of what was typed. Passwords are
// hashed, never stored as text, so a tab in one is kept as typed.
// TestMultilineFieldsMatchTemplates keeps this list in step with the
// templates.
var multilineFields = map[string]bool{
	"address": true, "comment": true, "description": true, "follow_up_reason": true,
	"manager_notes": true, "note": true, "notes": true, "options": true,
	"staff_notes": true, "tenant_notes": true, "unable_reason": true,
	"password": true, "current_password": true, "new_password": true, "email_password": true,
}

// checkText refuses names and values that cannot be stored as text
// (SECURITY.md 34): bytes that are not UTF-8, NUL and other control
// characters, and tabs or line breaks outside multi-line fields. It adds a
// message for each bad field to errs and returns a 422 error naming them.
func checkText(v url.Values, multiline map[string]bool, errs lintel.FieldErrors) error {
	var bad []string
	for name, vals := range v {
		msg := lintel.TextProblem(name, false)
		for _, val := range vals {
			if msg != "" {
				break
			}
			msg = lintel.TextProblem(val, multiline[name])
		}
		if msg == "" {
			continue
		}
		if lintel.TextProblem(name, false) != "" {
			name = "form" // a broken name cannot be shown back either
		}
		errs.Add(name, msg)
		bad = append(bad, name)
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return &lintel.Error{Kind: lintel.KindInvalid, Fields: errs,
		Message: "“" + strings.Join(bad, "”, “") + "”: " + errs[bad[0]]}
}

// Get returns the trimmed value of a field.
func (f Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Set sets a field's value (to prefill an edit form).
func (f Form) Set(name, value string) { f.Values.Set(name, value) }

// Checked reports whether a checkbox was ticked.
func (f Form) Checked(name string) bool {
	v := f.Values.Get(name)
	return v == "on" || v == "1" || v == "true" || v == "yes"
}

// Required records a message when a field is empty and returns its value.
func (f Form) Required(name, msg string) string {
	v := f.Get(name)
	if v == "" {
		f.Errors.Add(name, msg)
	}
	return v
}

// MaxLen records a message when a field is longer than n characters.
func (f Form) MaxLen(name string, n int) {
	if len([]rune(f.Get(name))) > n {
		f.Errors.Add(name, "Use at most "+strconv.Itoa(n)+" characters.")
	}
}

// Int parses an optional whole number; empty gives nil.
func (f Form) Int(name string, min, max int) *int {
	v := f.Get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		f.Errors.Add(name, "Enter a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+".")
		return nil
	}
	return &n
}

// Date parses an optional date; empty gives the zero date.
func (f Form) Date(name string) lintel.Date {
	v := f.Get(name)
	if v == "" {
		return lintel.Date{}
	}
	d, err := lintel.ParseDate(v)
	if err != nil {
		f.Errors.Add(name, "Enter a date like 2026-03-01.")
	}
	return d
}

// Money parses an amount in the company's currency into minor units.
func (f Form) Money(name, currency string, required bool) int64 {
	v := f.Get(name)
	if v == "" {
		if required {
			f.Errors.Add(name, "Enter an amount, e.g. 1250.00.")
		}
		return 0
	}
	m, err := lintel.ParseMoney(v, currency)
	if err != nil {
		f.Errors.Add(name, "Amount: "+err.Error()+".")
	}
	return m
}

// ID parses an id field (hidden field or select). The id is only a
// request: the store re-checks it against the actor's scope.
func (f Form) ID(name string) int64 {
	n, _ := strconv.ParseInt(f.Get(name), 10, 64)
	return n
}

// Merge adds the field messages carried by err (from the store's own
// validation) and reports whether err was a validation error.
func (f Form) Merge(err error) bool {
	fe := lintel.FieldsOf(err)
	for k, v := range fe {
		f.Errors.Add(k, v)
	}
	return len(fe) > 0
}

// Field is what the field partial renders: a label, an input, an optional
// hint and the error message, wired together for screen readers.
type Field struct {
	Name, Label, Type, Value, Error, Hint  string
	Required                               bool
	Autocomplete                           string
	Options                                []Option
	Placeholder, Min, Max, Step, InputMode string
}

// Option is one choice of a select.
type Option struct{ Value, Label string }

// OptionsHTML is the select's options, the field's value selected. A list
// filter offers every property and operator of the company: written out
// here, escaped as the template would escape them, they cost one template
// action instead of five for each option, which was a large part of a
// list page's rendering.
func (f Field) OptionsHTML() template.HTML {
	var b strings.Builder
	for _, o := range f.Options {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Value))
		b.WriteString(`"`)
		if o.Value == f.Value {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		b.WriteString(template.HTMLEscapeString(o.Label))
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String())
}

// newField builds a Field for the template: {{template "field" (field .Form "name" "Label" "text")}}.
// Extra arguments are key=value strings (required, hint=..., autocomplete=...,
// placeholder=..., min=..., max=..., step=..., inputmode=...) or a []Option.
func newField(f Form, name, label, typ string, extra ...any) Field {
	fd := Field{Name: name, Label: label, Type: typ, Value: f.Values.Get(name), Error: f.Errors[name]}
	for _, e := range extra {
		switch v := e.(type) {
		case []Option:
			fd.Options = v
		case string:
			k, val, _ := strings.Cut(v, "=")
			switch k {
			case "required":
				fd.Required = true
			case "hint":
				fd.Hint = val
			case "autocomplete":
				fd.Autocomplete = val
			case "placeholder":
				fd.Placeholder = val
			case "min":
				fd.Min = val
			case "max":
				fd.Max = val
			case "step":
				fd.Step = val
			case "inputmode":
				fd.InputMode = val
			}
		}
	}
	return fd
}
