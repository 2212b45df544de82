package sqldb_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// approvalMail is a compose callback that records the raw one-click token
// sent to each owner (by contact id), as the e-mail would carry it.
type approvalMail struct {
	mu     sync.Mutex
	tokens map[int64]string
	sent   []sqldb.ApprovalNotice
}

func newApprovalMail() *approvalMail { return &approvalMail{tokens: map[int64]string{}} }

func (m *approvalMail) compose(n sqldb.ApprovalNotice) (sqldb.OwnerMail, error) {
	raw, hash := auth.NewToken()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[n.Owner.ContactID] = raw
	m.sent = append(m.sent, n)
	key := "test-approval:" + hash
	return sqldb.OwnerMail{TokenHash: hash, Email: lintel.Email{DedupeKey: key, Kind: "approval_request", To: n.Owner.Email,
		Subject: "Approve " + n.Request.Summary, Text: "link"}}, nil
}

func ownerNames(os []sqldb.ApprovalOwner) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}

// plumbingAnswers answers every plumbing question of the company.
func plumbingAnswers(t *testing.T, db *sqldb.DB, c *testkit.Company) map[int64]string {
	t.Helper()
	cats, err := db.Categories(context.Background(), c.Staff[testkit.Admin])
	if err != nil {
		t.Fatal(err)
	}
	answers := map[int64]string{}
	for _, cat := range cats {
		if cat.ID != c.Plumbing {
			continue
		}
		for _, q := range cat.Questions {
			answers[q.ID] = "Kitchen"
			if q.Kind == lintel.QuestionYesNo {
				answers[q.ID] = "no"
			}
		}
	}
	return answers
}

// submitAs files a plumbing request for persona p at property/unit.
func submitAs(t *testing.T, db *sqldb.DB, c *testkit.Company, p testkit.Persona, property, unit int64, summary string) int64 {
	t.Helper()
	id, err := db.SubmitRequest(context.Background(), residentOf(c, p), c.ID, sqldb.NewRequest{PropertyID: property, UnitID: unit,
		CategoryID: c.Plumbing, Summary: summary, Answers: plumbingAnswers(t, db, c)}, nil, nil)
	if err != nil {
		t.Fatalf("submit %q as %s: %v", summary, p, err)
	}
	return id
}

