package main

import (
	"context"
	"fmt"
	"io"

	"lintel.dev/lintel/internal/sqldb"
)

// cmdMigrate applies pending migrations (Open does it) and exits.
func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	if err := c.flags("migrate", getenv, stderr).Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database is up to date (%s)\n", db.Dialect())
	return nil
}
