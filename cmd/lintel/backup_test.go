package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

// TestBackupRestoreVerify is the operator's drill: `lintel backup` beside a
// running demo (photos, documents, a ledger, queued mail), `lintel restore`
// into a new folder, `lintel verify` on it, and verify failing once a file
// is lost.
func TestBackupRestoreVerify(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := new(syncBuffer), new(syncBuffer)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, envOf(nil), stdout, stderr)
	}()
	defer func() {
		cancel()
		<-errc
	}()
	for deadline := time.Now().Add(60 * time.Second); !servingRE.MatchString(stdout.String()); {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	runOK := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, envOf(nil), &out, &errOut); err != nil {
			t.Fatalf("lintel %s: %v\n%s\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}
	dir := filepath.Join(t.TempDir(), "backup")
	out := runOK("backup", "--data", data, "--to", dir)
	if !strings.Contains(out, "backup written to "+dir) || strings.Contains(out, " 0 files") {
		t.Fatalf("backup said %q", out)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("the demo stopped with %v", err)
	}
	errc <- nil // for the deferred stop

	restored := filepath.Join(t.TempDir(), "restored")
	out = runOK("restore", "--from", dir, "--data", restored)
	if !strings.Contains(out, "each checked against the manifest") {
		t.Fatalf("restore said %q", out)
	}
	db, err := sqldb.Open(context.Background(), "", restored, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := db.QueuedMailStatus(context.Background())
	db.Close()
	if err != nil || q.Count != 0 {
		t.Fatalf("mail still queued after a restore: %+v, %v (the old server may have sent it)", q, err)
	}
	out = runOK("verify", "--data", restored)
	if !strings.Contains(out, "files: OK") || !strings.Contains(out, "ledger: OK") {
		t.Fatalf("verify said %q", out)
	}

	// Lose one stored file: verify names it and fails.
	var lost string
	_ = filepath.WalkDir(filepath.Join(restored, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && lost == "" {
			lost = p
		}
		return nil
	})
	if lost == "" {
		t.Fatal("the restored folder has no files")
	}
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	var vout bytes.Buffer
	err = run(context.Background(), []string{"verify", "--data", restored}, envOf(nil), &vout, new(bytes.Buffer))
	key := filepath.ToSlash(strings.TrimPrefix(lost, filepath.Join(restored, "files")+string(filepath.Separator)))
	if err == nil || !strings.Contains(vout.String(), "file row "+key) {
		t.Fatalf("verify with %s lost: %v\n%s", key, err, vout.String())
	}
}

// TestBackupOnPostgresSaysWhatToRun: Lintel does not pretend to back up
// PostgreSQL; it prints the pg_dump and pg_restore to run, without the
// password, and fails so a script notices.
func TestBackupOnPostgresSaysWhatToRun(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"backup", "--database-url", "postgres://lintel:s3cret@db.internal:5432/lintel", "--to", t.TempDir() + "/b"},
		envOf(nil), &out, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "no backup was written") {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
	for _, want := range []string{"pg_dump --format=custom", "postgres://lintel@db.internal:5432/lintel", "pg_restore"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the advice lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Errorf("the advice shows the database password:\n%s", out.String())
	}
}