func TestApprovalAsksTheOwnersOfTheAsset(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		wholeProperty, err := db.CreateRequest(ctx, admin, sqldb.NewRequest{PropertyID: a.Property, CategoryID: a.Plumbing,
			Summary: "Roof gutter is blocked", Answers: plumbingAnswers(t, db, a)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		onUnit := submitAs(t, db, a, testkit.Tenant, a.Property, a.Unit, "Radiator is cold")
		po, uo := "Property Owner Harbour", "Unit Owner Harbour"
		tests := []struct {
			name    string
			request int64
			asked   []string
			readers []testkit.Persona // residents who may open the approval
		}{
			{"a unit owned by its own owner", a.OwnerRequest, []string{po, uo}, []testkit.Persona{testkit.PropertyOwner, testkit.UnitOwner}},
			{"a unit with no unit owner", onUnit, []string{po}, []testkit.Persona{testkit.PropertyOwner}},
			{"the whole property", wholeProperty, []string{po}, []testkit.Persona{testkit.PropertyOwner}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				mail := newApprovalMail()
				out, err := db.RequestApproval(ctx, admin, tt.request, 0, sqldb.NewApproval{EstimateMinor: 125000, Notes: "New part."}, mail.compose)
				if err != nil {
					t.Fatal(err)
				}
				if out.UnderLimit || !slices.Equal(ownerNames(out.Asked), tt.asked) || len(mail.sent) != len(tt.asked) {
					t.Fatalf("asked %q (%d e-mails, under limit %v), want %q", ownerNames(out.Asked), len(mail.sent), out.UnderLimit, tt.asked)
				}
				d, err := db.StaffRequest(ctx, admin, tt.request)
				if err != nil {
					t.Fatal(err)
				}
				if d.Request.Status != lintel.StatusAwaitingApproval || len(d.Approvals) != 1 || d.Approvals[0].Status != lintel.ApprovalPending {
					t.Fatalf("request %s with approvals %+v, want awaiting approval with one pending", d.Request.Status, d.Approvals)
				}
				for _, p := range []testkit.Persona{testkit.PropertyOwner, testkit.UnitOwner, testkit.OtherOwner, testkit.Tenant, testkit.Cotenant} {
					v, err := db.ResidentApproval(ctx, residentOf(a, p), out.ID)
					may := slices.Contains(tt.readers, p)
					switch {
					case may && err != nil:
						t.Errorf("%s reading the approval: %v", p, err)
					case may && (v.Viewer.ContactID != a.Contacts[p] || !v.Open() || v.Estimate() != "$1,250.00"):
						t.Errorf("%s sees viewer %d, open %v, estimate %s", p, v.Viewer.ContactID, v.Open(), v.Estimate())
					case !may && !lintel.IsNotFound(err):
						t.Errorf("%s reading the approval: err = %v, want not found", p, err)
					}
				}
				// Company B's look-alike owner of the look-alike property sees nothing.
				if _, err := db.ResidentApproval(ctx, residentOf(w.B, testkit.PropertyOwner), out.ID); !lintel.IsNotFound(err) {
					t.Errorf("company B's owner reading A's approval: err = %v, want not found", err)
				}
				for contact, raw := range mail.tokens {
					v, err := db.LinkApproval(ctx, auth.HashToken(raw))
					if err != nil || v.Viewer.ContactID != contact || v.Approval.ID != out.ID {
						t.Errorf("link of contact %d opens %+v, %v", contact, v.Viewer, err)
					}
				}
			})
		}

		// The fixture: a common area's work is asked of the property's owner only.
		v, err := db.LinkApproval(ctx, auth.HashToken(a.ApprovalToken))
		if err != nil || v.Approval.ID != a.Approval || v.Viewer.ContactID != a.Contacts[testkit.PropertyOwner] {
			t.Fatalf("fixture link: %+v, %v", v.Viewer, err)
		}
		if !slices.Equal(v.Asked, []string{po}) {
			t.Errorf("fixture asked %q, want only %q", v.Asked, po)
		}
		if _, err := db.ResidentApproval(ctx, residentOf(a, testkit.UnitOwner), a.Approval); !lintel.IsNotFound(err) {
			t.Errorf("the unit owner reading a common area's approval: err = %v, want not found", err)
		}
		if _, err := db.LinkApproval(ctx, auth.HashToken("not-a-token")); !lintel.IsNotFound(err) {
			t.Errorf("unknown link: err = %v, want not found", err)
		}
	})
}

func TestRequestApprovalRefusals(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		ok := sqldb.NewApproval{EstimateMinor: 5000}
		tests := []struct {
			name    string
			s       lintel.Staff
			request int64
			seen    int
			in      sqldb.NewApproval
			want    lintel.Kind
			field   string
		}{
			{"no estimate", admin, a.OwnerRequest, 0, sqldb.NewApproval{}, lintel.KindInvalid, "estimate"},
			{"negative estimate", admin, a.OwnerRequest, 0, sqldb.NewApproval{EstimateMinor: -1}, lintel.KindInvalid, "estimate"},
			{"notes too long", admin, a.OwnerRequest, 0, sqldb.NewApproval{EstimateMinor: 1, Notes: strings.Repeat("x", 5001)}, lintel.KindInvalid, "notes"},
			{"a bookkeeper", a.Staff[testkit.Bookkeeper], a.OwnerRequest, 0, ok, lintel.KindForbidden, ""},
			{"another company", w.B.Staff[testkit.Admin], a.OwnerRequest, 0, ok, lintel.KindNotFound, ""},
			{"already awaiting", admin, a.ApprovalRequest, 0, ok, lintel.KindConflict, ""},
			{"already assigned", admin, a.Request, 0, ok, lintel.KindConflict, ""},
			{"a stale page", admin, a.OwnerRequest, 7, ok, lintel.KindConflict, ""},
		}
		for _, tt := range tests {
			_, err := db.RequestApproval(ctx, tt.s, tt.request, tt.seen, tt.in, newApprovalMail().compose)
			if lintel.KindOf(err) != tt.want {
				t.Errorf("%s: err = %v, want kind %d", tt.name, err, tt.want)
			}
			if tt.field != "" && lintel.FieldsOf(err)[tt.field] == "" {
				t.Errorf("%s: no message for field %s in %v", tt.name, tt.field, err)
			}
		}
		// The maintenance coordinator may ask.
		if _, err := db.RequestApproval(ctx, a.Staff[testkit.Maintenance], a.OwnerRequest, 1, ok, newApprovalMail().compose); err != nil {
			t.Errorf("maintenance coordinator asking: %v", err)
		}

		// Nobody with an e-mail address to ask.
		other := submitAs(t, db, a, testkit.OtherTenant, a.OtherProperty, a.OtherUnit, "Window is stuck")
		if err := db.ArchiveOwnershipsForTest(ctx, a.ID, a.OtherProperty); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RequestApproval(ctx, admin, other, 0, ok, newApprovalMail().compose); lintel.KindOf(err) != lintel.KindConflict ||
			!strings.Contains(lintel.MessageOf(err), "Nobody is recorded as owning") {
			t.Errorf("asking with no owners: err = %v, want a conflict saying so", err)
		}
	})
}

