// Command lintel runs Lintel: the web server, the demo, migrations and
// administration tasks. Run "lintel help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lintel:", err)
		os.Exit(1)
	}
}

const usage = `Lintel — property management.

Usage:
  lintel serve    [flags]   serve the web app
  lintel demo     [flags]   seed demo data (idempotent), print the demo sign-ins, serve
  lintel migrate  [flags]   apply database migrations and exit
  lintel user create --company NAME --email EMAIL [--name NAME] [--currency USD] [flags]
                            create a company and its first administrator
                            (the password is read from LINTEL_PASSWORD or standard input)
  lintel user second-factor-off --email EMAIL [flags]
                            turn off a login's second factor (lost phone and recovery codes)
  lintel company quota [flags] COMPANY-ID [SIZE]
                            show a company's storage use, or set its quota (20GB, 1TB, default)
  lintel check    [flags]   verify the ledger (balanced transactions, cached balances); fails on a problem
  lintel backup --to DIR [flags]
                            back up a running Lintel (SQLite database, files, manifest with SHA-256s)
  lintel restore --from DIR --data NEWDIR [--send-queued-mail]
                            check a backup against its manifest and rebuild a data folder from it
  lintel verify   [flags]   check that every file row has its stored object (and back), and the ledger
  lintel version            which Lintel this is (version or commit, and the Go version)

Every flag has an environment variable; run "lintel serve -h" to see them.
`

// run is main without the process: tests call it with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr, false)
	case "demo":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr, true)
	case "migrate":
		return cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		return cmdUser(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	case "company":
		return cmdCompany(ctx, args[1:], getenv, stdout, stderr)
	case "check":
		return cmdCheck(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version":
		return cmdVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
