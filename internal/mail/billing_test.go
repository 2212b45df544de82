package mail

import "testing"

func TestComposeBillingGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden string
		data         map[string]any
	}{
		{"payment_receipt", "payment_receipt.golden", map[string]any{"Name": "Ada Lovelace", "Company": "Harbour Lettings", "Number": "000123",
			"Amount": "$1,250.50", "Received": "3 Mar 2026", "About": "Harbour House · Apt 1", "Method": "Bank transfer", "Reference": "TRX <42>",
			"Attached": true, "FileName": "receipt-000123.pdf", "Link": "https://lintel.example/portal/billing"}},
		{"payment_receipt", "payment_receipt_link.golden", map[string]any{"Name": "Ada Lovelace", "Company": "Harbour Lettings", "Number": "000124",
			"Amount": "$10.00", "Received": "4 Mar 2026", "About": "Harbour House · Apt 1", "Method": "", "Reference": "",
			"Attached": false, "FileName": "receipt-000124.pdf", "Link": "https://lintel.example/portal/billing"}},
		{"owner_statement", "owner_statement.golden", map[string]any{"Name": "Olive Owner", "Company": "Harbour Lettings", "Month": "February 2026",
			"Opening": "$100.00", "In": "$720.00", "Out": "-$177.60", "Closing": "$642.40",
			"Link": "https://lintel.example/portal/billing/statement.pdf?company=1&from=2026-02-01&to=2026-02-28"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			c, err := Compose(tc.name, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, "Subject: "+c.Subject+"\n\n--- text ---\n"+c.Text+"\n--- html ---\n"+c.HTML+"\n")
		})
	}
}