func TestApprovalLimit(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		p, err := db.Property(ctx, admin, a.Property)
		if err != nil {
			t.Fatal(err)
		}
		if p.ApprovalLimitMinor != nil {
			t.Fatalf("a new property has limit %d, want none", *p.ApprovalLimitMinor)
		}
		negative := int64(-1)
		p.ApprovalLimitMinor = &negative
		if err := db.UpdateProperty(ctx, admin, p); lintel.FieldsOf(err)["approval_limit"] == "" {
			t.Errorf("a negative limit: err = %v, want a message for approval_limit", err)
		}
		limit := int64(50000)
		p.ApprovalLimitMinor = &limit
		if err := db.UpdateProperty(ctx, admin, p); err != nil {
			t.Fatal(err)
		}
		if p, err = db.Property(ctx, admin, a.Property); err != nil || p.ApprovalLimitMinor == nil || *p.ApprovalLimitMinor != limit {
			t.Fatalf("stored limit: %v, %v", p.ApprovalLimitMinor, err)
		}

		// Under the limit: approved at once, no e-mail, a note for everyone.
		mail := newApprovalMail()
		out, err := db.RequestApproval(ctx, admin, a.OwnerRequest, 0, sqldb.NewApproval{EstimateMinor: 49999}, mail.compose)
		if err != nil {
			t.Fatal(err)
		}
		if !out.UnderLimit || len(mail.sent) != 0 {
			t.Fatalf("under the limit: %+v with %d e-mails, want approved without e-mail", out, len(mail.sent))
		}
		d, err := db.ResidentRequest(ctx, residentOf(a, testkit.UnitOwner), a.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		if d.Request.Status != lintel.StatusApproved || d.Approvals[0].Status != lintel.ApprovalApproved {
			t.Errorf("under the limit: request %s, approval %s", d.Request.Status, d.Approvals[0].Status)
		}
		if !slices.ContainsFunc(d.Events, func(e sqldb.Event) bool { return strings.Contains(e.Body, "Under the approval limit") }) {
			t.Errorf("no \"Under the approval limit\" note on the timeline: %+v", d.Events)
		}
		if items, _ := db.OwnerApprovals(ctx, residentOf(a, testkit.UnitOwner), 0); len(items) != 0 {
			t.Errorf("an approval nobody was asked about is listed to the owner: %+v", items)
		}

		// At the limit: the owners are asked.
		onUnit := submitAs(t, db, a, testkit.Tenant, a.Property, a.Unit, "Boiler pressure drops")
		out, err = db.RequestApproval(ctx, admin, onUnit, 0, sqldb.NewApproval{EstimateMinor: 50000}, mail.compose)
		if err != nil || out.UnderLimit || len(mail.sent) != 1 {
			t.Errorf("at the limit: %+v, %d e-mails, %v; want the owner asked", out, len(mail.sent), err)
		}
	})
}

