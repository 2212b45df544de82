package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The operator sees and sets a company's storage quota from the command
// line; nothing else can raise it.
func TestCompanyQuota(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dbURL := e.url(t)
			db := openDB(t, dbURL)
			w := testkit.NewWorld(t, db)
			id, other := w.A.ID, w.B.ID
			quota := func(id int64) int64 {
				t.Helper()
				c, err := db.CompanyStorage(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				return c.QuotaBytes
			}
			ids := func(n int64) string { return strconv.FormatInt(n, 10) }
			before, err := db.CompanyStorage(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			used := lintel.FormatBytes(before.UsedBytes) // the fixtures' files
			for _, tc := range []struct {
				name    string
				args    []string
				want    string // in stdout
				wantErr string
				quota   int64 // of the company afterwards
			}{
				{"show", []string{ids(id)}, "company " + ids(id) + " (" + w.A.Name + "): " + used + " of 10 GB used", "", 10 * lintel.GB},
				{"set", []string{ids(id), "20GB"}, "storage quota set to 20 GB (was 10 GB); " + used + " used", "", 20 * lintel.GB},
				{"flags after", []string{ids(id), "2.5 GB", "--log-level", "error"}, "set to 2.5 GB (was 20 GB)", "", 2*lintel.GB + lintel.GB/2},
				{"default", []string{ids(id), "default"}, "set to 10 GB (was 2.5 GB)", "", 10 * lintel.GB},
				{"bad size", []string{ids(id), "lots"}, "", "use a number with a unit such as 500MB", 10 * lintel.GB},
				{"negative", []string{ids(id), "-5GB"}, "", "", 10 * lintel.GB}, // a flag to the parser: refused
				{"no such company", []string{"999999", "1GB"}, "", "no company has id 999999", 10 * lintel.GB},
				{"bad id", []string{"Harbour", "1GB"}, "", `company id "Harbour"`, 10 * lintel.GB},
				{"no id", nil, "", "usage: lintel company quota", 10 * lintel.GB},
			} {
				t.Run(tc.name, func(t *testing.T) {
					args := append([]string{"company", "quota", "--database-url", dbURL}, tc.args...)
					var stdout, stderr bytes.Buffer
					err := run(t.Context(), args, envOf(nil), &stdout, &stderr)
					switch {
					case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
						t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
					case tc.wantErr == "" && tc.want != "" && err != nil:
						t.Fatalf("company quota: %v\n%s", err, stderr.String())
					case tc.want == "" && tc.wantErr == "" && err == nil:
						t.Fatalf("company quota %v succeeded: %s", tc.args, stdout.String())
					}
					if !strings.Contains(stdout.String(), tc.want) {
						t.Errorf("stdout = %q, want %q", stdout.String(), tc.want)
					}
					if got := quota(id); got != tc.quota {
						t.Errorf("quota = %s, want %s", lintel.FormatBytes(got), lintel.FormatBytes(tc.quota))
					}
				})
			}
			if got := quota(other); got != sqldb.DefaultStorageQuota {
				t.Errorf("the other company's quota changed to %d", got)
			}
			// A quota below what is used is allowed, and said.
			photo := sqldb.NewPhoto{File: sqldb.NewFile{Key: "2026/01/cmdtest", Name: "p.jpg", ContentType: "image/jpeg", Size: 5000}}
			if err := db.AddStaffPhotos(t.Context(), w.A.Staff[testkit.Admin], w.A.Request, []sqldb.NewPhoto{photo}); err != nil {
				t.Fatal(err)
			}
			var stdout bytes.Buffer
			if err := run(t.Context(), []string{"company", "quota", "--database-url", dbURL, ids(id), "1KB"}, envOf(nil), &stdout, new(bytes.Buffer)); err != nil {
				t.Fatal(err)
			}
			want := "set to 1 KB (was 10 GB); " + lintel.FormatBytes(before.UsedBytes+5000) + " used\nnote: that is less than the company already uses"
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout = %q, want %q", stdout.String(), want)
			}
		})
	}
}
