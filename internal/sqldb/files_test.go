package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func testFile(size int64) sqldb.NewFile {
	return sqldb.NewFile{Key: blob.NewKey(), Name: "f.jpg", ContentType: "image/jpeg", Size: size, SHA256: strings.Repeat("0", 64)}
}

// usage reads a company's counter and recomputes it from the files.
func usage(t *testing.T, db *sqldb.DB, companyID int64) (counted, summed int64) {
	t.Helper()
	c, err := db.CompanyStorage(context.Background(), companyID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.IdentityCountForTest(context.Background(), `SELECT COALESCE(SUM(size), 0) FROM files WHERE company_id = $1`, companyID)
	if err != nil {
		t.Fatal(err)
	}
	return c.UsedBytes, int64(n)
}

func wantFull(t *testing.T, err error, quota string) {
	t.Helper()
	if !errors.Is(err, sqldb.ErrStorageFull) || lintel.KindOf(err) != lintel.KindConflict {
		t.Fatalf("err = %v, want a conflict wrapping ErrStorageFull", err)
	}
	want := "Your company's storage is full (" + quota + "). Delete old files or ask Lintel's administrator for more space."
	if msg := lintel.MessageOf(err); msg != want {
		t.Fatalf("message = %q, want %q", msg, want)
	}
}

func TestStorageQuota(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, b := w.A.ID, w.B.ID
		admin := w.A.Staff[testkit.Admin]

		u, err := db.StorageUsage(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if u.QuotaBytes != sqldb.DefaultStorageQuota {
			t.Fatalf("a new company's quota = %d, want DefaultStorageQuota, the migration's default", u.QuotaBytes)
		}
		usedBefore, _ := usage(t, db, a)
		bBefore, _ := usage(t, db, b)

		// Fill A to exactly its quota.
		if _, err := db.SetStorageQuota(ctx, a, usedBefore+1000, "test"); err != nil {
			t.Fatal(err)
		}
		first, err := db.InsertFileForTest(ctx, a, testFile(600))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFileForTest(ctx, a, testFile(400)); err != nil {
			t.Fatalf("a file that fills the quota exactly: %v", err)
		}
		for _, size := range []int64{1, 400} {
			_, err := db.InsertFileForTest(ctx, a, testFile(size))
			wantFull(t, err, lintel.FormatBytes(usedBefore+1000))
		}
		if counted, summed := usage(t, db, a); counted != usedBefore+1000 || counted != summed {
			t.Fatalf("A's counter = %d, files sum to %d; want both %d", counted, summed, usedBefore+1000)
		}
		// An empty file always fits: it takes no space.
		if _, err := db.InsertFileForTest(ctx, a, testFile(0)); err != nil {
			t.Fatalf("an empty file at the quota: %v", err)
		}
		// The other company is untouched and still has room.
		if counted, _ := usage(t, db, b); counted != bBefore {
			t.Fatalf("B's counter moved: %d, was %d", counted, bBefore)
		}
		if _, err := db.InsertFileForTest(ctx, b, testFile(5000)); err != nil {
			t.Fatalf("B is refused while A is full: %v", err)
		}

		// Deleting frees space; another company's file id is skipped.
		keys, err := db.DeleteFilesForTest(ctx, b, first)
		if err != nil || len(keys) != 0 {
			t.Fatalf("B deleting A's file: keys %v, %v; want nothing deleted", keys, err)
		}
		keys, err = db.DeleteFilesForTest(ctx, a, first, first)
		if err != nil || len(keys) != 1 {
			t.Fatalf("delete: keys %v, %v; want the one key", keys, err)
		}
		if counted, summed := usage(t, db, a); counted != usedBefore+400 || counted != summed {
			t.Fatalf("after deleting 600 bytes: counter %d, sum %d; want %d", counted, summed, usedBefore+400)
		}
		if _, err := db.InsertFileForTest(ctx, a, testFile(600)); err != nil {
			t.Fatalf("the freed space cannot be used: %v", err)
		}

		// A lower quota than what is used refuses new files and keeps the old.
		c, err := db.SetStorageQuota(ctx, a, 100, "lintel company quota")
		if err != nil || c.QuotaBytes != 100 || c.UsedBytes != usedBefore+1000 || c.Name != w.A.Name {
			t.Fatalf("SetStorageQuota = %+v, %v", c, err)
		}
		_, err = db.InsertFileForTest(ctx, a, testFile(1))
		wantFull(t, err, "100 bytes")
		if _, err := db.SetStorageQuota(ctx, a, -1, "test"); lintel.KindOf(err) != lintel.KindInvalid {
			t.Fatalf("a negative quota: %v, want invalid", err)
		}
		if _, err := db.SetStorageQuota(ctx, 999999, 100, "test"); !lintel.IsNotFound(err) {
			t.Fatalf("quota of a company that does not exist: %v, want not found", err)
		}
		log, err := db.AuditLog(ctx, admin, "company", a, 10)
		if err != nil || len(log) == 0 || log[0].Action != "company.storage_quota" || log[0].Actor != "lintel company quota" {
			t.Fatalf("audit log = %+v, %v; want the quota change", log, err)
		}
	})
}

