package lintel

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PropertyKind is what sort of building a property is.
type PropertyKind string

const (
	KindResidential  PropertyKind = "residential"
	KindSingleFamily PropertyKind = "single_family"
	KindCommercial   PropertyKind = "commercial"
	KindMixedUse     PropertyKind = "mixed_use"
)

// PropertyKinds lists the kinds in the order they are offered in forms.
var PropertyKinds = []PropertyKind{KindResidential, KindSingleFamily, KindCommercial, KindMixedUse}

// Valid reports whether k is a known kind.
func (k PropertyKind) Valid() bool {
	for _, x := range PropertyKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the kind as shown to people.
func (k PropertyKind) Label() string {
	switch k {
	case KindResidential:
		return "Residential (several units)"
	case KindSingleFamily:
		return "Single-family house"
	case KindCommercial:
		return "Commercial"
	case KindMixedUse:
		return "Mixed use"
	}
	return string(k)
}

// Property is a building or lot a company manages.
type Property struct {
	ID              int64
	CompanyID       int64
	Name            string
	Kind            PropertyKind
	AddressLine1    string
	AddressLine2    string
	City            string
	Region          string
	PostalCode      string
	Country         string
	Notes           string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ArchivedAt      time.Time // zero while in use
	UnitCount       int       // filled by lists and reads: active rentable units
	CommonAreaCount int       // filled by lists and reads: active common areas
	// ApprovalLimitMinor: work estimated below it goes ahead without asking
	// the owners; nil means the owners are always asked.
	ApprovalLimitMinor *int64
	// ManagementFeeBP is the company's fee, in basis points, on the owners'
	// share of rent collected on the property (1000 = 10%).
	ManagementFeeBP int
}

// Limits on what people type, generous enough for real addresses and short
// enough that a pasted novel does not end up in a list page.
const (
	maxNameLen  = 200
	maxLineLen  = 200
	maxShortLen = 100
	maxNotesLen = 10000
	maxLabelLen = 100
)

// Archived reports whether the property has been archived.
func (p Property) Archived() bool { return !p.ArchivedAt.IsZero() }

// Address is the postal address on one line, skipping empty parts.
func (p Property) Address() string {
	var parts []string
	for _, s := range []string{p.AddressLine1, p.AddressLine2, strings.TrimSpace(p.City + " " + p.PostalCode), p.Region, p.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// Normalize trims what was typed. Validate expects normalized input.
func (p *Property) Normalize() {
	for _, s := range []*string{&p.Name, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode, &p.Country} {
		*s = strings.Join(strings.Fields(*s), " ")
	}
	p.Notes = strings.TrimSpace(p.Notes)
	if p.Kind == "" {
		p.Kind = KindResidential
	}
}

// Validate returns a message per field that cannot be stored as typed. The
// keys are the form's field names.
func (p Property) Validate() FieldErrors {
	fe := FieldErrors{}
	switch {
	case p.Name == "":
		fe.Add("name", "Enter a name, e.g. the street address or the building's name.")
	case utf8.RuneCountInString(p.Name) > maxNameLen:
		fe.Add("name", fmt.Sprintf("Use at most %d characters.", maxNameLen))
	}
	if !p.Kind.Valid() {
		fe.Add("kind", "Choose one of the listed kinds.")
	}
	checkLen(fe, "address_line1", p.AddressLine1, maxLineLen)
	checkLen(fe, "address_line2", p.AddressLine2, maxLineLen)
	checkLen(fe, "city", p.City, maxShortLen)
	checkLen(fe, "region", p.Region, maxShortLen)
	checkLen(fe, "postal_code", p.PostalCode, 20)
	checkLen(fe, "country", p.Country, maxShortLen)
	checkLen(fe, "notes", p.Notes, maxNotesLen)
	if p.ApprovalLimitMinor != nil && *p.ApprovalLimitMinor < 0 {
		fe.Add("approval_limit", "Enter zero or more, or leave it empty to always ask the owners.")
	}
	if p.ManagementFeeBP < 0 || p.ManagementFeeBP > ShareBPMax {
		fe.Add("management_fee", "Enter a percentage from 0 to 100, e.g. 8 or 7.5.")
	}
	return fe
}

func checkLen(fe FieldErrors, field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		fe.Add(field, fmt.Sprintf("Use at most %d characters.", n))
	}
}

// Unit is a rentable space of a property, or a common area ("Laundry room").
type Unit struct {
	ID            int64
	CompanyID     int64
	PropertyID    int64
	PropertyName  string // filled by reads
	Label         string
	CommonArea    bool
	Bedrooms      *int
	BathroomsHalf *int // in half bathrooms: 3 means 1.5
	AreaSqft      *int
	Notes         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ArchivedAt    time.Time
	Occupied      bool // filled by reads: a lease covers today
	PropertyGone  bool // filled by reads: the property is archived
}

// Archived reports whether the unit has been archived.
func (u Unit) Archived() bool { return !u.ArchivedAt.IsZero() }

// Bathrooms formats the bathroom count for people and forms: "1", "1.5", "".
func (u Unit) Bathrooms() string {
	if u.BathroomsHalf == nil {
		return ""
	}
	return FormatBathrooms(*u.BathroomsHalf)
}

// BedroomsText is the bedroom count for people, "" when not recorded.
func (u Unit) BedroomsText() string {
	if u.Bedrooms == nil {
		return ""
	}
	return strconv.Itoa(*u.Bedrooms)
}

// AreaText is the floor area for people, e.g. "850 sq ft", "" when not
// recorded.
func (u Unit) AreaText() string {
	if u.AreaSqft == nil {
		return ""
	}
	return strconv.Itoa(*u.AreaSqft) + " sq ft"
}

// FormatBathrooms turns half bathrooms into "2" or "1.5".
func FormatBathrooms(halves int) string {
	s := strconv.Itoa(halves / 2)
	if halves%2 != 0 {
		s += ".5"
	}
	return s
}

// ParseBathrooms reads a bathroom count in whole or half bathrooms ("2",
// "1.5", "1,5") and returns it in half bathrooms.
func ParseBathrooms(s string) (int, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		frac = strings.TrimRight(frac, "0")
	}
	n, err := strconv.Atoi(whole)
	if whole == "" || err != nil || n < 0 || n > 50 || (frac != "" && frac != "5") {
		return 0, fmt.Errorf("enter a number of bathrooms such as 1 or 1.5")
	}
	h := n * 2
	if frac == "5" {
		h++
	}
	return h, nil
}

// Normalize trims what was typed.
func (u *Unit) Normalize() {
	u.Label = strings.Join(strings.Fields(u.Label), " ")
	u.Notes = strings.TrimSpace(u.Notes)
}

// Validate returns a message per field that cannot be stored as typed.
func (u Unit) Validate() FieldErrors {
	fe := FieldErrors{}
	switch {
	case u.Label == "":
		fe.Add("label", "Enter the unit's name or number, e.g. \"Apt 2B\" or \"Laundry room\".")
	case utf8.RuneCountInString(u.Label) > maxLabelLen:
		fe.Add("label", fmt.Sprintf("Use at most %d characters.", maxLabelLen))
	}
	if u.Bedrooms != nil && (*u.Bedrooms < 0 || *u.Bedrooms > 50) {
		fe.Add("bedrooms", "Enter a whole number of bedrooms from 0 to 50.")
	}
	if u.BathroomsHalf != nil && (*u.BathroomsHalf < 0 || *u.BathroomsHalf > 100) {
		fe.Add("bathrooms", "Enter a number of bathrooms from 0 to 50.")
	}
	if u.AreaSqft != nil && (*u.AreaSqft <= 0 || *u.AreaSqft > 10_000_000) {
		fe.Add("area_sqft", "Enter the area in square feet as a whole number, or leave it empty.")
	}
	checkLen(fe, "notes", u.Notes, maxNotesLen)
	return fe
}

// Ownership says an owner contact owns a property (UnitID 0) or one unit,
// with a share in basis points (10000 = 100%).
type Ownership struct {
	ID           int64
	CompanyID    int64
	ContactID    int64
	ContactName  string // filled by lists
	PropertyID   int64
	PropertyName string // filled by lists
	UnitID       int64  // 0: the whole property
	UnitLabel    string // filled by lists
	ShareBP      int
	Start, End   Date
	CreatedAt    time.Time
	ArchivedAt   time.Time
}

// ShareBPMax is 100% in basis points.
const ShareBPMax = 10000

// Share formats the ownership's share as a percentage, e.g. "33.33%".
func (o Ownership) Share() string { return FormatShare(o.ShareBP) + "%" }

// CurrentOn reports whether the ownership holds on day today: not archived
// and not ended before it.
func (o Ownership) CurrentOn(today Date) bool {
	return o.ArchivedAt.IsZero() && (o.End.IsZero() || !o.End.Before(today))
}

// Validate checks the ownership's own fields; the store checks the contact,
// the asset and the shares of the other owners.
func (o Ownership) Validate() FieldErrors {
	fe := FieldErrors{}
	if o.ContactID <= 0 {
		fe.Add("contact_id", "Choose the owner.")
	}
	if o.PropertyID <= 0 {
		fe.Add("asset", "Choose the property or one of its units.")
	}
	if o.ShareBP <= 0 || o.ShareBP > ShareBPMax {
		fe.Add("share", "Enter a share above 0 and at most 100, e.g. 50 or 33.33.")
	}
	if !o.Start.IsZero() && !o.End.IsZero() && o.End.Before(o.Start) {
		fe.Add("end", "The end date must be on or after the start date.")
	}
	return fe
}

// ParseShare reads a percentage as people type it ("50", "33.33", "12.5%")
// into basis points. More than two decimals is refused rather than rounded:
// the shares of several owners must add up exactly.
func ParseShare(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.ReplaceAll(s, ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if s == "" || (whole == "" && frac == "") {
		return 0, fmt.Errorf("enter the share as a percentage, e.g. 50 or 33.33")
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("use at most two decimal places, e.g. 33.33")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 3 {
		return 0, fmt.Errorf("a share is at most 100")
	}
	n, err := strconv.Atoi(whole + frac)
	if err != nil || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("enter the share as a percentage, e.g. 50 or 33.33")
	}
	if n <= 0 || n > ShareBPMax {
		return 0, fmt.Errorf("enter a share above 0 and at most 100")
	}
	return n, nil
}

// FormatShare formats basis points as a percentage without the sign:
// 5000 → "50", 3333 → "33.33", 1250 → "12.5".
func FormatShare(bp int) string {
	s := strconv.Itoa(bp / 100)
	if f := bp % 100; f != 0 {
		if f < 0 {
			f = -f
		}
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s
}
