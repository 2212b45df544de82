package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./internal/mail -run %s -update` to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("rendered e-mail differs from %s (run with -update if the change is intended):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestComposeExampleGolden(t *testing.T) {
	c, err := Compose("example", map[string]string{"Name": "Ada <Lovelace> & Co", "Link": "https://lintel.example/signup/verify?token=abc&x=1"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "example.golden", "Subject: "+c.Subject+"\n\n--- text ---\n"+c.Text+"\n--- html ---\n"+c.HTML+"\n")
}

func TestComposeKeepsTheSubjectOnOneLine(t *testing.T) {
	c, err := Compose("example", map[string]string{"Name": "Eve\r\nBcc: victim@example.com", "Link": "https://x.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(c.Subject, "\r\n") || c.Subject != "Hello Eve Bcc: victim@example.com" {
		t.Errorf("subject = %q, want one line", c.Subject)
	}
}

func TestComposeUnknownTemplate(t *testing.T) {
	if _, err := Compose("no-such-message", nil); err == nil {
		t.Error("Compose of an unknown template: no error")
	}
}