// Concurrent uploads never take a company past its quota together.
func TestStorageQuotaConcurrent(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A.ID
		used, _ := usage(t, db, a)
		const size, fit, tries = 100, 10, 40
		if _, err := db.SetStorageQuota(ctx, a, used+fit*size, "test"); err != nil {
			t.Fatal(err)
		}
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok, full int
			others   []error
		)
		for range tries {
			wg.Go(func() {
				_, err := db.InsertFileForTest(ctx, a, testFile(size))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, sqldb.ErrStorageFull):
					full++
				default:
					others = append(others, err)
				}
			})
		}
		wg.Wait()
		if len(others) > 0 {
			t.Fatalf("unexpected errors: %v", others)
		}
		if ok != fit || full != tries-fit {
			t.Fatalf("%d inserts succeeded and %d were refused, want %d and %d", ok, full, fit, tries-fit)
		}
		if counted, summed := usage(t, db, a); counted != used+fit*size || summed != counted {
			t.Fatalf("counter %d, files sum %d; want %d", counted, summed, used+fit*size)
		}
	})
}

// Photos of a request count against the quota, thumbnails included, and a
// refused batch records none of them.
func TestStorageQuotaPhotos(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a, admin := w.A.ID, w.A.Staff[testkit.Admin]
		used, _ := usage(t, db, a)
		photo := func() sqldb.NewPhoto { return sqldb.NewPhoto{File: testFile(700), Thumb: testFile(100)} }
		// Room for one photo and its thumbnail, and one more photo without
		// its thumbnail.
		if _, err := db.SetStorageQuota(ctx, a, used+800+700, "test"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddStaffPhotos(ctx, admin, w.A.Request, []sqldb.NewPhoto{photo()}); err != nil {
			t.Fatal(err)
		}
		photos := func() int {
			n, err := db.IdentityCountForTest(ctx, `SELECT COUNT(*) FROM request_photos WHERE request_id = $1`, w.A.Request)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := photos()
		err := db.AddStaffPhotos(ctx, admin, w.A.Request, []sqldb.NewPhoto{photo()})
		wantFull(t, err, lintel.FormatBytes(used+1500))
		if n := photos(); n != before {
			t.Fatalf("a refused batch recorded %d photos", n-before)
		}
		if counted, summed := usage(t, db, a); counted != used+800 || counted != summed {
			t.Fatalf("counter %d, sum %d; want %d", counted, summed, used+800)
		}
	})
}

// Migration 0014 counts the files a company already has.
func TestStorageQuotaMigrationBackfills(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		undo := []string{`ALTER TABLE companies DROP COLUMN storage_quota_bytes`, `ALTER TABLE companies DROP COLUMN storage_used_bytes`}
		err := db.RemigrateForTest(ctx, 14, undo, func() error {
			for i, size := range []int{1234, 5000, 1} {
				if err := db.IdentityExecForTest(ctx, `INSERT INTO files (company_id, storage_key, name, content_type, size, sha256, uploaded_by, created_at)
					VALUES ($1, $2, 'f', 'image/jpeg', $3, '', '', $4)`, w.A.ID, fmt.Sprintf("old/%d", i), size, sqldb.NowForTest(db)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		counted, summed := usage(t, db, w.A.ID)
		if counted != summed || counted < 6235 {
			t.Fatalf("after the migration A's counter = %d, files sum to %d", counted, summed)
		}
		c, err := db.CompanyStorage(ctx, w.B.ID)
		if err != nil || c.QuotaBytes != sqldb.DefaultStorageQuota {
			t.Fatalf("B after the migration: %+v, %v", c, err)
		}
	})
}

func TestStorageUsageWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		u       sqldb.StorageUsage
		used    string
		percent int
	}{
		{sqldb.StorageUsage{UsedBytes: 2*lintel.GB + lintel.GB/10 + 1, QuotaBytes: 10 * lintel.GB}, "2.1 GB of 10 GB used", 21},
		{sqldb.StorageUsage{UsedBytes: 0, QuotaBytes: 10 * lintel.GB}, "0 bytes of 10 GB used", 0},
		{sqldb.StorageUsage{UsedBytes: 12 * lintel.GB, QuotaBytes: 10 * lintel.GB}, "12 GB of 10 GB used", 100},
		{sqldb.StorageUsage{UsedBytes: 0, QuotaBytes: 0}, "0 bytes of 0 bytes used", 100},
	} {
		if got := tc.u.Used(); got != tc.used {
			t.Errorf("Used() = %q, want %q", got, tc.used)
		}
		if got := tc.u.Percent(); got != tc.percent {
			t.Errorf("%q: Percent() = %d, want %d", tc.used, got, tc.percent)
		}
	}
}
