package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"lintel.dev/lintel/internal/sqldb"
)

const checkUsage = `usage: lintel check [flags]
  verifies the ledger of every company: each transaction's postings sum to
  zero, each cached balance equals its postings, no payment or charge is
  applied beyond its amount`

// cmdCheck handles "lintel check": the operator's proof that the books are
// whole. It prints one line per problem and fails if there is
// any, so it can run from cron or a deploy script.
func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := c.flags("check", getenv, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(checkUsage)
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := db.CheckLedger(ctx)
	if err != nil {
		return fmt.Errorf("check the ledger: %w", err)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "ledger:", p)
		}
		return fmt.Errorf("the ledger has %d problem(s): nothing was changed; restore from a backup or correct the cause, then run lintel check again", len(problems))
	}
	n, err := db.LedgerTransactionCount(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ledger: OK (%d transactions)\n", n)
	return nil
}
