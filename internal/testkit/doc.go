// Package testkit gives tests real parts instead of stand-ins: an SMTP
// server (SMTP), SQLite and PostgreSQL databases (ForEachDB, SQLite,
// Postgres, PostgresURL), a headless Chromium (Browser), an S3-compatible
// object store (S3, versitygw) and a settable clock (Clock). A passing test
// then means the code works against the real protocol, engine or browser.
//
// A missing PostgreSQL or Chromium fails the test with a message saying to
// run `make test-deps`. The one exception is versitygw, which takes minutes
// to build: outside CI a missing one skips the S3 tests, saying how to
// install it; under CI=true it fails them like the rest. PostgreSQL comes from
// LINTEL_TEST_POSTGRES_URL (set by `make test`), or else from a throwaway
// cluster that testkit starts in /tmp/lintel-test-pg on port 55432 and leaves
// running for the next run.
package testkit
