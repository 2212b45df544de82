package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/backup"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// company is a small company on SQLite whose uploaded files are kept in a
// local folder, as `lintel serve` keeps them.
type company struct {
	db       *sqldb.DB
	w        *testkit.World
	filesDir string
	files    *blob.Local
}

func newCompany(t *testing.T) company {
	t.Helper()
	db, w := testkit.SQLiteWorld(t)
	dir := filepath.Join(t.TempDir(), "files")
	files, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	// The world's fixtures record files (photos, invoices) without storing
	// them: store each, so the company starts whole.
	ctx := context.Background()
	err = db.EachStoredFile(ctx, func(key string, size int64) error {
		return files.Put(ctx, key, bytes.NewReader(make([]byte, size)), size, "image/jpeg")
	})
	if err != nil {
		t.Fatal(err)
	}
	return company{db: db, w: w, filesDir: dir, files: files}
}

// upload stores body and records it as a document, as the upload handler
// does: the file first, then its row.
func (c company) upload(ctx context.Context, title string, body []byte) (int64, error) {
	key := blob.NewKey()
	if err := c.files.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		return 0, err
	}
	sum := sha256.Sum256(body)
	return c.db.CreateDocument(ctx, c.w.A.Staff[testkit.Admin], sqldb.NewDocument{
		File:  sqldb.NewFile{Key: key, Name: title + ".pdf", ContentType: "application/pdf", Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])},
		Title: title, Category: lintel.DocNotice,
	}, nil)
}

// TestBackupWhileWritingRestoresWhatWasAcknowledged takes a backup while a
// bookkeeper posts charges and a manager uploads documents, restores it
// into a new data folder, and finds there every charge and every document
// (with its file, byte for byte) acknowledged before the backup started,
// a ledger that holds, and no file row without its file or file without
// its row.
func TestBackupWhileWritingRestoresWhatWasAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCompany(t)
	a := c.w.A
	bk := a.Staff[testkit.Bookkeeper]
	today := lintel.DateOf(c.db.Now())

	var mu sync.Mutex
	var charges, docs []int64
	bodies := map[int64][]byte{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id, err := c.db.PostCharge(ctx, bk, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: fmt.Sprintf("Charge %d", i),
				Amount: 1000 + int64(i), Due: today, IdempotencyKey: fmt.Sprintf("backup-test-%d", i)})
			if err != nil {
				t.Errorf("charge %d: %v", i, err)
				return
			}
			mu.Lock()
			charges = append(charges, id)
			mu.Unlock()
		}
	})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := []byte(strings.Repeat(fmt.Sprintf("document %d\n", i), 50+i))
			id, err := c.upload(ctx, fmt.Sprintf("Notice %d", i), body)
			if err != nil {
				t.Errorf("upload %d: %v", i, err)
				return
			}
			mu.Lock()
			docs = append(docs, id)
			bodies[id] = body
			mu.Unlock()
		}
	})
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	ackCharges, ackDocs := slices.Clone(charges), slices.Clone(docs)
	mu.Unlock()
	dir := filepath.Join(t.TempDir(), "backup")
	m, err := backup.Create(ctx, backup.Source{DB: c.db, FilesDir: c.filesDir, Version: "test"}, dir)
	time.Sleep(100 * time.Millisecond) // writers keep going after the backup
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(ackCharges) < 5 || len(ackDocs) < 5 {
		t.Fatalf("the writers managed only %d charges and %d uploads before the backup", len(ackCharges), len(ackDocs))
	}
	if len(m.Missing) != 0 {
		t.Errorf("files missing from a backup nobody deleted files during: %v", m.Missing)
	}

	data := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(ctx, dir, data); err != nil {
		t.Fatal(err)
	}
	rdb, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rfiles, err := blob.NewLocal(filepath.Join(data, backup.FilesDir))
	if err != nil {
		t.Fatal(err)
	}
	defer rfiles.Close()

	posted := map[int64]bool{}
	for cursor := ""; ; {
		acc, err := rdb.LeaseLedger(ctx, bk, a.Lease, cursor, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range acc.Lines {
			posted[l.ID] = true
		}
		if acc.Next == "" {
			break
		}
		cursor = acc.Next
	}
	for _, id := range ackCharges {
		if !posted[id] {
			t.Errorf("charge %d was acknowledged before the backup and is not in the restored ledger", id)
		}
	}
	admin := a.Staff[testkit.Admin]
	for _, id := range ackDocs {
		f, err := rdb.StaffDocumentFile(ctx, admin, id)
		if err != nil {
			t.Errorf("document %d was acknowledged before the backup: %v", id, err)
			continue
		}
		r, err := rfiles.Open(ctx, f.Key)
		if err != nil {
			t.Errorf("document %d's file in the restored folder: %v", id, err)
			continue
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, bodies[id]) {
			t.Errorf("document %d's file differs after the restore", id)
		}
	}
	if problems, err := rdb.CheckLedger(ctx); err != nil || len(problems) > 0 {
		t.Errorf("the restored ledger: %v, %v", problems, err)
	}
	fc, err := backup.CheckFiles(ctx, rdb, rfiles)
	if err != nil || len(fc.Problems) > 0 || fc.Rows < len(ackDocs) {
		t.Errorf("the restored files: %d rows, problems %v, %v", fc.Rows, fc.Problems, err)
	}
}

