#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for one test run.
#
#   url=$(scripts/test-postgres.sh start)   # prints the admin URL
#   scripts/test-postgres.sh stop
#
# The cluster is fresh on every start (initdb takes about a second), runs
# with fsync off (tests only) and trusts local connections. When run as root
# it runs as the postgres user, because PostgreSQL refuses to run as root.
# LINTEL_TEST_PG_PORT (default 55433) and LINTEL_TEST_PG_DIR choose the port
# and the folder.
set -euo pipefail

port=${LINTEL_TEST_PG_PORT:-55433}
dir=${LINTEL_TEST_PG_DIR:-${TMPDIR:-/tmp}/lintel-make-pg-$port}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
	bin=$(dirname "$(command -v initdb)")
fi
if [ -z "$bin" ]; then
	echo "test-postgres: PostgreSQL is not installed; run \`make test-deps\`" >&2
	exit 1
fi

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/sh -c "$1"
	else
		sh -c "$1"
	fi
}

stop() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >&2 || true
	fi
	rm -rf "$dir"
}

case "${1:-}" in
start)
	stop
	mkdir -p "$dir"
	chmod 700 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres:postgres "$dir"
	fi
	if ! as_pg "'$bin/initdb' -D '$dir/data' -U lintel --auth=trust -E UTF8 --no-sync >'$dir/initdb.log' 2>&1"; then
		cat "$dir/initdb.log" >&2
		echo "test-postgres: initdb failed (log above)" >&2
		exit 1
	fi
	opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500"
	if ! as_pg "'$bin/pg_ctl' -D '$dir/data' -o '$opts' -l '$dir/log' -w -t 60 start" >&2; then
		cat "$dir/log" >&2 || true
		echo "test-postgres: the server did not start (log above); is port $port taken?" >&2
		exit 1
	fi
	echo "postgres://lintel@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	stop
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
