# nnsimd — build, test and run. `make help` lists the targets.

GO      ?= go
QEMU    ?= qemu-aarch64-static
BUILD   := build
export GOFLAGS := -buildvcs=false

.PHONY: help run test vet test-go test-purego test-arm64 bench bench-go bench-compare

help:
	@echo "make run          train full MNIST and print test accuracy (the main job)"
	@echo "make test         vet, all tests on this CPU, purego, and arm64 under qemu"
	@echo "make bench        kernel throughput table for every ISA this CPU has"
	@echo "make lib          build/libnnsimd.so + build/nnsimd.h (the C library)"
	@echo "make python       the library inside python/nnsimd (PYTHONPATH=python)"
	@echo "make test-c       C API test program, also under valgrind"
	@echo "make test-python  the Python package's tests (PYTHON=$(PYTHON))"
	@echo "make fuzz         each fuzz target for FUZZTIME (default 60s)"
	@echo "make bench-go     the same kernels as go test benchmarks (for benchstat)"
	@echo "make bench-compare  nnsimd beside OpenBLAS (libopenblas-dev) and gonum"
	@echo "make bench-train  full-MNIST training beside PyTorch, numpy, gonum and nnsimd from Python"

# Builds the CLI and trains 784-256-10 on full MNIST with its defaults
# (relu, softmax cross-entropy, batch 64, lr 0.05, momentum 0.9, 6 epochs):
# about 98% test accuracy in well under 30 s on two cores.
run:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/nnsimd ./cmd/nnsimd
	$(BUILD)/nnsimd train -save $(BUILD)/model.nnsm -png $(BUILD)/weights.png

test: vet test-go test-purego test-arm64 test-c test-python test-fuzz test-race

vet:
	$(GO) vet ./...
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./kernels/...
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./bench/...
	CGO_ENABLED=0 $(GO) vet -tags purego ./kernels/...

test-go:
	$(GO) test ./...

# The generic code alone, as the purego tag and other architectures build it.
test-purego:
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) test -tags purego ./kernels/...
	CGO_ENABLED=0 $(GO) test -short -tags purego ./nn/

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
		for p in kernels nn; do \
			GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) test -c -o $(BUILD)/arm64/$$p.test ./$$p || exit 1; \
			(cd $$p && $(QEMU) ../$(BUILD)/arm64/$$p.test -test.short) || exit 1; \
		done; \
	fi

# The table: ns/op, GFLOP/s, GB/s and the fraction of this machine's probed
# ceilings per kernel × ISA × size. BENCHFLAGS=-quick for a short run,
# BENCHFLAGS=-runs 60 on a busy machine (also for bench-compare).
bench:
	$(GO) run ./bench/kernels $(BENCHFLAGS)

bench-go:
	$(GO) test -run '^$$' -bench . ./kernels/

# OpenBLAS single-threaded, timed inside C; gonum and nnsimd on one core.
bench-compare:
	OPENBLAS_NUM_THREADS=1 $(GO) run -tags openblas ./bench/compare $(BENCHFLAGS)

# Full-MNIST training side by side: nnsimd, nnsimd through its Python
# package (hence the library first), PyTorch and numpy (Debian's
# python3-torch / python3-numpy under /usr/bin/python3) and gonum, one run
# at a time; TRAINFLAGS e.g. -suite minibatch -reps 3 -json train.jsonl.
.PHONY: bench-train
bench-train: lib
	$(GO) run ./bench/train $(TRAINFLAGS)

# The C shared library: build/libnnsimd.so, the public header build/nnsimd.h
# (capi/nnsimd.h) and cgo's generated build/libnnsimd.h.
PYTHON   ?= /usr/bin/python3
VALGRIND ?= valgrind
.PHONY: lib python test-c test-python

lib:
	$(GO) build -buildmode=c-shared -o $(BUILD)/libnnsimd.so ./capi
	cp capi/nnsimd.h $(BUILD)/nnsimd.h

# The header is C99 and C++ clean; the C test program exercises every
# function and error path, then runs again (reduced) under valgrind.
test-c: lib
	gcc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c capi/nnsimd.h
	g++ -Wall -Wextra -Werror -fsyntax-only -x c++ capi/nnsimd.h
	$(GO) test -count=1 ./capi
	gcc -std=c99 -Wall -Wextra -Werror -O1 -g -pthread -I$(BUILD) -o $(BUILD)/test_capi capi/test/test_capi.c \
		-L$(BUILD) -lnnsimd -Wl,-rpath,$(abspath $(BUILD)) -lm
	$(BUILD)/test_capi
	@if command -v $(VALGRIND) >/dev/null 2>&1; then \
		set -e; mkdir -p $(BUILD)/valgrind; \
		$(GO) build -tags valgrind -ldflags=-w -buildmode=c-shared -o $(BUILD)/valgrind/libnnsimd.so ./capi; \
		gcc -std=c99 -O1 -g -pthread -I$(BUILD) -o $(BUILD)/valgrind/test_capi capi/test/test_capi.c \
			-L$(BUILD)/valgrind -lnnsimd -Wl,-rpath,$(abspath $(BUILD))/valgrind -lm; \
		echo "$(VALGRIND) $(BUILD)/valgrind/test_capi (reduced: NNSIMD_TEST_QUICK=1)"; \
		NNSIMD_TEST_QUICK=1 GODEBUG=asyncpreemptoff=1 $(VALGRIND) -q --error-exitcode=1 --leak-check=no \
			--suppressions=capi/test/go.supp $(BUILD)/valgrind/test_capi; \
	else \
		echo "## $(VALGRIND) not found: the C tests did NOT run under valgrind"; \
		if [ "$$CI" = true ]; then exit 1; fi; \
	fi

# The Python package with the library inside it, for PYTHONPATH=python.
python: lib
	cp $(BUILD)/libnnsimd.so $(BUILD)/nnsimd.h python/nnsimd/

# Once with numpy (if installed) and once on plain buffers only.
test-python: python
	cd python && $(PYTHON) -m pytest -q -p no:cacheprovider tests
	cd python && NNSIMD_NO_NUMPY=1 $(PYTHON) -m pytest -q -p no:cacheprovider tests

# Fuzzing: the model-file reader and the IDX readers. -fuzz takes one target
# of one package per run. test-fuzz runs each briefly in `make test`; `make
# fuzz` longer. Inputs that fail are written to <pkg>/testdata/fuzz/<target>/
# and then run by every plain `go test` as regression cases. test-fuzz counts
# executions instead of seconds: Go 1.26's fuzzing coordinator can fail a run
# whose -fuzztime duration ends while a worker is busy, with "context deadline
# exceeded" and no failing input (go.dev/issue/75804, fixed in Go 1.27), and a
# count has no deadline. 300000 executions take about 20 s for the model
# reader and 8 s for each IDX reader here.
FUZZTIME      ?= 60s
TESTFUZZTIME  ?= 300000x
FUZZ_TARGETS  := ./nn/:FuzzReadNetwork ./nn/mnist/:FuzzReadImages ./nn/mnist/:FuzzReadLabels
.PHONY: fuzz test-fuzz test-race

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) $${t%%:*} || exit 1; \
	done

test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(TESTFUZZTIME)

# The race detector (needs cgo). -short: the kernels' exhaustive sweeps are
# slow under -race. TestNoAllocations counts allocations, which the race
# runtime adds, so it is skipped here (it runs in test-go).
test-race:
	$(GO) test -race -short -count=1 -skip '^TestNoAllocations$$' ./...
