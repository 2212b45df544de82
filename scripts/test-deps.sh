#!/usr/bin/env bash
# Installs what the tests need beyond Go: PostgreSQL, Chromium, and a C
# compiler for `go test -race` (Debian packages). Installs only what is
# missing, so it is cheap to run every time.
set -euo pipefail

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

if [ ${#missing[@]} -eq 0 ]; then
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