func TestApprovalDecisions(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		po, uo := residentOf(a, testkit.PropertyOwner), residentOf(a, testkit.UnitOwner)
		var notices []sqldb.DecisionNotice
		notify := func(n sqldb.DecisionNotice) ([]lintel.Email, error) {
			notices = append(notices, n)
			var out []lintel.Email
			for _, s := range n.Staff {
				out = append(out, lintel.Email{DedupeKey: "test-decided:" + s.Email, Kind: "approval_decided", To: s.Email, Subject: "Decided", Text: "x"})
			}
			return out, nil
		}

		// Declining needs a comment; nothing changes without one.
		err := db.DecideApproval(ctx, po, a.Approval, sqldb.Decision{Comment: "  "}, notify)
		if lintel.FieldsOf(err)["comment"] == "" {
			t.Fatalf("declining without a comment: err = %v, want a message for comment", err)
		}
		// Out of scope: not found.
		if err := db.DecideApproval(ctx, uo, a.Approval, sqldb.Decision{Approve: true}, notify); !lintel.IsNotFound(err) {
			t.Errorf("the unit owner deciding on a common area: err = %v, want not found", err)
		}
		if err := db.DecideApproval(ctx, residentOf(w.B, testkit.PropertyOwner), a.Approval, sqldb.Decision{Approve: true}, notify); !lintel.IsNotFound(err) {
			t.Errorf("company B's owner deciding: err = %v, want not found", err)
		}
		// A stale page: the request moved since.
		if _, err := db.DecideApprovalByLink(ctx, auth.HashToken(a.ApprovalToken), sqldb.Decision{Approve: true, Version: 1}, notify); !errors.Is(err, sqldb.ErrStale) {
			t.Errorf("deciding from a stale page: err = %v, want ErrStale", err)
		}

		// The owner declines from the e-mailed link.
		v, _ := db.LinkApproval(ctx, auth.HashToken(a.ApprovalToken))
		id, err := db.DecideApprovalByLink(ctx, auth.HashToken(a.ApprovalToken), sqldb.Decision{Comment: "Too dear; get a second quote.", Version: v.Request.Version, IP: "192.0.2.1"}, notify)
		if err != nil || id != a.Approval {
			t.Fatalf("decline by link: %d, %v", id, err)
		}
		v, err = db.ResidentApproval(ctx, po, a.Approval)
		if err != nil {
			t.Fatal(err)
		}
		if v.Open() || v.Approval.Status != lintel.ApprovalDeclined || v.Request.Status != lintel.StatusDeclined ||
			v.Approval.DecidedByName != "Property Owner Harbour" || !v.DecidedByViewer() || v.Approval.DecisionComment != "Too dear; get a second quote." {
			t.Errorf("after declining: %+v (request %s)", v.Approval, v.Request.Status)
		}
		if len(notices) != 1 || len(notices[0].Staff) == 0 || notices[0].Approval.Status != lintel.ApprovalDeclined {
			t.Errorf("staff notices: %+v", notices)
		}
		// Only the first decision counts.
		if err := db.DecideApproval(ctx, po, a.Approval, sqldb.Decision{Approve: true}, notify); !errors.Is(err, sqldb.ErrAlreadyDecided) {
			t.Errorf("deciding again: err = %v, want ErrAlreadyDecided", err)
		}
		log, err := db.AuditLog(ctx, admin, "request", a.ApprovalRequest, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "approval.decline" || !strings.Contains(log[0].Actor, "e-mailed link") {
			t.Errorf("audit log: %+v, want the decline by link first", log)
		}

		// The manager asks again with a lower estimate.
		mail := newApprovalMail()
		again, err := db.RequestApproval(ctx, admin, a.ApprovalRequest, 0, sqldb.NewApproval{EstimateMinor: 60000, Notes: "Second quote."}, mail.compose)
		if err != nil {
			t.Fatal(err)
		}
		draft, err := db.ApprovalDraft(ctx, admin, a.ApprovalRequest)
		if err != nil {
			t.Fatal(err)
		}
		if draft.Request.Status != lintel.StatusAwaitingApproval || len(draft.Previous) != 2 || draft.LastDeclined().ID != a.Approval {
			t.Errorf("after asking again: %s with %d approvals", draft.Request.Status, len(draft.Previous))
		}
		// The old link now shows the old, declined approval; the new one decides.
		if v, err := db.LinkApproval(ctx, auth.HashToken(a.ApprovalToken)); err != nil || v.Open() {
			t.Errorf("old link: open %v, %v", v.Open(), err)
		}
		if err := db.DecideApproval(ctx, po, again.ID, sqldb.Decision{Approve: true, Comment: "Fine."}, notify); err != nil {
			t.Fatal(err)
		}
		if d, _ := db.StaffRequest(ctx, admin, a.ApprovalRequest); d.Request.Status != lintel.StatusApproved {
			t.Errorf("after approving: %s", d.Request.Status)
		}
	})
}

