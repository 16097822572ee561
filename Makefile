# Neosync — the one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT      := $(CURDIR)
TOOLS_BIN := $(ROOT)/.bin
export PATH := $(TOOLS_BIN):$(PATH)
export GOBIN := $(TOOLS_BIN)

# Pinned tool versions (see DESIGN.md §3 and the README).
BUF_VERSION              := 1.75.0
PROTOC_GEN_ES_VERSION    := 2.17.0
PROTOC_GEN_GO_VERSION    := v1.36.12
PROTOC_GEN_CONNECT_GO_VERSION := v1.21.1
SQLC_VERSION             := v1.31.1
GRPCURL_VERSION          := v1.9.4
GOLANGCI_LINT_VERSION    := v2.15.0
# Later Temporal CLI releases do not build with this Go; a cold build takes ~7 minutes.
TEMPORAL_CLI_VERSION     := v1.5.1
# The OpenID Provider the OIDC tests sign in through (zitadel/oidc's example OP;
# Dex cannot be built from the module proxy, see backend/pkg/devoidc).
ZITADEL_OIDC_VERSION     := v3.52.0
# promtool checks deploy/'s alert rules (make check-deploy, run by make lint and
# make test-go); Prometheus 3.x's Go module version. Built without the service
# discovery plugins (remove_all_sd: the cloud SDKs), which rule checks do not use.
PROMETHEUS_VERSION       := v0.316.0
# The S3-compatible server the S3 tests start (posix backend); a cold build takes ~5 minutes.
VERSITYGW_VERSION        := v1.8.0

BUF := $(TOOLS_BIN)/npm/node_modules/.bin/buf

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X github.com/neosyncio/neosync/backend/pkg/buildinfo.Version=$(VERSION) \
           -X github.com/neosyncio/neosync/backend/pkg/buildinfo.Commit=$(COMMIT) \
           -X github.com/neosyncio/neosync/backend/pkg/buildinfo.Date=$(DATE)

GO_PACKAGES := ./backend/... ./worker/... ./cli/...
GENERATED   := backend/gen frontend/src/gen ':(glob)backend/internal/store/*.gen.go'

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: $(BUF) $(TOOLS_BIN)/protoc-gen-go $(TOOLS_BIN)/protoc-gen-connect-go $(TOOLS_BIN)/sqlc $(TOOLS_BIN)/grpcurl $(TOOLS_BIN)/temporal $(TOOLS_BIN)/oidc-op/server $(TOOLS_BIN)/versitygw $(TOOLS_BIN)/promtool ## Install pinned tools (generators, grpcurl, Temporal CLI, OpenID Provider, versitygw, promtool) into .bin/

$(BUF):
	npm install --prefix $(TOOLS_BIN)/npm --no-audit --no-fund --no-save @bufbuild/buf@$(BUF_VERSION) @bufbuild/protoc-gen-es@$(PROTOC_GEN_ES_VERSION)
$(TOOLS_BIN)/protoc-gen-go:
	go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(TOOLS_BIN)/protoc-gen-connect-go:
	go install connectrpc.com/connect/cmd/protoc-gen-connect-go@$(PROTOC_GEN_CONNECT_GO_VERSION)
$(TOOLS_BIN)/sqlc:
	CGO_ENABLED=1 go install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)
$(TOOLS_BIN)/grpcurl:
	go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)
.PHONY: temporal-cli
temporal-cli: $(TOOLS_BIN)/temporal ## Install the Temporal CLI (dev server) into .bin/
$(TOOLS_BIN)/temporal:
	go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
.PHONY: oidc-op
oidc-op: $(TOOLS_BIN)/oidc-op/server ## Install the OpenID Provider the OIDC tests use into .bin/oidc-op/
$(TOOLS_BIN)/oidc-op/server:
	GOBIN=$(TOOLS_BIN)/oidc-op go install github.com/zitadel/oidc/v3/example/server@$(ZITADEL_OIDC_VERSION)
$(TOOLS_BIN)/versitygw:
	go install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)
$(TOOLS_BIN)/promtool:
	go install -tags remove_all_sd github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)
$(TOOLS_BIN)/golangci-lint:
	go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: generate
generate: $(BUF) $(TOOLS_BIN)/protoc-gen-go $(TOOLS_BIN)/protoc-gen-connect-go $(TOOLS_BIN)/sqlc ## Regenerate protobuf (Go + TypeScript) and sqlc code
	rm -rf backend/gen/go frontend/src/gen
	$(BUF) lint
	$(BUF) generate
	cd backend/internal/store && $(TOOLS_BIN)/sqlc generate

.PHONY: verify
verify: verify-tidy generate ## Regenerate and fail if generated code or a go.mod/go.sum drifted from what is committed
	@git add -N $(GENERATED) >/dev/null 2>&1 || true
	@if ! git diff --exit-code --stat -- $(GENERATED); then \
		echo "generated code is out of date: run 'make generate' and commit"; exit 1; fi
	@echo "generated code is up to date"

GO_MODULES := backend worker cli

# go mod tidy -diff prints what tidy would change and exits non-zero, without
# touching the files; each module is tidied on its own (not the workspace),
# as a non-workspace build of it would need.
.PHONY: verify-tidy
verify-tidy: ## Fail if a go.mod or go.sum is not what go mod tidy makes
	@status=0; for m in $(GO_MODULES); do \
		if ! (cd $$m && go mod tidy -diff); then \
			echo "$$m/go.mod or go.sum is not tidy: run 'cd $$m && go mod tidy' and commit"; status=1; fi; \
	done; exit $$status
	@echo "go.mod and go.sum are tidy in $(GO_MODULES)"

