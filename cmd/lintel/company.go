package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

const companyUsage = `usage: lintel company quota [flags] COMPANY-ID [SIZE]
  shows a company's storage use, or sets its quota to SIZE (e.g. 20GB,
  500MB, 1TB; "default" for the default of 10 GB)`

// cmdCompany handles "lintel company quota": the operator's view of a
// company's storage and the only way to change its quota. A company's own
// administrators see their use in the app but cannot raise it.
func cmdCompany(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "quota" {
		return errors.New(companyUsage)
	}
	var c config
	fs := c.flags("company quota", getenv, stderr)
	// Flags may come before or after the company id and size.
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		pos, rest = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < 1 || len(pos) > 2 {
		return errors.New(companyUsage)
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("company id %q: give the number `lintel user create` printed (\"created company 3 …\")", pos[0])
	}
	var quota int64 = -1
	if len(pos) == 2 {
		if strings.EqualFold(pos[1], "default") {
			quota = sqldb.DefaultStorageQuota
		} else if quota, err = lintel.ParseBytes(pos[1]); err != nil {
			return err
		}
	}

	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.CompanyStorage(ctx, id)
	if lintel.IsNotFound(err) {
		return fmt.Errorf("no company has id %d in this database (check --data or --database-url)", id)
	}
	if err != nil {
		return err
	}
	if quota < 0 {
		fmt.Fprintf(stdout, "company %d (%s): %s\n", id, before.Name, before.Used())
		return nil
	}
	after, err := db.SetStorageQuota(ctx, id, quota, "lintel company quota")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "company %d (%s): storage quota set to %s (was %s); %s used\n",
		id, after.Name, lintel.FormatBytes(after.QuotaBytes), lintel.FormatBytes(before.QuotaBytes), lintel.FormatBytes(after.UsedBytes))
	if after.UsedBytes > after.QuotaBytes {
		fmt.Fprintln(stdout, "note: that is less than the company already uses: nothing is removed, but uploads are refused until enough files are deleted")
	}
	return nil
}
