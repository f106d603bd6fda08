# purgeset: `make run` and `make test` are all a newcomer needs; each installs what it needs.
GO       ?= go
EXE      := $(shell $(GO) env GOEXE)
BIN      := bin/purgeset$(EXE)
OUT      ?= out
FUZZTIME ?= 60s
# staticcheck is pinned and built from the module proxy, so CI needs nothing installed by hand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS     := ./...
# Pure Go, as shipped: a static binary, and no 8 MB pthread stack per OS thread, which
# under `ulimit -v` made the address space depend on the load (TestAddressSpaceLimit).
# The race detector is the one thing that needs cgo.
export CGO_ENABLED ?= 0

# The version stamped into the binary (purgeset version, manifest, review page): git
# describe of this checkout, when it is the top of a git work tree; from a tarball
# (no .git), VERSION=1.2.0 COMMIT=… on the command line, else "dev".
VERSION  ?= $(shell [ -z "$$(git rev-parse --show-prefix 2>/dev/null || echo no)" ] && git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell [ -z "$$(git rev-parse --show-prefix 2>/dev/null || echo no)" ] && git rev-parse HEAD 2>/dev/null)
# The time of every file in the release archives: the commit's, so that the same commit
# gives the same bytes (https://reproducible-builds.org/specs/source-date-epoch/).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# make install: into GOBIN or the first GOPATH's bin (where go install puts programs),
# or into $(PREFIX)/bin when PREFIX is given.
GOPATH1  := $(firstword $(subst $(if $(EXE),;,:), ,$(shell $(GO) env GOPATH)))
BINDIR   ?= $(if $(PREFIX),$(PREFIX)/bin,$(or $(shell $(GO) env GOBIN),$(GOPATH1)/bin))
DIST     ?= dist
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
# What a desk gets beside the program: the README, the guide and its screenshots, and
# the sample export with its config, so that the guide can be followed from the archive.
DIST_FILES := README.md docs fixtures/README.md fixtures/purgeset.toml fixtures/users-sample.csv \
	fixtures/users-sample.xlsx fixtures/protect-fines.csv fixtures/purge-group-sample.csv fixtures/users-after.csv
# Reproducible: no paths of this machine (-trimpath), no build ID, no cgo (so no C
# toolchain differs), no VCS fields read from .git (the commit is stamped), no symbols.
DIST_FLAGS := -trimpath -buildvcs=false -ldflags '-s -w -buildid= $(LDFLAGS)'

.PHONY: run test race build install dist dist-check bench fuzz lint cross stress chromium clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/purgeset, stamped with the git describe version
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/purgeset

install: ## install purgeset into $(go env GOPATH)/bin, or $(PREFIX)/bin with PREFIX=…
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BINDIR)/purgeset$(EXE) ./cmd/purgeset
	@echo "installed $(BINDIR)/purgeset$(EXE) ($(VERSION)); README.md, Install: put $(BINDIR) on your PATH"

dist: ## release archives for Linux, macOS and Windows (amd64, arm64) and dist/SHA256SUMS
	rm -rf $(DIST)
	mkdir -p $(DIST)/.work
	$(GO) build -o $(DIST)/.work/purgedist$(EXE) ./cmd/purgedist
	@set -e; for t in $(DIST_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; exe=; ext=tar.gz; \
		if [ "$$os" = windows ]; then exe=.exe; ext=zip; fi; \
		name=purgeset-$(VERSION)-$$os-$$arch; \
		echo "dist: $$name.$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build $(DIST_FLAGS) -o $(DIST)/.work/$$name/purgeset$$exe ./cmd/purgeset; \
		$(DIST)/.work/purgedist$(EXE) archive -o $(DIST)/$$name.$$ext -prefix $$name -mtime $(SOURCE_DATE_EPOCH) \
			-exec purgeset$$exe purgeset$$exe=$(DIST)/.work/$$name/purgeset$$exe $(DIST_FILES); \
	done
	$(DIST)/.work/purgedist$(EXE) sums $(DIST)
	rm -rf $(DIST)/.work
	@cat $(DIST)/SHA256SUMS

dist-check: ## make dist twice, the second in a copy of the tree elsewhere, and compare SHA256SUMS
	$(MAKE) dist
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	tar -cf - --exclude=./$(DIST) --exclude=./bin --exclude=./out --exclude=./.git --exclude=./bench/data . | tar -xf - -C "$$tmp" && \
	$(MAKE) -C "$$tmp" dist VERSION='$(VERSION)' COMMIT='$(COMMIT)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' DIST_TARGETS='$(DIST_TARGETS)' >/dev/null && \
	if cmp -s $(DIST)/SHA256SUMS "$$tmp/$(DIST)/SHA256SUMS"; then echo "dist-check: two builds agree byte for byte"; \
	else diff $(DIST)/SHA256SUMS "$$tmp/$(DIST)/SHA256SUMS"; echo "dist-check: the builds differ"; exit 1; fi

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

clean: ## remove build output, ./out and ./dist
	rm -rf bin $(OUT) $(DIST)
