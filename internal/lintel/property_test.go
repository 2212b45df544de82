package lintel

import (
	"strings"
	"testing"
)

func intp(n int) *int { return &n }

func TestPropertyValidate(t *testing.T) {
	ok := Property{Name: "12 Elm Street", Kind: KindResidential}
	tests := []struct {
		name  string
		edit  func(p *Property)
		field string // "" means valid
	}{
		{"valid", func(p *Property) {}, ""},
		{"missing name", func(p *Property) { p.Name = "" }, "name"},
		{"name too long", func(p *Property) { p.Name = strings.Repeat("é", maxNameLen+1) }, "name"},
		{"name at limit", func(p *Property) { p.Name = strings.Repeat("é", maxNameLen) }, ""},
		{"unknown kind", func(p *Property) { p.Kind = "castle" }, "kind"},
		{"long city", func(p *Property) { p.City = strings.Repeat("x", maxShortLen+1) }, "city"},
		{"long postal code", func(p *Property) { p.PostalCode = strings.Repeat("1", 21) }, "postal_code"},
		{"long notes", func(p *Property) { p.Notes = strings.Repeat("x", maxNotesLen+1) }, "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			fe := p.Validate()
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if fe[tt.field] == "" || len(fe) != 1 {
				t.Fatalf("want one message for %q, got %v", tt.field, fe)
			}
		})
	}
}

func TestPropertyNormalize(t *testing.T) {
	p := Property{Name: "  12   Elm  St ", City: " Springfield ", Notes: "\n note \n"}
	p.Normalize()
	if p.Name != "12 Elm St" || p.City != "Springfield" || p.Notes != "note" || p.Kind != KindResidential {
		t.Fatalf("normalized to %+v", p)
	}
	if got, want := (Property{AddressLine1: "12 Elm St", City: "Springfield", PostalCode: "12345", Country: "US"}).Address(), "12 Elm St, Springfield 12345, US"; got != want {
		t.Errorf("Address() = %q, want %q", got, want)
	}
}

func TestUnitValidate(t *testing.T) {
	tests := []struct {
		name  string
		unit  Unit
		field string
	}{
		{"valid minimal", Unit{Label: "1A"}, ""},
		{"valid full", Unit{Label: "1A", Bedrooms: intp(2), BathroomsHalf: intp(3), AreaSqft: intp(850)}, ""},
		{"common area", Unit{Label: "Laundry room", CommonArea: true}, ""},
		{"studio has 0 bedrooms", Unit{Label: "S", Bedrooms: intp(0)}, ""},
		{"missing label", Unit{}, "label"},
		{"long label", Unit{Label: strings.Repeat("x", maxLabelLen+1)}, "label"},
		{"negative bedrooms", Unit{Label: "1A", Bedrooms: intp(-1)}, "bedrooms"},
		{"too many bedrooms", Unit{Label: "1A", Bedrooms: intp(51)}, "bedrooms"},
		{"negative bathrooms", Unit{Label: "1A", BathroomsHalf: intp(-1)}, "bathrooms"},
		{"zero area", Unit{Label: "1A", AreaSqft: intp(0)}, "area_sqft"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := tt.unit.Validate()
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if fe[tt.field] == "" || len(fe) != 1 {
				t.Fatalf("want one message for %q, got %v", tt.field, fe)
			}
		})
	}
}

func TestParseBathrooms(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 2, true}, {"1.5", 3, true}, {"1,5", 3, true}, {"0", 0, true}, {"2.50", 5, true}, {"2.0", 4, true},
		{"1.25", 0, false}, {"-1", 0, false}, {"", 0, false}, {"one", 0, false}, {".5", 0, false}, {"51", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseBathrooms(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseBathrooms(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok {
			if back, _ := ParseBathrooms(FormatBathrooms(got)); back != got {
				t.Errorf("FormatBathrooms(%d) = %q does not parse back", got, FormatBathrooms(got))
			}
		}
	}
}

func TestParseShare(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"50", 5000, true}, {"33.33", 3333, true}, {"12.5", 1250, true}, {"12.5%", 1250, true}, {" 100 ", 10000, true},
		{"0.01", 1, true}, {".5", 50, true}, {"33,33", 3333, true}, {"100.00", 10000, true},
		{"0", 0, false}, {"100.01", 0, false}, {"101", 0, false}, {"33.333", 0, false}, {"-5", 0, false},
		{"+5", 0, false}, {"", 0, false}, {"%", 0, false}, {"half", 0, false}, {"1e2", 0, false}, {"1000", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseShare(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseShare(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatShare(t *testing.T) {
	for bp, want := range map[int]string{10000: "100", 5000: "50", 3333: "33.33", 1250: "12.5", 1: "0.01", 3340: "33.4"} {
		if got := FormatShare(bp); got != want {
			t.Errorf("FormatShare(%d) = %q, want %q", bp, got, want)
		}
		if back, err := ParseShare(FormatShare(bp)); err != nil || back != bp {
			t.Errorf("ParseShare(FormatShare(%d)) = %d, %v", bp, back, err)
		}
	}
}

func TestOwnershipValidate(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	ok := Ownership{ContactID: 1, PropertyID: 2, ShareBP: 5000}
	tests := []struct {
		name  string
		edit  func(o *Ownership)
		field string
	}{
		{"valid", func(o *Ownership) {}, ""},
		{"valid unit with dates", func(o *Ownership) { o.UnitID = 3; o.Start, o.End = d("2026-01-01"), d("2026-01-01") }, ""},
		{"no owner", func(o *Ownership) { o.ContactID = 0 }, "contact_id"},
		{"no property", func(o *Ownership) { o.PropertyID = 0 }, "asset"},
		{"zero share", func(o *Ownership) { o.ShareBP = 0 }, "share"},
		{"over 100%", func(o *Ownership) { o.ShareBP = 10001 }, "share"},
		{"ends before it starts", func(o *Ownership) { o.Start, o.End = d("2026-02-01"), d("2026-01-31") }, "end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			fe := o.Validate()
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if fe[tt.field] == "" || len(fe) != 1 {
				t.Fatalf("want one message for %q, got %v", tt.field, fe)
			}
		})
	}
	today := d("2026-03-01")
	if !(Ownership{End: d("2026-03-01")}).CurrentOn(today) || (Ownership{End: d("2026-02-28")}).CurrentOn(today) {
		t.Error("CurrentOn: an ownership ending today still holds today, one that ended yesterday does not")
	}
}
