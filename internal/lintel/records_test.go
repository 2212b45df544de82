package lintel

import (
	"strings"
	"testing"
)

func TestCompanyValidate(t *testing.T) {
	ok := Company{Name: "Harbour Lettings", Currency: "USD"}
	tests := []struct {
		name  string
		edit  func(c *Company)
		field string // "" means valid
	}{
		{"valid, no contact details", func(c *Company) {}, ""},
		{"valid, all details", func(c *Company) {
			c.Email, c.Phone, c.Address = "office@harbour.example", "+1 555 010 0100", "18 Wharf Road\nPortside 90210"
		}, ""},
		{"missing name", func(c *Company) { c.Name = "" }, "name"},
		{"name too long", func(c *Company) { c.Name = strings.Repeat("é", maxNameLen+1) }, "name"},
		{"missing currency", func(c *Company) { c.Currency = "" }, "currency"},
		{"currency too long", func(c *Company) { c.Currency = "EURO" }, "currency"},
		{"currency not letters", func(c *Company) { c.Currency = "U$D" }, "currency"},
		{"bad e-mail", func(c *Company) { c.Email = "office at harbour" }, "email"},
		{"e-mail with a display name", func(c *Company) { c.Email = "Office <office@harbour.example>" }, "email"},
		{"phone with letters", func(c *Company) { c.Phone = "call us" }, "phone"},
		{"address too long", func(c *Company) { c.Address = strings.Repeat("x", maxCompanyAddressLen+1) }, "address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			fe := c.Validate()
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("Validate() = %v, want no errors", fe)
				}
				return
			}
			if fe[tt.field] == "" || len(fe) != 1 {
				t.Fatalf("Validate() = %v, want one message for %q", fe, tt.field)
			}
		})
	}
}

func TestCompanyNormalize(t *testing.T) {
	c := Company{
		Name: "  Harbour   Lettings ", Currency: " eur ", Email: " Office@Harbour.Example ", Phone: " +1  555 010 ",
		Address: "  18 Wharf Road \r\n\r\n   Portside  90210\n ",
	}
	c.Normalize()
	want := Company{Name: "Harbour Lettings", Currency: "EUR", Email: "office@harbour.example", Phone: "+1 555 010", Address: "18 Wharf Road\nPortside 90210"}
	if c != want {
		t.Errorf("Normalize() = %+v, want %+v", c, want)
	}
	if fe := c.Validate(); len(fe) != 0 {
		t.Errorf("normalized company does not validate: %v", fe)
	}
}
