package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

const userUsage = `usage: lintel user create --company NAME --email EMAIL [--name NAME]
   or: lintel user second-factor-off --email EMAIL`

// cmdUser handles "lintel user create" (a new company and its first
// administrator; later administrators are invited from the app) and
// "lintel user second-factor-off".
func cmdUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "second-factor-off" {
		return cmdSecondFactorOff(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(userUsage)
	}
	var c config
	fs := c.flags("user create", getenv, stderr)
	company := fs.String("company", "", "name of the new management company")
	email := fs.String("email", "", "e-mail of its first administrator")
	name := fs.String("name", "", "the administrator's name")
	currency := fs.String("currency", "USD", "the company's currency (ISO 4217)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*company) == "" {
		return fmt.Errorf("--company is required: the name of the management company")
	}
	addr, err := mail.ParseAddress(*email)
	if err != nil {
		return fmt.Errorf("--email %q is not an e-mail address", *email)
	}
	if !lintel.ValidCurrency(*currency) {
		return fmt.Errorf("--currency %q: use a three-letter ISO 4217 code such as USD or EUR", *currency)
	}
	password := getenv("LINTEL_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "Password for the administrator (12 characters or more): ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password from standard input: %w (or set LINTEL_PASSWORD)", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if err := auth.CheckNewPassword(password, addr.Address); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	if *name == "" {
		*name = strings.Split(addr.Address, "@")[0]
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	cid, uid, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{
		Name: strings.TrimSpace(*company), Currency: *currency, AdminEmail: addr.Address, AdminName: *name,
		PasswordHash: auth.HashPassword(password),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created company %d (%s) with administrator %s (user %d)\n", cid, *company, addr.Address, uid)
	return nil
}

// cmdSecondFactorOff removes a login's authenticator app and recovery codes
// for someone who lost both, once the operator has made sure who is asking.
// If their company requires a second factor of administrators, they are
// asked to set up a new one at their next page.
func cmdSecondFactorOff(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := c.flags("user second-factor-off", getenv, stderr)
	email := fs.String("email", "", "e-mail of the login")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return fmt.Errorf("--email is required: the e-mail the person signs in with")
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.ResetSecondFactor(ctx, *email, "lintel user second-factor-off")
	if lintel.IsNotFound(err) {
		return fmt.Errorf("%s has no second factor (or no login): nothing to turn off", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "turned off the second factor of %s: they sign in with their password alone until they set one up again\n", strings.ToLower(strings.TrimSpace(*email)))
	return nil
}
