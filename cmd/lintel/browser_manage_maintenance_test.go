package main

// The manager's maintenance desk in a desktop headless Chromium, against
// the real binary's code path (run → serve) with a real SMTP server: a
// manager opens the list, filters it, opens a tenant's request and sends
// another operator with a time; the operator receives the task link, the
// tenants are told who is coming, and the first operator's link dies.
// Then the chain goes on as the seeds describe it: the operator opens the
// e-mailed link on a phone, marks the work complete and asks for another
// operator; the manager is told by e-mail, follows its link and sends the
// plumber; the tenant follows it all in the portal on a phone.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var taskLinkRE = regexp.MustCompile(`https?://\S+/t/[A-Za-z0-9_-]+`)

func TestBrowserManagerDispatches(t *testing.T) {
	smtp := testkit.SMTP(t)
	data := t.TempDir()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	db.Close()
	a := w.A

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base,
		"--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none"}, nil)

	m := &page{t, testkit.Browser(t)}
	m.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", a.Emails[testkit.Admin]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/manage/maintenance"]`)))
	m.see("1 new maintenance request to triage")

	m.do("open Maintenance", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/manage/maintenance"]`)), chromedp.WaitVisible(chromedp.CSS("table.desk-list")))
	m.see("Kitchen tap drips", "Bathroom fan is noisy", "Shower drain is slow", "Pipes Harbour", "Sparks Harbour")

	m.do("filter by property", chromedp.SetValue(chromedp.CSS("#f-property"), strconv.FormatInt(a.Property, 10)),
		testkit.ClickAndLoad(chromedp.CSS("form.filters button")), chromedp.WaitVisible(chromedp.CSS("table.desk-list")))
	m.see("Kitchen tap drips", "Bathroom fan is noisy")
	if body := m.text("main table"); strings.Contains(body, "Shower drain is slow") {
		t.Fatalf("the property filter still lists another property's request:\n%s", body)
	}
	m.do("search", fill("f-q", "kitchen"), testkit.ClickAndLoad(chromedp.CSS("form.filters button")), chromedp.WaitVisible(chromedp.CSS("table.desk-list")))
	if body := m.text("main table"); strings.Contains(body, "Bathroom fan is noisy") || !strings.Contains(body, "Kitchen tap drips") {
		t.Fatalf("searching for kitchen lists:\n%s", body)
	}

	m.do("open the request", testkit.ClickAndLoad(`//main//table//a[normalize-space()="Kitchen tap drips"]`), chromedp.WaitVisible(chromedp.CSS("#f-operator_id")))
	m.see("Pipes Harbour", "Link last opened: never", "Weekday mornings", "A friendly cat", "Reassign to another operator")

	m.do("send the electrician with a time", chromedp.SetValue(chromedp.CSS("#f-operator_id"), strconv.FormatInt(a.Operator2, 10)),
		setValue("f-date", "2030-05-06"), setValue("f-time", "09:30"), fill("f-note", "Ring the bell twice."),
		testkit.ClickAndLoad(chromedp.CSS(`form[action$="/assign"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("Operator assigned", "Visit 2: Sparks Harbour", "Mon 6 May 2030, 09:30", "Visit 1: Pipes Harbour", "Reassigned")

	// The operator's e-mail, as the real SMTP server received it.
	msg := smtp.WaitFor(t, "sparks@harbour.test", 30*time.Second)
	link := taskLinkRE.FindString(msg.TextBody)
	if link == "" || !strings.HasPrefix(link, base+"/t/") {
		t.Fatalf("the operator's e-mail has no task link on %s:\n%s", base, msg.TextBody)
	}
	for _, part := range []string{"Kitchen tap drips", "1 Harbour Road", "Apt 1", "Monday 6 May 2030 at 09:30", "Ring the bell twice."} {
		if !strings.Contains(msg.TextBody, part) {
			t.Errorf("the operator's e-mail lacks %q:\n%s", part, msg.TextBody)
		}
	}
	if !strings.Contains(msg.HTMLBody, strings.TrimPrefix(link, base)) {
		t.Errorf("the HTML part lacks the link:\n%s", msg.HTMLBody)
	}
	for _, who := range []testkit.Persona{testkit.Tenant, testkit.Cotenant} {
		tm := smtp.WaitFor(t, a.Emails[who], 30*time.Second)
		if !strings.Contains(tm.TextBody, "Sparks Harbour is booked for Monday 6 May 2030 at 09:30") || taskLinkRE.MatchString(tm.TextBody) {
			t.Errorf("%s was told:\n%s", who, tm.TextBody)
		}
	}

	// The new link opens the task; the first operator's no longer does.
	db, err = sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ContractorTask(ctx, auth.HashToken(link[strings.LastIndex(link, "/")+1:])); err != nil {
		t.Errorf("the e-mailed link does not open the task: %v", err)
	}
	if _, err := db.ContractorTask(ctx, auth.HashToken(a.VisitToken)); !sqldb.IsTaskLinkDead(err) {
		t.Errorf("the first operator's link after reassigning: %v, want dead", err)
	}

	// The electrician opens the e-mailed link on a phone, with no account,
	// and marks the work complete; a follow-up visit is needed.
	op := &page{t, testkit.Browser(t, testkit.Phone)}
	op.do("open the e-mailed link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#mark-complete")))
	op.see("Kitchen tap drips", "1 Harbour Road", "Ring the bell twice.", "A friendly cat")
	op.do("mark complete", testkit.ClickAndLoad(chromedp.CSS("#mark-complete")))
	op.see("Marked complete")
	op.do("ask for a follow-up", chromedp.Click(chromedp.CSS("#f-follow_up-other_operator")),
		fill("f-follow_up_reason", "The tap needs a plumber, not an electrician."),
		testkit.ClickAndLoad(chromedp.CSS("#follow-up button")))
	op.see("Follow-up requested")

	// The manager hears of both over the real SMTP server, follows the
	// link, and sends the plumber from the follow-up banner.
	completed := waitForSubject(t, smtp, a.Emails[testkit.Admin], "Work completed: Kitchen tap drips")
	followUp := waitForSubject(t, smtp, a.Emails[testkit.Admin], "Follow-up needed: Kitchen tap drips")
	if !strings.Contains(followUp.TextBody, "not an electrician") {
		t.Errorf("the follow-up e-mail lacks the reason:\n%s", followUp.TextBody)
	}
	requestLink := regexp.MustCompile(regexp.QuoteMeta(base) + `/manage/maintenance/\d+`).FindString(completed.TextBody)
	if requestLink == "" {
		t.Fatalf("the completion e-mail has no link to the request:\n%s", completed.TextBody)
	}
	m.do("open the request from the e-mail", chromedp.Navigate(requestLink), chromedp.WaitVisible(chromedp.CSS("#f-operator_id")))
	m.see("The tap needs a plumber, not an electrician.")
	m.do("send the plumber", chromedp.SetValue(chromedp.CSS("#f-operator_id"), strconv.FormatInt(a.Operator, 10)),
		testkit.ClickAndLoad(chromedp.CSS(`form[action$="/assign"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("Operator assigned", "Visit 3: Pipes Harbour")
	if msg := waitForSubject(t, smtp, "pipes@harbour.test", ""); !taskLinkRE.MatchString(msg.TextBody) {
		t.Errorf("the plumber's e-mail has no task link:\n%s", msg.TextBody)
	}

	// The tenant follows it all in the portal, on a phone.
	ten := &page{t, testkit.Browser(t, testkit.Phone)}
	ten.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", a.Emails[testkit.Tenant]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/maintenance"]`)))
	ten.do("open the request", chromedp.Navigate(fmt.Sprintf("%s/portal/maintenance/%d", base, a.Request)), chromedp.WaitVisible(chromedp.CSS("main")))
	ten.see("Kitchen tap drips", "Sparks Harbour", "Pipes Harbour", "Work completed")
	if body := ten.text("main"); strings.Contains(body, "not an electrician") {
		t.Error("the tenant sees the operator's reason meant for the manager")
	}
}

// waitForSubject waits for a message to to whose subject starts with
// prefix, as the real SMTP server received it.
func waitForSubject(t *testing.T, smtp *testkit.SMTPServer, to, prefix string) testkit.Received {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range smtp.To(to) {
			if strings.HasPrefix(m.Subject, prefix) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s with a subject starting %q within 30s", to, prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
