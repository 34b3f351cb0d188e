# Wenzheng build. `make run` and `make test` are the two set-up commands in
# the README; both work on a fresh machine with Go and Node.js.

BIN        := bin/wenzheng
ECHARTS    := node_modules/echarts/dist/echarts.min.js
DUCKDB     := node_modules/@duckdb/duckdb-wasm/dist
VENDOR     := site/static/vendor
# What the build embeds from node_modules: echarts, and for the query page
# (/datasets/query) DuckDB-WASM 1.28.0 (DuckDB 0.9.1, which has the Parquet
# reader built in; 1.32 fetches it from DuckDB's servers at run time)
# bundled with apache-arrow by esbuild, its worker and its wasm (the
# exception-handling build only, gzipped: 4.2 MB embedded instead of 18 MB,
# served as is to browsers, which all take gzip).
VENDORED   := $(VENDOR)/echarts.min.js $(VENDOR)/duckdb.js $(VENDOR)/duckdb-browser-eh.worker.js $(VENDOR)/duckdb-eh.wasm.gz
GO_SOURCES := $(shell find . -name '*.go' -not -path './node_modules/*') $(shell find . -path ./node_modules -prune -o \( -name '*.sql' -o -name '*.html' -o -name '*.css' \) -print)

.PHONY: run build test bench fuzz load load-readers clean assets

run: build
	./$(BIN) serve

build: $(BIN)

$(BIN): $(VENDORED) $(GO_SOURCES) go.mod go.sum
	go build -o $(BIN) ./cmd/wenzheng

# echarts comes from npm, pinned in package-lock.json, and is embedded into
# the binary; it is never committed and never fetched at run time.
$(ECHARTS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(ECHARTS)

$(VENDOR)/echarts.min.js: $(ECHARTS)
	mkdir -p $(VENDOR)
	cp $(ECHARTS) $@

# npm ci installs every pinned package at once; echarts stands for them all.
$(DUCKDB)/duckdb-browser.mjs $(DUCKDB)/duckdb-browser-eh.worker.js $(DUCKDB)/duckdb-eh.wasm: $(ECHARTS)

$(VENDOR)/duckdb.js: $(DUCKDB)/duckdb-browser.mjs
	mkdir -p $(VENDOR)
	node_modules/.bin/esbuild $< --bundle --format=iife --global-name=duckdb --minify --log-level=warning --outfile=$@

$(VENDOR)/duckdb-browser-eh.worker.js: $(DUCKDB)/duckdb-browser-eh.worker.js
	mkdir -p $(VENDOR)
	sed '/^\/\/# sourceMappingURL=/d' $< > $@

# -n: no name or time in the header, so the same wasm gives the same bytes
# (and the same asset URL) on every build.
$(VENDOR)/duckdb-eh.wasm.gz: $(DUCKDB)/duckdb-eh.wasm
	mkdir -p $(VENDOR)
	gzip -9 -n -c $< > $@.tmp && mv $@.tmp $@

assets: $(VENDORED)

test: $(VENDORED)
	go vet ./...
	go test -count=1 -timeout 30m ./...

bench: $(VENDORED)
	go test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 60m ./...

# A bounded load test of `wenzheng serve` on 127.0.0.1: the 200,000-message
# demo as a configured source, 50 and 500 connections, idle and during a
# nightly run (about 15 minutes on two cores). The figures go into the Load
# section of BENCHMARKS.md; `go run ./internal/tools/load -h` lists the knobs.
load: build
	go run ./internal/tools/load -bin $(BIN) -benchmarks BENCHMARKS.md $(LOAD_FLAGS)

# The web tier over one immutable snapshot: a published 100,000-message demo
# served by 1, then 2, `wenzheng serve --read-only` processes behind an
# nginx the tool starts on 127.0.0.1 (Debian package nginx, run in the
# foreground with its own prefix, never as a service), cold and warm at 50
# connections. Pass -data DIR in LOAD_FLAGS to serve a database computed already.
load-readers: build
	go run ./internal/tools/load -bin $(BIN) -readers 1,2 -conns 50 -messages 100000 $(LOAD_FLAGS)

# National scale (issue 13): 1 M and 10 M generated messages, ingest from
# CSV and Parquet, full and incremental recompute, release, pages and API at
# 50 connections warm and cold, and PostgreSQL 15 / SQLite side by side, in
# one run. Hours at 10 M on two cores; BENCH_SCALE_FLAGS='-sizes 200000'
# for a short one. Needs about 5 KB of disk per message, half of it the
# release (10 M: 50 GB; each size is removed before the next). The figures go into the Scale section
# of BENCHMARKS.md.
bench-scale: build
	go run ./internal/tools/benchscale -bin $(BIN) -benchmarks BENCHMARKS.md $(BENCH_SCALE_FLAGS)

fuzz:
	go test ./ingest -run '^$$' -fuzz '^FuzzParseTime$$' -fuzztime 60s
	go test ./ingest -run '^$$' -fuzz '^FuzzCSVRowMapper$$' -fuzztime 60s

clean:
	rm -rf bin $(VENDORED)