func TestApprovalWithdraw(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		if _, err := db.WithdrawApproval(ctx, a.Staff[testkit.Bookkeeper], a.Approval); lintel.KindOf(err) != lintel.KindForbidden {
			t.Errorf("bookkeeper withdrawing: err = %v, want forbidden", err)
		}
		if _, err := db.WithdrawApproval(ctx, w.B.Staff[testkit.Admin], a.Approval); !lintel.IsNotFound(err) {
			t.Errorf("company B withdrawing: err = %v, want not found", err)
		}
		req, err := db.WithdrawApproval(ctx, admin, a.Approval)
		if err != nil || req != a.ApprovalRequest {
			t.Fatalf("withdraw: %d, %v", req, err)
		}
		d, err := db.StaffRequest(ctx, admin, a.ApprovalRequest)
		if err != nil {
			t.Fatal(err)
		}
		if d.Request.Status != lintel.StatusSubmitted || d.Approvals[0].Status != lintel.ApprovalWithdrawn {
			t.Errorf("after withdrawing: request %s, approval %s", d.Request.Status, d.Approvals[0].Status)
		}
		if _, err := db.LinkApproval(ctx, auth.HashToken(a.ApprovalToken)); !lintel.IsNotFound(err) {
			t.Errorf("the link after withdrawing: err = %v, want not found", err)
		}
		if err := db.DecideApproval(ctx, residentOf(a, testkit.PropertyOwner), a.Approval, sqldb.Decision{Approve: true}, nil); !errors.Is(err, sqldb.ErrAlreadyDecided) {
			t.Errorf("deciding a withdrawn approval: err = %v, want ErrAlreadyDecided", err)
		}
		if _, err := db.WithdrawApproval(ctx, admin, a.Approval); lintel.KindOf(err) != lintel.KindConflict {
			t.Errorf("withdrawing twice: err = %v, want a conflict", err)
		}
	})
}

// TestConcurrentApprovalDecisions: several owners (and several tabs of
// one owner) decide at the same moment; exactly one decision is recorded
// and the request moves once (SECURITY.md 13).
func TestConcurrentApprovalDecisions(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		mail := newApprovalMail()
		out, err := db.RequestApproval(ctx, a.Staff[testkit.Admin], a.OwnerRequest, 0, sqldb.NewApproval{EstimateMinor: 30000}, mail.compose)
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		seen := d.Request.Version
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				dec := sqldb.Decision{Approve: i%3 != 0, Comment: "Decision " + string(rune('A'+i)), Version: seen}
				switch i % 4 {
				case 0:
					errs[i] = db.DecideApproval(ctx, residentOf(a, testkit.PropertyOwner), out.ID, dec, nil)
				case 1:
					errs[i] = db.DecideApproval(ctx, residentOf(a, testkit.UnitOwner), out.ID, dec, nil)
				case 2:
					_, errs[i] = db.DecideApprovalByLink(ctx, auth.HashToken(mail.tokens[a.Contacts[testkit.PropertyOwner]]), dec, nil)
				default:
					_, errs[i] = db.DecideApprovalByLink(ctx, auth.HashToken(mail.tokens[a.Contacts[testkit.UnitOwner]]), dec, nil)
				}
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, sqldb.ErrAlreadyDecided) && !errors.Is(err, sqldb.ErrStale):
				t.Errorf("a losing decision failed with %v, want ErrAlreadyDecided or ErrStale", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d decisions won, want exactly 1", won)
		}
		d, err = db.StaffRequest(ctx, a.Staff[testkit.Admin], a.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		if d.Request.Version != seen+1 || (d.Request.Status != lintel.StatusApproved && d.Request.Status != lintel.StatusDeclined) {
			t.Errorf("after the race: %s at version %d, want one move from version %d", d.Request.Status, d.Request.Version, seen)
		}
		decisions := 0
		for _, e := range d.Events {
			if e.Kind == sqldb.EventApproval && (strings.Contains(e.Body, " approved ") || strings.Contains(e.Body, " declined ")) {
				decisions++
			}
		}
		if decisions != 1 {
			t.Errorf("%d decisions on the timeline, want 1", decisions)
		}
	})
}

