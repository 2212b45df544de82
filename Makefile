# Lintel's developer tasks. `make test` is what CI runs (through .ci/run).

SHELL := /bin/bash
GO ?= go
# Pinned so a new release cannot fail an unchanged tree.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
TEST_FLAGS ?= -race -count=1 -parallel 4 -timeout 30m
PKG ?= ./...

.PHONY: all test test-deps lint fmt-check vet staticcheck run bench build load

all: test

build:
	$(GO) build ./...

## test: install missing test services, then lint and run every test on SQLite and PostgreSQL
# (Prerequisites run in order: lint fails fast, before PostgreSQL starts.)
test: test-deps lint
	@$(with-postgres) \
	CI=$${CI:-} LINTEL_TEST_POSTGRES_URL="$$url" $(GO) test $(TEST_FLAGS) $(PKG)

## test-deps: install PostgreSQL, Chromium and a C compiler when missing (Debian)
test-deps:
	@scripts/test-deps.sh

## lint: gofmt, go vet and staticcheck
lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt: these files need \`gofmt -w\`:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

## run: start the demo (SQLite in ./lintel-data, two demo companies)
run:
	$(GO) run ./cmd/lintel demo

## bench: run the benchmarks (on both databases)
bench: test-deps
	@$(with-postgres) \
	LINTEL_TEST_POSTGRES_URL="$$url" $(GO) test -run '^$$' -bench . -benchmem $(PKG)

## load: the load harness (cmd/lintel-load): a company at SCALE (1 = 5,000 units, about 2 million
# ledger postings) on ENGINE (sqlite, postgres or both), the real binary, wrk against every page
# interleaved with a no-op handler; prints the ratio table. DURATION and ROUNDS as in the README.
SCALE ?= 0.1
ENGINE ?= both
load: test-deps
	@command -v wrk >/dev/null 2>&1 || { sudo=(); [ "$$(id -u)" -eq 0 ] || sudo=(sudo); \
		"$${sudo[@]}" apt-get update -q && "$${sudo[@]}" apt-get install -y -q wrk; }
	@$(with-postgres) \
	LINTEL_LOAD_POSTGRES_URL="$$url" SCALE=$(SCALE) ENGINE=$(ENGINE) $(GO) run ./cmd/lintel-load

# with-postgres starts a fresh PostgreSQL cluster, puts its URL in $url and
# stops it when the recipe's shell exits, on success, failure or Ctrl-C.
define with-postgres
set -euo pipefail; \
url=$$(scripts/test-postgres.sh start); \
trap 'scripts/test-postgres.sh stop' EXIT; \
trap 'exit 130' INT TERM;
endef
