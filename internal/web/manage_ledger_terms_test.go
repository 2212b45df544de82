package web

import (
	"fmt"
	"net/url"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

// The billing terms the ledger reads from records: a property's management
// fee (a percentage, stored in basis points) and a lease's late fee rule.
func TestManageBillingTerms(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	admin := w.A.Staff[testkit.Admin]
	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)

	// Property: new with 7.5%, then 10%; a typo is refused beside the field.
	c.get("/manage/properties/new").want(t, 200).wantBody(t, "Management fee (%)", `name="management_fee"`)
	r := c.postForm("/manage/properties", url.Values{"name": {"Fee House"}, "kind": {"residential"}, "management_fee": {"7.5"}})
	pid := idFrom(t, r.Location)
	p, err := db.Property(t.Context(), admin, mustInt(t, pid))
	if err != nil || p.ManagementFeeBP != 750 {
		t.Fatalf("stored fee %d bp, %v; want 750", p.ManagementFeeBP, err)
	}
	c.get("/manage/properties/"+pid+"/edit").want(t, 200).wantBody(t, `name="management_fee"`, `value="7.5"`)
	c.postForm("/manage/properties/"+pid, url.Values{"name": {"Fee House"}, "kind": {"residential"}, "management_fee": {"ten"}}).want(t, 422).
		wantBody(t, "Enter the fee as a percentage", `value="ten"`)
	c.postForm("/manage/properties/"+pid, url.Values{"name": {"Fee House"}, "kind": {"residential"}, "management_fee": {"10%"}}).
		wantRedirect(t, "/manage/properties/"+pid)
	if p, _ = db.Property(t.Context(), admin, mustInt(t, pid)); p.ManagementFeeBP != 1000 {
		t.Errorf("fee after edit %d bp, want 1000", p.ManagementFeeBP)
	}
	c.postForm("/manage/properties/"+pid, url.Values{"name": {"Fee House"}, "kind": {"residential"}, "management_fee": {""}}).
		wantRedirect(t, "/manage/properties/"+pid)
	if p, _ = db.Property(t.Context(), admin, mustInt(t, pid)); p.ManagementFeeBP != 0 {
		t.Errorf("an emptied fee is %d bp, want 0", p.ManagementFeeBP)
	}

	// Lease: the new form offers 5 grace days; the rule is stored, shown
	// and edited.
	unit := fmt.Sprint(w.A.OwnedUnit)
	c.get("/manage/leases/new?unit="+unit).want(t, 200).wantBody(t, `name="late_fee"`, `name="late_fee_grace_days" value="5"`)
	today := lintel.DateOf(db.Now()).String()
	lease := url.Values{"unit_id": {unit}, "start": {today}, "rent": {"1000"}, "due_day": {"1"}, "new_tenant_name": {"Lea Late"},
		"late_fee": {"-5"}, "late_fee_grace_days": {"61"}}
	c.postForm("/manage/leases", lease).want(t, 422).wantBody(t, "Enter a whole number from 0 to 60")
	lease.Set("late_fee_grace_days", "3")
	c.postForm("/manage/leases", lease).want(t, 422).wantBody(t, "The late fee cannot be negative")
	lease.Set("late_fee", "25")
	r = c.postForm("/manage/leases", lease)
	lid := idFrom(t, r.Location)
	c.get("/manage/leases/"+lid).want(t, 200).wantBody(t, "Late fee", "$25.00 when rent is unpaid 3 days after it is due")
	c.get("/manage/leases/"+lid+"/edit").want(t, 200).wantBody(t, `value="25.00"`, `name="late_fee_grace_days" value="3"`)
	c.postForm("/manage/leases/"+lid, url.Values{"start": {today}, "rent": {"1000"}, "due_day": {"1"}, "late_fee": {""}, "late_fee_grace_days": {"7"}}).
		wantRedirect(t, "/manage/leases/"+lid)
	l, err := db.Lease(t.Context(), admin, mustInt(t, lid))
	if err != nil || l.LateFeeMinor != 0 || l.LateFeeGraceDays != 7 {
		t.Errorf("after edit: fee %d grace %d, %v", l.LateFeeMinor, l.LateFeeGraceDays, err)
	}
}
