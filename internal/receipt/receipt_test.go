package receipt

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(s string) lintel.Date {
	d, err := lintel.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var issued = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

var company = Company{Name: "Harbour Lettings", Address: "9 Quay Street\nSpringfield 12345", Email: "desk@harbour.test", Phone: "+1 555 0199"}

func sampleReceipt() Receipt {
	return Receipt{
		Number: 123, Company: company, Kind: "payment", From: []string{"Tenant Harbour", "Cotenant Harbour"},
		About: "Harbour House · Apt 1", Amount: 125050, Currency: "USD", Received: day("2026-03-03"),
		Method: "bank_transfer", Ref: "TRX (March) \\ 42",
		Paid: []PaidLine{
			{Description: "Rent for February 2026", Due: day("2026-02-01"), Amount: 5050},
			{Description: "Rent for March 2026", Due: day("2026-03-01"), Amount: 100000},
		},
		Issued: issued,
	}
}

// golden compares got with testdata/name (the text a PDF shows), or
// rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./internal/receipt -run %s -update` to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("PDF text differs from %s (run with -update if the change is intended):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestReceiptPDF(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      func() Receipt
		golden string
		has    []string
		hasNot []string
	}{
		{"tenant payment", sampleReceipt, "receipt.golden",
			[]string{"Receipt 000123", "$1,250.50", "Harbour Lettings", "9 Quay Street", "Tenant Harbour, Cotenant Harbour",
				"Harbour House · Apt 1", "Bank transfer", "TRX (March) \\ 42", "Rent for March 2026", "$1,000.00", "Kept as credit on the account", "$200.00"},
			[]string{"reversed"}},
		{"reversed", func() Receipt { r := sampleReceipt(); r.Reversed = day("2026-03-10"); return r }, "",
			[]string{"This payment was reversed on 10 Mar 2026"}, nil},
		{"owner contribution in euros, French", func() Receipt {
			return Receipt{Number: 7, Company: company, Kind: "owner_contribution", From: []string{"Élodie Propriétaire"}, About: "Maison du Port",
				Amount: 50000, Currency: "EUR", Received: day("2026-02-02"), Method: "check", Issued: issued, Lang: "fr"}
		}, "",
			[]string{"Reçu 000007", "€500.00", "Élodie Propriétaire", "Apport du propriétaire", "Chèque", "2 févr. 2026"},
			[]string{"What it paid", "Receipt", "Owner contribution"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := tc.r().PDF()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[len(pdf)-10:], []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q…", pdf[:min(20, len(pdf))])
			}
			text := Text(pdf)
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("receipt text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(text, s) {
					t.Errorf("receipt text has %q:\n%s", s, text)
				}
			}
			if tc.golden != "" {
				golden(t, tc.golden, text)
			}
			// The same receipt issued at the same time is the same file.
			again, _ := tc.r().PDF()
			if !bytes.Equal(pdf, again) {
				t.Error("two renderings of one receipt differ")
			}
		})
	}
	if _, err := (Receipt{}).PDF(); err == nil {
		t.Error("a receipt without a number was made")
	}
}

func TestStatementPDF(t *testing.T) {
	s := Statement{
		Company: company, Owner: "Property Owner Harbour", Assets: []string{"Harbour House (60%)"},
		From: day("2026-02-01"), To: day("2026-02-28"), Currency: "USD", Opening: 10000,
		Lines: []StatementLine{
			{Date: day("2026-02-03"), Asset: "Harbour House", Description: "Rent for February 2026, Apt 1", Amount: 72000},
			{Date: day("2026-02-03"), Asset: "Harbour House", Description: "Management fee", Amount: -5760},
			{Date: day("2026-02-20"), Asset: "Harbour House", Description: "Plumbing repair: a very long description that does not fit in its column at all", Amount: -12000},
		},
		Issued: issued,
	}
	if got := s.Closing(); got != 64240 {
		t.Fatalf("closing %d", got)
	}
	pdf, err := s.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := Text(pdf)
	for _, want := range []string{"Owner statement", "1 Feb 2026 to 28 Feb 2026", "Property Owner Harbour", "Opening balance", "$100.00",
		"Closing balance", "$642.40", "-$57.60", "$820.00", "Money in", "$720.00", "Money out", "-$177.60", "Plumbing repair: a very"} {
		if !strings.Contains(text, want) {
			t.Errorf("statement text lacks %q:\n%s", want, text)
		}
	}
	golden(t, "statement.golden", text)
	if s.FileName() != "statement-2026-02-01-2026-02-28.pdf" {
		t.Errorf("file name %q", s.FileName())
	}

	empty := Statement{Company: company, Owner: "O", From: day("2026-01-01"), To: day("2026-01-31"), Currency: "EUR", Lang: "fr", Issued: issued}
	pdf, err = empty.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if text := Text(pdf); !strings.Contains(text, "Relevé du propriétaire") || !strings.Contains(text, "Rien n’a bougé") {
		t.Errorf("French statement:\n%s", text)
	}
}

func TestText(t *testing.T) {
	got := Text([]byte("1 0 obj\nstream\nBT 1 2 Td (a \\(b\\) \\\\ c\\351)Tj ET (not shown) BT (x) Tj ET\nendstream\n"))
	if got != "a (b) \\ cé\nx" {
		t.Errorf("Text = %q", got)
	}
}
