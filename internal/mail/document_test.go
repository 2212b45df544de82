package mail

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestComposeDocumentSharedGolden(t *testing.T) {
	for _, tc := range []struct {
		golden   string
		attached bool
	}{{"document_shared.golden", true}, {"document_shared_link.golden", false}} {
		c, err := Compose("document_shared", map[string]any{"Name": "Ada Lovelace", "Company": "Harbour Lettings", "Title": "Lease agreement <2026>",
			"Category": "Lease", "About": "Lease of Apt 1, Harbour House", "Attached": tc.attached, "FileName": "lease.pdf", "Size": "1.2 MB",
			"Link": "https://lintel.example/portal/documents"})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tc.golden, "Subject: "+c.Subject+"\n\n--- text ---\n"+c.Text+"\n--- html ---\n"+c.HTML+"\n")
	}
}

// The attachment arrives byte for byte, with its name and type, next to
// both bodies.
func TestSMTPSenderAttachment(t *testing.T) {
	srv := startSMTP(t)
	data := bytes.Repeat([]byte("%PDF-1.4 \x00\xff binary\r\n"), 4000)
	m := testMessage
	m.Attachment = &Attachment{Name: "Bail signé\r\nBcc: x@evil.example.pdf", ContentType: "application/pdf", Data: data}
	if err := testSender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "ada@example.com", 5*time.Second)
	if len(got.Attachments) != 1 {
		t.Fatalf("%d attachments", len(got.Attachments))
	}
	a := got.Attachments[0]
	if !bytes.Equal(a.Data, data) || a.ContentType != "application/pdf" || !strings.HasPrefix(a.Name, "Bail signé Bcc") || strings.ContainsAny(a.Name, "\r\n") {
		t.Errorf("attachment %q %q, %d bytes (equal=%v)", a.Name, a.ContentType, len(a.Data), bytes.Equal(a.Data, data))
	}
	if got.Header.Get("Bcc") != "" || !strings.Contains(crlf(got.TextBody), "Hello Ada") || got.HTMLBody == "" {
		t.Errorf("headers %v, text %q", got.Header, got.TextBody)
	}
}
