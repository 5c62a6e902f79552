# nnsimd — build, test and run. `make help` lists the targets.

GO      ?= go
QEMU    ?= qemu-aarch64-static
BUILD   := build
export GOFLAGS := -buildvcs=false

.PHONY: help run test vet test-go test-purego test-arm64 bench

help:
	@echo "make run          train full MNIST and print test accuracy (the main job)"
	@echo "make test         vet, all tests on this CPU, purego, and arm64 under qemu"
	@echo "make bench        kernel throughput table for every ISA this CPU has"

run: bench

test: vet test-go test-purego test-arm64

vet:
	$(GO) vet ./...
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./kernels/...
	CGO_ENABLED=0 $(GO) vet -tags purego ./kernels/...

test-go:
	$(GO) test ./...

# The generic code alone, as the purego tag and other architectures build it.
test-purego:
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) test -tags purego ./kernels/...

# The arm64 (NEON) build, cross-compiled and run under qemu user emulation.
test-arm64:
	@if ! command -v $(QEMU) >/dev/null 2>&1; then \
		echo "############################################################"; \
		echo "## $(QEMU) not found: the arm64 (NEON) tests did NOT run."; \
		echo "## Install it with: apt-get install qemu-user-static"; \
		echo "############################################################"; \
		if [ "$$CI" = true ]; then exit 1; fi; \
	else \
		mkdir -p $(BUILD)/arm64 && \
		for p in kernels; do \
			GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) test -c -o $(BUILD)/arm64/$$p.test ./$$p || exit 1; \
			(cd $$p && $(QEMU) ../$(BUILD)/arm64/$$p.test -test.short) || exit 1; \
		done; \
	fi

bench:
	$(GO) test -run '^$$' -bench . ./kernels/
