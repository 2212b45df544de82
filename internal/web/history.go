package web

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// historyLimit is how many changes a record page lists: enough to answer
// "who changed this lately", few enough to stay one cheap query.
const historyLimit = 20

// historyEntry is one line of a record's History: who did what, when.
type historyEntry struct {
	What   string // "Lease created"
	Detail string // "from 1 March 2026", or ""
	Who    string
	When   time.Time
}

// history is what the History partial renders.
type history struct {
	Entries []historyEntry
	More    bool // the list stops at historyLimit; older changes exist or may
}

// recordHistory reads the latest audit events of one of the staff
// member's company's objects, in one query, newest first. objectType is
// the audit object type the store writes ("property", "unit", "contact",
// "lease").
func (s *Server) recordHistory(r *http.Request, objectType string, id int64) (history, error) {
	events, err := s.db.AuditLog(r.Context(), staffOf(r), objectType, id, historyLimit)
	if err != nil {
		return history{}, err
	}
	h := history{Entries: make([]historyEntry, 0, len(events)), More: len(events) == historyLimit}
	for _, e := range events {
		who := e.Actor
		if who == "" {
			who = "Lintel"
		}
		h.Entries = append(h.Entries, historyEntry{What: actionLabel(e.Action), Detail: actionDetail(e.Action, e.Detail), Who: who, When: e.CreatedAt})
	}
	return h, nil
}

// actionLabels names the audit actions the store writes in plain words.
var actionLabels = map[string]string{
	"company.create":        "Company created",
	"company.update":        "Company settings changed",
	"property.create":       "Property added",
	"property.update":       "Property details changed",
	"property.archive":      "Property archived",
	"property.unarchive":    "Property restored",
	"unit.create":           "Unit added",
	"unit.update":           "Unit details changed",
	"unit.archive":          "Unit archived",
	"unit.unarchive":        "Unit restored",
	"contact.create":        "Contact added",
	"contact.update":        "Contact details changed",
	"contact.archive":       "Contact archived",
	"contact.unarchive":     "Contact restored",
	"contact.portal_invite": "Invited to the resident portal",
	"contact.email_change":  "E-mail changed by the resident",
	"lease.create":          "Lease created",
	"lease.update":          "Lease terms changed",
	"lease.tenant_add":      "Tenant added",
	"lease.tenant_remove":   "Tenant removed",
	"lease.end":             "Lease ended",
	"lease.archive":         "Lease archived",
	"ownership.create":      "Owner added",
	"ownership.archive":     "Owner removed",
	"staff.invite":          "Staff member invited",
	"staff.invite_revoke":   "Staff invitation cancelled",
	"staff.join":            "Joined as staff",
	"staff.role":            "Staff role changed",
	"staff.disable":         "Staff access turned off",
	"staff.enable":          "Staff access turned back on",

	"category.create":      "Maintenance category added",
	"category.rename":      "Maintenance category renamed",
	"category.archive":     "Maintenance category archived",
	"category.unarchive":   "Maintenance category restored",
	"question.create":      "Troubleshooting question added",
	"question.update":      "Troubleshooting question changed",
	"question.remove":      "Troubleshooting question removed",
	"request.create":       "Maintenance request entered",
	"request.edit":         "Maintenance request changed",
	"request.status":       "Maintenance request status changed",
	"request.assign":       "Operator assigned",
	"request.photos":       "Photos added by staff",
	"visit.opened":         "Task link opened",
	"visit.schedule":       "Visit scheduled",
	"visit.complete":       "Visit marked complete",
	"visit.unable":         "Operator unable to complete",
	"visit.follow_up":      "Follow-up requested",
	"visit.invoice":        "Invoice saved",
	"visit.photos":         "Photos added",
	"visit.resend_link":    "Task link sent again",
	"visit.revoke_link":    "Task link revoked",
	"approval.request":     "Owner approval asked",
	"approval.under_limit": "Approved under the property's limit",
	"approval.approve":     "Approved by the owner",
	"approval.decline":     "Declined by the owner",
	"approval.withdraw":    "Approval request withdrawn",
}

// actionLabel turns an audit action into words. An action with no label
// yet still reads as words ("visit.reschedule" → "Visit reschedule")
// rather than as code, so a new action never shows up raw.
func actionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	s := strings.TrimSpace(strings.NewReplacer(".", " ", "_", " ").Replace(action))
	if s == "" {
		return "Changed"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// contactSuffix is the " (contact 42)" the store appends to tenant changes
// so the log stays unambiguous; people read the name.
var contactSuffix = regexp.MustCompile(` \(contact \d+\)$`)

// actionDetail makes an audit event's detail readable where the store
// writes it for machines (dates, ids); other details show as written.
func actionDetail(action, detail string) string {
	detail = strings.TrimSpace(detail)
	if detail == "" {
		return ""
	}
	switch action {
	case "lease.create":
		return "from " + longDate(detail)
	case "lease.update":
		// The detail is the start date whether or not it changed: it says
		// nothing about what did.
		return ""
	case "lease.end":
		return "last day " + longDate(detail)
	case "lease.tenant_add", "lease.tenant_remove":
		return contactSuffix.ReplaceAllString(detail, "")
	case "contact.portal_invite":
		return "sent to " + detail
	case "company.update":
		return "changed " + detail
	}
	return detail
}

// longDate formats a stored date ("2026-03-01") for people, or leaves
// anything else as it is.
func longDate(s string) string {
	d, err := lintel.ParseDate(s)
	if err != nil {
		return s
	}
	return d.Long()
}
