package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"

	"lintel.dev/lintel/internal/backup"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

const backupUsage = `usage: lintel backup --to DIR [flags]
  writes a backup of a running Lintel into the new folder DIR: a consistent
  copy of the SQLite database, the uploaded files, and manifest.json with
  each file's size and SHA-256`

// cmdBackup handles "lintel backup": it may run beside the server (the
// database copy is one snapshot, the server keeps serving).
func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := c.flags("backup", getenv, stderr)
	to := fs.String("to", "", "the new (or empty) folder to write the backup into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *to == "" {
		return errors.New(backupUsage)
	}
	if err := c.check(); err != nil {
		return err
	}
	if c.DatabaseURL != "" {
		fmt.Fprint(stdout, postgresBackupAdvice(&c, *to))
		return errors.New("no backup was written: with PostgreSQL, back up with the commands above")
	}
	log := c.logger(stderr)
	db, err := sqldb.Open(ctx, "", c.Data, sqldb.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	src := backup.Source{DB: db, Version: buildVersion()}
	if c.Storage == "" || c.Storage == "local" {
		src.FilesDir = filepath.Join(c.Data, backup.FilesDir)
	}
	m, err := backup.Create(ctx, src, *to)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", *to, err)
	}
	dbSize, files, bytes := m.Totals()
	fmt.Fprintf(stdout, "backup written to %s: the database (%s) and %d files (%s); %s lists each with its SHA-256\n",
		*to, lintel.FormatBytes(dbSize), files, lintel.FormatBytes(bytes), filepath.Join(*to, backup.ManifestName))
	if len(m.Missing) > 0 {
		fmt.Fprintf(stdout, "warning: %d stored files that the database names were not in %s (deleted during the backup, or lost before); the manifest lists them under \"missing\", and lintel verify will too\n",
			len(m.Missing), src.FilesDir)
	}
	if !m.FilesIncluded {
		fmt.Fprintf(stdout, "the uploaded files are in the S3 bucket %q and are not in this backup: %s\n", c.S3Bucket, bucketAdvice)
	}
	return nil
}

// bucketAdvice is how to keep the files of an S3 bucket safe, which a
// database backup does not.
const bucketAdvice = "turn on versioning on the bucket (so a deleted or overwritten file can be recovered), " +
	"or copy it on a schedule, e.g. `mc mirror` or `aws s3 sync`, to another bucket"

// postgresBackupAdvice says exactly what backs up a PostgreSQL Lintel,
// with the connection URL's password left out.
func postgresBackupAdvice(c *config, to string) string {
	shown := c.DatabaseURL
	if u, err := url.Parse(c.DatabaseURL); err == nil {
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		shown = u.String()
	}
	files := "copy the folder " + filepath.Join(c.Data, backup.FilesDir) + " after the dump, e.g. `rsync -a " +
		filepath.Join(c.Data, backup.FilesDir) + "/ " + filepath.Join(to, backup.FilesDir) + "/`"
	if c.Storage == "s3" {
		files = bucketAdvice
	}
	return fmt.Sprintf(`Lintel is on PostgreSQL, whose own tools make a consistent backup while it serves:

  pg_dump --format=custom --file=%s '%s'

(the password from PGPASSWORD or ~/.pgpass). Restore it into an empty database with

  pg_restore --no-owner --dbname='postgres://…/new-database' %s

Files: %s.
Then run lintel verify against the restored database and files.
`, filepath.Join(to, "lintel.pgdump"), shown, filepath.Join(to, "lintel.pgdump"), files)
}

const restoreUsage = `usage: lintel restore --from DIR --data NEWDIR [--send-queued-mail]
  checks the backup in DIR against its manifest and rebuilds a data folder
  in NEWDIR (new or empty); then start Lintel with --data NEWDIR`

// cmdRestore handles "lintel restore".
func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := c.flags("restore", getenv, stderr)
	from := fs.String("from", "", "the backup folder (with manifest.json)")
	sendQueued := fs.Bool("send-queued-mail", false, "send the mail that was still queued when the backup was taken (by default it is kept as undelivered: the old server may have sent it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dataSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" {
			dataSet = true
		}
	})
	if fs.NArg() > 0 || *from == "" || !dataSet {
		return errors.New(restoreUsage)
	}
	if err := c.check(); err != nil {
		return err
	}
	m, err := backup.Restore(ctx, *from, c.Data)
	if err != nil {
		return fmt.Errorf("restore from %s: %w", *from, err)
	}
	// Opening the copy applies the migrations a newer Lintel brings.
	db, err := sqldb.Open(ctx, "", c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return fmt.Errorf("the restored database in %s: %w", c.Data, err)
	}
	defer db.Close()
	_, files, bytes := m.Totals()
	fmt.Fprintf(stdout, "restored the backup of %s (Lintel %s) into %s: the database and %d files (%s), each checked against the manifest\n",
		m.CreatedAt.Format("2 Jan 2006 15:04 MST"), m.Version, c.Data, files, lintel.FormatBytes(bytes))
	if !m.FilesIncluded {
		fmt.Fprintln(stdout, "the backup holds no files (they were in S3): point --storage s3 at the bucket, or at a copy of it")
	}
	q, err := db.QueuedMailStatus(ctx)
	if err != nil {
		return err
	}
	switch {
	case q.Count == 0:
	case *sendQueued:
		fmt.Fprintf(stdout, "%d e-mails were still queued in the backup; they will be sent when Lintel starts on %s\n", q.Count, c.Data)
	default:
		n, err := db.HoldQueuedMail(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d e-mails were still queued in the backup; the old server may have sent them after it was taken, so they are not sent again: managers see them as undelivered (restore with --send-queued-mail to send them)\n", n)
	}
	fmt.Fprintf(stdout, "next: lintel verify --data %s, then lintel serve --data %s\n", c.Data, c.Data)
	return nil
}

const verifyUsage = `usage: lintel verify [flags]
  checks that every file row has its stored object of the right size and
  every stored object a row, and that the ledger holds (as lintel check)`

// cmdVerify handles "lintel verify": the operator's proof, after a restore
// or at any time, that the files and the books are whole.
func cmdVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := c.flags("verify", getenv, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(verifyUsage)
	}
	if err := c.check(); err != nil {
		return err
	}
	log := c.logger(stderr)
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	files, closeFiles, err := openFiles(ctx, &c, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer closeFiles()
	lister, ok := files.(blob.Lister)
	if !ok {
		return fmt.Errorf("the %s file store cannot list its files", c.Storage)
	}
	fc, err := backup.CheckFiles(ctx, db, lister)
	if err != nil {
		return fmt.Errorf("check the files: %w", err)
	}
	for _, p := range fc.Problems {
		fmt.Fprintln(stdout, "files:", p)
	}
	if len(fc.Problems) == 0 {
		fmt.Fprintf(stdout, "files: OK (%d files, %s)\n", fc.Rows, lintel.FormatBytes(fc.Bytes))
	}
	ledger, err := db.CheckLedger(ctx)
	if err != nil {
		return fmt.Errorf("check the ledger: %w", err)
	}
	for _, p := range ledger {
		fmt.Fprintln(stdout, "ledger:", p)
	}
	if len(ledger) == 0 {
		n, err := db.LedgerTransactionCount(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ledger: OK (%d transactions)\n", n)
	}
	if n := len(fc.Problems) + len(ledger); n > 0 {
		return fmt.Errorf("%d problem(s) found: nothing was changed; a file row without its object needs the file restored from a backup, an object without a row is space an interrupted upload left", n)
	}
	return nil
}