// TestRestoreRefusesADamagedBackup: a restore checks every file against the
// manifest and the folders it is given before anything is used.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCompany(t)
	if _, err := c.upload(ctx, "Lease", []byte("%PDF-1.4 the lease")); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "backup")
	m, err := backup.Create(ctx, backup.Source{DB: c.db, FilesDir: c.filesDir, Version: "test"}, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) < 2 || m.Entries[0].Path != backup.DatabaseName {
		t.Fatalf("manifest entries %+v, want the database and the files", m.Entries)
	}
	fileEntry := m.Entries[len(m.Entries)-1]

	// copyOf copies the good backup and lets change damage the copy.
	copyOf := func(t *testing.T, change func(dir string)) string {
		dir := filepath.Join(t.TempDir(), "backup")
		if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
			t.Fatal(err)
		}
		change(dir)
		return dir
	}
	editManifest := func(edit func(*backup.Manifest)) func(string) {
		return func(dir string) {
			mm, err := backup.ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			edit(&mm)
			raw, _ := json.Marshal(mm)
			if err := os.WriteFile(filepath.Join(dir, backup.ManifestName), raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		change func(dir string)
		want   string
	}{
		{"a file changed", func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(fileEntry.Path)), []byte("%PDF-1.4 the lEase"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is damaged"},
		{"a file gone", func(dir string) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(fileEntry.Path))); err != nil {
				t.Fatal(err)
			}
		}, "the backup lacks"},
		{"no manifest (an unfinished backup)", func(dir string) {
			if err := os.Remove(filepath.Join(dir, backup.ManifestName)); err != nil {
				t.Fatal(err)
			}
		}, "did not finish"},
		{"a path climbing out", editManifest(func(mm *backup.Manifest) {
			mm.Entries = append(mm.Entries, backup.Entry{Path: "files/../../../etc/passwd", Size: 1, SHA256: "00"})
		}), "outside a backup's layout"},
		{"an absolute path", editManifest(func(mm *backup.Manifest) {
			mm.Entries = append(mm.Entries, backup.Entry{Path: "/etc/passwd", Size: 1, SHA256: "00"})
		}), "outside a backup's layout"},
		{"another format", editManifest(func(mm *backup.Manifest) { mm.Format = 99 }), "format 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyOf(t, tt.change)
			_, err := backup.Restore(ctx, dir, filepath.Join(t.TempDir(), "data"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore: %v, want an error saying %q", err, tt.want)
			}
		})
	}

	t.Run("into a folder with something in it", func(t *testing.T) {
		data := t.TempDir()
		if err := os.WriteFile(filepath.Join(data, "lintel.db"), []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := backup.Restore(ctx, good, data); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("restore over a used folder: %v", err)
		}
		if b, _ := os.ReadFile(filepath.Join(data, "lintel.db")); string(b) != "precious" {
			t.Fatal("the restore overwrote a file")
		}
	})
	t.Run("a backup into a used folder", func(t *testing.T) {
		if _, err := backup.Create(ctx, backup.Source{DB: c.db, FilesDir: c.filesDir}, good); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("backup over a backup: %v", err)
		}
	})
}

// TestCheckFilesFindsBothWays: a file row whose object is gone or of
// another size, and an object without a row, are each named.
func TestCheckFilesFindsBothWays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCompany(t)
	var keys []string
	for i := range 3 {
		id, err := c.upload(ctx, fmt.Sprintf("Doc %d", i), []byte(fmt.Sprintf("body %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.db.StaffDocumentFile(ctx, c.w.A.Staff[testkit.Admin], id)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, f.Key)
	}
	fc, err := backup.CheckFiles(ctx, c.db, c.files)
	if err != nil || len(fc.Problems) != 0 || fc.Rows < 3 {
		t.Fatalf("a whole store: %+v, %v", fc, err)
	}
	if err := c.files.Delete(ctx, keys[0]); err != nil {
		t.Fatal(err)
	}
	if err := c.files.Put(ctx, keys[1], strings.NewReader("longer than it was"), -1, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	stray := blob.NewKey()
	if err := c.files.Put(ctx, stray, strings.NewReader("stray"), 5, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	fc, err = backup.CheckFiles(ctx, c.db, c.files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"file row " + keys[0] + " (6 bytes) has no stored object",
		"stored object " + keys[1] + " is 18 bytes, its file row says 6",
		"stored object " + stray + " (5 bytes) has no file row",
	}
	slices.Sort(want)
	if !slices.Equal(fc.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(fc.Problems, "\n"), strings.Join(want, "\n"))
	}
}