var approvalStart = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func TestApprovalReminders(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(approvalStart)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(approvalStart)
		w := testkit.NewWorld(t, db)
		ctx := context.Background()
		a := w.A
		mail := newApprovalMail()
		remind := func() int64 {
			t.Helper()
			id, err := db.SendApprovalReminder(ctx, mail.compose)
			if lintel.IsNotFound(err) {
				return 0
			}
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		// Both companies' fixture approvals are due at the same times.
		remindAll := func() []int64 {
			t.Helper()
			var ids []int64
			for id := remind(); id != 0; id = remind() {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			return ids
		}
		both := []int64{a.Approval, w.B.Approval}
		slices.Sort(both)
		steps := []struct {
			advance time.Duration
			want    []int64
		}{
			{0, nil},
			{47 * time.Hour, nil},
			{time.Hour, both},                  // 2 days: the first reminder
			{time.Hour, nil},                   // not again at once
			{3*24*time.Hour - time.Hour, both}, // 3 days later: the second
			{3 * 24 * time.Hour, both},         // the third
			{3 * 24 * time.Hour, nil},          // no more than 3
			{30 * 24 * time.Hour, nil},
		}
		for i, st := range steps {
			clock.Advance(st.advance)
			if got := remindAll(); !slices.Equal(got, st.want) {
				t.Fatalf("step %d (%s after asking): reminded %v, want %v", i, clock.Now().Sub(approvalStart), got, st.want)
			}
		}
		if len(mail.sent) != 6 || mail.sent[0].Reminder != 1 || mail.sent[5].Reminder != 3 {
			t.Errorf("reminders sent: %d, want 6 numbered 1 to 3", len(mail.sent))
		}
		// The fixture's first link has expired (14 days); the last reminder's works.
		if _, err := db.LinkApproval(ctx, auth.HashToken(a.ApprovalToken)); !lintel.IsNotFound(err) {
			t.Errorf("the first link after %s: err = %v, want expired", clock.Now().Sub(approvalStart), err)
		}
		if clock.Now().Sub(approvalStart) < sqldb.ApprovalLinkLife {
			t.Fatal("the test did not wait past the first link's life")
		}
		clock.Set(approvalStart.Add(8*24*time.Hour + 2*time.Hour))
		if v, err := db.LinkApproval(ctx, auth.HashToken(mail.tokens[a.Contacts[testkit.PropertyOwner]])); err != nil || v.Reminders != 3 {
			t.Errorf("the third reminder's link: %d reminders, %v", v.Reminders, err)
		}
	})
}

func TestApprovalRemindersSkipDecidedAndRace(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(approvalStart)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(approvalStart)
		w := testkit.NewWorld(t, db)
		ctx := context.Background()
		// B's approval is decided, so only A's is ever due.
		if err := db.DecideApproval(ctx, residentOf(w.B, testkit.PropertyOwner), w.B.Approval, sqldb.Decision{Approve: true}, nil); err != nil {
			t.Fatal(err)
		}
		clock.Advance(sqldb.ApprovalFirstReminder)
		mail := newApprovalMail()
		const n = 6
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { ids[i], errs[i] = db.SendApprovalReminder(ctx, mail.compose) })
		}
		wg.Wait()
		sent := 0
		for i := range n {
			switch {
			case errs[i] == nil && ids[i] == w.A.Approval:
				sent++
			case errs[i] == nil:
				t.Errorf("reminded approval %d, want only %d", ids[i], w.A.Approval)
			case !lintel.IsNotFound(errs[i]):
				t.Errorf("a concurrent reminder failed: %v", errs[i])
			}
		}
		if sent != 1 || len(mail.sent) != 1 {
			t.Errorf("%d reminders claimed, %d e-mails composed; want 1 and 1", sent, len(mail.sent))
		}
	})
}

func TestOwnerApprovals(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		list := func(p testkit.Persona) []int64 {
			t.Helper()
			items, err := db.OwnerApprovals(ctx, residentOf(a, p), 0)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			return ids
		}
		if got := list(testkit.PropertyOwner); !slices.Equal(got, []int64{a.Approval}) {
			t.Errorf("property owner's approvals: %v, want %v", got, []int64{a.Approval})
		}
		for _, p := range []testkit.Persona{testkit.UnitOwner, testkit.OtherOwner, testkit.Tenant} {
			if got := list(p); len(got) != 0 {
				t.Errorf("%s's approvals: %v, want none", p, got)
			}
		}
		out, err := db.RequestApproval(ctx, a.Staff[testkit.Admin], a.OwnerRequest, 0, sqldb.NewApproval{EstimateMinor: 1000}, newApprovalMail().compose)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideApproval(ctx, residentOf(a, testkit.PropertyOwner), a.Approval, sqldb.Decision{Approve: true}, nil); err != nil {
			t.Fatal(err)
		}
		// Waiting ones first, then decided ones.
		if got := list(testkit.PropertyOwner); !slices.Equal(got, []int64{out.ID, a.Approval}) {
			t.Errorf("property owner's approvals: %v, want %v", got, []int64{out.ID, a.Approval})
		}
		if got := list(testkit.UnitOwner); !slices.Equal(got, []int64{out.ID}) {
			t.Errorf("unit owner's approvals: %v, want %v", got, []int64{out.ID})
		}
	})
}
