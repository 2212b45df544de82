package approvals

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

func testNotice(reminder int) sqldb.ApprovalNotice {
	return sqldb.ApprovalNotice{
		CompanyName: "Harbour Lettings", CompanyPhone: "+1 555 0100", Currency: "USD",
		Request: lintel.Request{ID: 7, Summary: "Boiler <leaks>", PropertyName: "Elm Court", UnitID: 3, UnitLabel: "Flat 2",
			Description: "Water under the boiler."},
		Approval: lintel.Approval{ID: 42, EstimateMinor: 125000, Notes: "New valve & labour."},
		Owner:    sqldb.ApprovalOwner{ContactID: 9, Name: "Ada\r\nBcc: eve@example.com", Email: "ada@example.com"},
		Reminder: reminder, HasQuote: true,
	}
}

func TestOwnerMail(t *testing.T) {
	base, _ := url.Parse("https://lintel.example")
	m := Mailer{BaseURL: base, Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}
	first, err := m.OwnerMail(testNotice(0))
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.OwnerMail(testNotice(0))
	if err != nil {
		t.Fatal(err)
	}
	reminder, err := m.OwnerMail(testNotice(2))
	if err != nil {
		t.Fatal(err)
	}

	e := first.Email
	if e.To != "ada@example.com" || e.Kind != "approval_request" || e.DedupeKey != "approval_request:42:9" {
		t.Errorf("envelope: %+v", e)
	}
	if strings.ContainsAny(e.Subject, "\r\n") || e.Subject != "Your approval is needed: Boiler <leaks> at Elm Court, Flat 2" {
		t.Errorf("subject = %q", e.Subject)
	}
	// The link carries a raw token whose hash is what the store keeps.
	i := strings.Index(e.Text, "https://lintel.example/a/")
	if i < 0 {
		t.Fatalf("no one-click link in:\n%s", e.Text)
	}
	raw := strings.Fields(e.Text[i+len("https://lintel.example/a/"):])[0]
	if auth.HashToken(raw) != first.TokenHash || strings.Contains(e.Text, first.TokenHash) {
		t.Error("the link's token does not match the stored hash, or the hash was mailed")
	}
	for _, want := range []string{"$1,250.00", "New valve & labour.", "Water under the boiler.", "A quote document is attached",
		"https://lintel.example/portal/approvals/42", "until 15 Mar 2026", "+1 555 0100"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Text)
		}
	}
	if !strings.Contains(e.HTML, "Boiler &lt;leaks&gt;") || strings.Contains(e.HTML, "<leaks>") {
		t.Error("the HTML body does not escape the summary")
	}
	if again.TokenHash == first.TokenHash {
		t.Error("two messages share a link")
	}
	if reminder.Email.DedupeKey != "approval_reminder:42:2:9" || !strings.HasPrefix(reminder.Email.Subject, "Reminder: ") ||
		!strings.Contains(reminder.Email.Text, "reminder 2 of 3") {
		t.Errorf("reminder: %q %q", reminder.Email.DedupeKey, reminder.Email.Subject)
	}
}

func TestDecisionMails(t *testing.T) {
	base, _ := url.Parse("https://lintel.example")
	n := sqldb.DecisionNotice{CompanyName: "Harbour Lettings", Currency: "USD",
		Request:  lintel.Request{ID: 7, Summary: "Boiler leaks", PropertyName: "Elm Court"},
		Approval: lintel.Approval{ID: 42, EstimateMinor: 9900, Status: lintel.ApprovalDeclined, DecidedByName: "Ada", DecisionComment: "Too dear."},
		Staff:    []sqldb.Recipient{{Email: "sam@harbour.test", Name: "Sam"}, {Email: "kim@harbour.test", Name: "Kim"}}}
	ms, err := Mailer{BaseURL: base}.DecisionMails(n)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].DedupeKey == ms[1].DedupeKey {
		t.Fatalf("messages: %+v", ms)
	}
	m := ms[0]
	if m.Subject != "Declined by the owner: Boiler leaks at Elm Court (the whole property)" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, want := range []string{"Hello Sam", "Ada declined the estimate of $99.00", "Too dear.", "ask again", "https://lintel.example/manage/maintenance/7"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
}
