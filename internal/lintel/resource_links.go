package lintel

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// LinkAudience says which residents see a resource link.
type LinkAudience string

const (
	AudienceTenants  LinkAudience = "tenants"
	AudienceOwners   LinkAudience = "owners"
	AudienceEveryone LinkAudience = "everyone"
)

// LinkAudiences are the audiences in the order a manager is offered them.
var LinkAudiences = []LinkAudience{AudienceEveryone, AudienceTenants, AudienceOwners}

// Label is how the manager app names the audience.
func (a LinkAudience) Label() string {
	switch a {
	case AudienceTenants:
		return "Tenants"
	case AudienceOwners:
		return "Owners"
	}
	return "Tenants and owners"
}

// ResourceLink is a link a management company gives its residents on the
// help page: the building's rules, the bin calendar, an emergency number
// page.
type ResourceLink struct {
	ID        int64
	CompanyID int64
	Title     string
	URL       string
	Audience  LinkAudience
	Position  int
	CreatedAt time.Time
}

// Host is the site a link leads to, shown next to it so residents know
// they are leaving the portal.
func (l ResourceLink) Host() string {
	u, err := url.Parse(l.URL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// Limits of a resource link's fields.
const (
	MaxLinkTitle = 100
	MaxLinkURL   = 2000
)

// NormalizeResourceLink trims l's fields and checks them. Only http and
// https links are accepted: anything else (javascript:, data:, file:) could
// run script in the portal or reach the resident's own machine.
func NormalizeResourceLink(l ResourceLink) (ResourceLink, error) {
	fe := FieldErrors{}
	l.Title = strings.Join(strings.Fields(l.Title), " ")
	l.URL = strings.TrimSpace(l.URL)
	switch {
	case l.Title == "":
		fe.Add("title", "Give the link a title residents will understand, e.g. \"Building rules\".")
	case utf8.RuneCountInString(l.Title) > MaxLinkTitle:
		fe.Add("title", "Keep the title under 100 characters.")
	}
	if msg := checkLinkURL(l.URL); msg != "" {
		fe.Add("url", msg)
	}
	switch l.Audience {
	case AudienceTenants, AudienceOwners, AudienceEveryone:
	case "":
		l.Audience = AudienceEveryone
	default:
		fe.Add("audience", "Choose who sees the link: tenants, owners, or both.")
	}
	return l, fe.Err()
}

// checkLinkURL returns what is wrong with a link's address, or "".
func checkLinkURL(raw string) string {
	if raw == "" {
		return "Paste the address of the page, starting with https://."
	}
	if len(raw) > MaxLinkURL {
		return "This address is too long (2,000 characters at most)."
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(raw, " \t\r\n\\") {
		return "Give a full web address starting with https:// (or http://), e.g. https://example.com/rules.pdf."
	}
	return ""
}
