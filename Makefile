# purgeset: `make run` and `make test` are all a newcomer needs; each installs what it needs.
GO       ?= go
BIN      := bin/purgeset
OUT      ?= out
FUZZTIME ?= 60s
# staticcheck is pinned and built from the module proxy, so CI needs nothing installed by hand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS     := ./...
# Pure Go, as shipped: a static binary, and no 8 MB pthread stack per OS thread, which
# under `ulimit -v` made the address space depend on the load (TestAddressSpaceLimit).
# The race detector is the one thing that needs cgo.
export CGO_ENABLED ?= 0

.PHONY: run test race build bench fuzz lint cross stress chromium clean help

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/purgeset
	$(GO) build -o $(BIN) ./cmd/purgeset

run: build ## the main job on the bundled sample export, into ./out (replaced)
	rm -rf $(OUT)
	./$(BIN) run --config fixtures/purgeset.toml --out $(OUT)

test: chromium ## every test (installs Chromium for the review-page test when missing)
	$(GO) vet $(PKGS)
	PURGESET_REQUIRE_BROWSER=1 $(GO) test -count=1 $(PKGS)

race: ## the short tests under the race detector, as CI runs them
	CGO_ENABLED=1 $(GO) test -race -short -count=1 -timeout 30m $(PKGS)

chromium: ## install Debian's Chromium for the browser test, when missing
	@command -v chromium >/dev/null 2>&1 || ./.ci/install-chromium

bench: build ## side-by-side benchmark with the peers; writes BENCH.md
	./bench/run.sh

fuzz: ## run every fuzz target for FUZZTIME each
	./.ci/fuzz $(FUZZTIME)

lint: ## gofmt, go vet and staticcheck, as CI runs them
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

cross: ## build and vet for Windows and macOS (amd64, arm64), as CI does
	./.ci/cross

clean: ## remove build output and ./out
	rm -rf bin $(OUT)