.PHONY: build
build: ## Build neosync-api, neosync-worker and neosync into ./bin
	@mkdir -p bin
	go build -ldflags "$(LDFLAGS)" -o bin/neosync-api ./backend/cmd/neosync-api
	go build -ldflags "$(LDFLAGS)" -o bin/neosync-worker ./worker/cmd/neosync-worker
	go build -ldflags "$(LDFLAGS)" -o bin/neosync ./cli/cmd/neosync

.PHONY: test
test: test-go test-frontend test-scripts ## Run every test: Go (unit + integration against Postgres, MariaDB, Temporal), the web app (build, unit, Chromium e2e) and make up/down/demo

# A test binary's own time limit. The worker's end-to-end package runs ~45 real
# runs one after another (~10 minutes on 2 cores), which is go test's default
# limit: on a slower machine it was killed mid-run with a goroutine dump.
GO_TEST_TIMEOUT ?= 40m

.PHONY: test-go
test-go: $(TOOLS_BIN)/temporal $(TOOLS_BIN)/oidc-op/server $(TOOLS_BIN)/versitygw check-deploy ## Go tests only
	go vet $(GO_PACKAGES)
	go test -count=1 -timeout $(GO_TEST_TIMEOUT) $(GO_PACKAGES)

.PHONY: test-frontend
test-frontend: build $(TOOLS_BIN)/temporal $(TOOLS_BIN)/oidc-op/server frontend/node_modules ## Web app: typecheck, vitest, next build, Chromium end-to-end
	cd frontend && npm run typecheck && npm test && npm run build && npm run e2e

# make up/down/demo as a returning user meets them (taken ports, leftovers, a
# removed .run/, another database), on their own ports, run dir, key dir and
# databases, so a `make up` of the user's keeps running. After test-frontend,
# whose build of the web app it starts once (make up rebuilds it if stale).
.PHONY: test-scripts
test-scripts: $(TOOLS_BIN)/temporal frontend/node_modules test-release ## make up/down/demo on a used machine (own ports, dirs and databases), and the CLI release
	scripts/test-make.sh

.PHONY: test-release
test-release: ## The CLI release: scripts/release-cli.sh builds checksummed archives, scripts/install-cli.sh (the Action's) installs one and refuses a tampered one
	scripts/test-release.sh

.PHONY: release-cli
release-cli: ## Build the CLI release archives and SHA-256 sums into dist/$(VERSION) (upload them to the GitHub release $(VERSION))
	scripts/release-cli.sh $(VERSION)

frontend/node_modules: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch frontend/node_modules

# Every package's benchmarks run, so the integration packages' TestMain start
# their Temporal dev server: install it first.
.PHONY: bench
bench: $(TOOLS_BIN)/temporal $(TOOLS_BIN)/versitygw ## Run the benchmarks
	go test -run '^$$' -bench . -benchmem $(GO_PACKAGES)

.PHONY: bench-tables
bench-tables: $(TOOLS_BIN)/temporal ## Jobs over 20, 200 and 2,000 small tables through API → Temporal → worker: time, split by phase, API calls per table, CPU seconds per process, history, peak RSS
	go test -count=1 -run '^TestManyTables$$' -v ./worker/internal/e2e | grep -E 'tables|^(ok|FAIL|---)'

# The job path end to end beside the command-line pipes; see
# worker/internal/e2e/benche2e_test.go. NEOSYNC_BENCH_ROWS (default
# 1,000,000) and NEOSYNC_BENCH_ROUNDS (default 3) size it.
.PHONY: bench-e2e
bench-e2e: $(TOOLS_BIN)/temporal ## A job through API → Temporal → worker beside psql and mysqldump pipes: rows/s, N.NNx ratios, time split, worker peak RSS
	NEOSYNC_BENCH_E2E=1 go test -count=1 -timeout 4h -run '^TestBenchE2E$$' -v ./worker/internal/e2e

# The import rules run first and need only the go command, so a layering
# violation fails make lint before golangci-lint is installed or run.
.PHONY: lint
lint: lint-layering check-deploy $(TOOLS_BIN)/golangci-lint $(BUF) ## Lint Go code and protobuf
	go vet $(GO_PACKAGES)
	$(TOOLS_BIN)/golangci-lint run $(GO_PACKAGES)
	$(BUF) lint

# The metric names in them are checked against what the API and the worker
# export by worker/internal/e2e (TestObservabilityOfARun, "deploy").
.PHONY: check-deploy
check-deploy: $(TOOLS_BIN)/promtool ## Check deploy/: the alert rules and their unit tests with promtool, the Grafana dashboard's JSON
	$(TOOLS_BIN)/promtool check rules deploy/prometheus/alerts.yml
	cd deploy/prometheus && $(TOOLS_BIN)/promtool test rules alerts_test.yml
	node -e 'JSON.parse(require("fs").readFileSync("deploy/grafana/neosync-dashboard.json", "utf8"))'

.PHONY: lint-layering
lint-layering: ## Check the import rules (backend/internal/layering: pkg never imports internal, domain never imports connect, …)
	go test -count=1 -run '^TestRepositoryLayering$$' ./backend/internal/layering

.PHONY: up
up: ## Start Postgres (if down), the Temporal dev server, the API and the worker in the background
	@scripts/up.sh

.PHONY: demo
demo: ## Start everything, seed a sample production database, sync it anonymized and show before/after
	@scripts/demo.sh

.PHONY: down
down: ## Stop what make up started
	@scripts/down.sh

.PHONY: clean
clean: ## Remove build output
	rm -rf bin
