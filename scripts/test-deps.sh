#!/usr/bin/env bash
# Installs what the tests need beyond Go: PostgreSQL, Chromium, and a C
# compiler for `go test -race` (Debian packages), versitygw, the
# S3-compatible server the storage tests run, and pebble, the ACME CA of the
# HTTPS tests (both with `go install`), and axe-core,
# the accessibility checker of the browser tests (with `npm ci`). Installs
# only what is missing, so it is cheap to run every time.
set -euo pipefail

# versitygw: built from source by the Go toolchain, pinned, into GOPATH/bin
# where testkit looks for it (LINTEL_VERSITYGW overrides). It takes about
# two minutes to build, once.
versitygw_version=v1.8.0
if [ -n "${LINTEL_VERSITYGW:-}" ]; then
	if [ ! -x "$LINTEL_VERSITYGW" ]; then
		echo "LINTEL_VERSITYGW=$LINTEL_VERSITYGW is not an executable file; unset it to install versitygw with go install" >&2
		exit 1
	fi
elif ! command -v versitygw >/dev/null 2>&1 && [ ! -x "$(go env GOPATH | cut -d: -f1)/bin/versitygw" ]; then
	echo "test-deps: installing versitygw $versitygw_version (go install, about two minutes)" >&2
	go install "github.com/versity/versitygw/cmd/versitygw@$versitygw_version"
fi

# pebble: Let's Encrypt's ACME test CA, for the --tls-domain tests; pinned,
# into GOPATH/bin (LINTEL_PEBBLE overrides). It builds in seconds.
pebble_version=v2.10.3
if [ -n "${LINTEL_PEBBLE:-}" ]; then
	if [ ! -x "$LINTEL_PEBBLE" ]; then
		echo "LINTEL_PEBBLE=$LINTEL_PEBBLE is not an executable file; unset it to install pebble with go install" >&2
		exit 1
	fi
elif ! command -v pebble >/dev/null 2>&1 && [ ! -x "$(go env GOPATH | cut -d: -f1)/bin/pebble" ]; then
	echo "test-deps: installing pebble $pebble_version (go install)" >&2
	go install "github.com/letsencrypt/pebble/v2/cmd/pebble@$pebble_version"
fi

missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ -z "${LINTEL_CHROMIUM:-}" ]; then
	[ -x /usr/bin/chromium ] || missing+=(chromium)
elif [ ! -x "$LINTEL_CHROMIUM" ]; then
	echo "LINTEL_CHROMIUM=$LINTEL_CHROMIUM is not an executable file; unset it to use Debian's chromium" >&2
	exit 1
fi
# The race detector needs cgo, and Go turns cgo off when it finds no C compiler.
cc=$(go env CC 2>/dev/null || true)
command -v "${cc:-gcc}" >/dev/null 2>&1 || missing+=(gcc libc6-dev)
# npm installs axe-core, the accessibility checker the browser tests run.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

# npm_deps installs the pinned npm packages of package-lock.json (axe-core)
# into node_modules/ when they are missing.
npm_deps() {
	local root
	root=$(cd "$(dirname "$0")/.." && pwd)
	if [ ! -f "$root/node_modules/axe-core/axe.min.js" ]; then
		echo "test-deps: installing axe-core (npm ci)" >&2
		(cd "$root" && npm ci --no-audit --no-fund)
	fi
}

if [ ${#missing[@]} -eq 0 ]; then
	npm_deps
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "missing: ${missing[*]}; this script installs them with apt-get (Debian, Ubuntu)." >&2
	echo "Install them yourself, or point LINTEL_TEST_POSTGRES_URL and LINTEL_CHROMIUM at yours." >&2
	exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi

echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q "${missing[@]}"
npm_deps
