# The two commands a user needs (README): `make demo` and `make test`. Both install missing
# dependencies first (scripts/install-deps.sh), then build with CMake + Ninja.
BUILD_DIR ?= build/release
SANITIZE_DIR := build/asan
TIDY_DIR := build/tidy
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test test-release test-sanitize tidy check-format bench format clean

all: build

deps:
	@scripts/install-deps.sh

# OT_E2E_REQUIRE_CLIENTS: after install-deps every e2e client is there, so a missing one is an
# error here rather than a suite quietly left out (tests/e2e/CMakeLists.txt).
# -g1 (line tables only) instead of RelWithDebInfo's -g: backtraces and profiles still name files
# and lines, and the build takes a fifth less time (CI's budget is 30 minutes).
# The benchmarks (bench/) are built by `make bench`, which runs them; `make test` and `make demo`
# leave them out (clang-tidy still checks their sources).
# The unit, reference and fuzz-replay tests run in the ASan build (test-sanitize); the release
# build leaves them out unless UNIT_TESTS=ON and runs the end-to-end suites against the release
# binary. Every test runs once: building and running the unit tests a second time at -O2 cost
# `make test` about four minutes (a third of the release build's files are tests).
BENCHMARKS ?= OFF
UNIT_TESTS ?= OFF
build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOT_WERROR=ON \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DOT_E2E_REQUIRE_CLIENTS=ON \
	  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 \
	  -DOT_BUILD_BENCHMARKS=$(BENCHMARKS) -DOT_BUILD_UNIT_TESTS=$(UNIT_TESTS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The rehearsal of the seed's transfer on an embedded twin (README). scripts/demo-cli.sh is the
# older tour of the twin with the AWS CLI.
demo: build
	@$(BUILD_DIR)/src/cli/orgtwin rehearse examples/shared-payer.yaml

# Every check CI runs (.ci/run is `make test`), in this order: formatting, the unit tests under
# ASan+UBSan, the release build's end-to-end tests with clang-tidy beside them. From scratch on
# two idle cores the serial order took 31.6 minutes (a clean clone, 2026-12-04, with the engine:
# dependencies and ASan build and tests 8, release build 9.5 and tests 3.5, tidy 10.5), over
# CI's 30; hence no benchmarks in this build and the tests beside tidy: 27.6 minutes (1,658 s).
# The root user's work brought it to 30.7 minutes (1,842 s); the release build then stopped
# building the unit tests the ASan build runs (UNIT_TESTS above): 27.2 minutes (1,634 s). With
# the audit trail, CloudTrail trails, EventBridge and SNS (issue 13): 26.2 minutes (1,574 s); with
# the compact stored events and playbook task III.7: 27.7 minutes (1,663 s). A precompiled
# header for the Clang builds (cmake/precompiled.h) took the ASan build from 8.0 to 5.3 minutes.
# With billing, on a slower day: 32.2 minutes (1,933 s), tidy alone about 18 of them after the
# release build. So tidy now starts with the release build instead of after it, reads the
# precompiled header, and leaves out bugprone-reserved-identifier (.clang-tidy says why): 31.0
# minutes (1,861 s) the same day, the cores saturated (60 CPU-minutes); tidy is a third of that.
# CI then took 35.0 minutes (2,097 s). Unity builds (batches of eight files) for the release build
# and for clang-tidy (the tidy preset) parse the heavy headers once per batch: release build 2.8
# instead of 9.5 minutes, tidy 14 instead of 23 CPU-minutes; a clean clone took 21.4 minutes
# (1,281 s, 2026-12-05, 41.5 CPU-minutes).
# The release build, its tests and clang-tidy run side by side (output kept per target): linking
# and the end-to-end suites leave the cores part idle (client start-up, servers starting), which
# tidy fills.
test: check-format test-sanitize
	@$(MAKE) --no-print-directory -j 2 --output-sync=target test-release tidy

test-release: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The asan preset (clang, Debug, ASan+UBSan, warnings as errors) runs every test but the e2e
# suites: those drive a server with real clients whose time goes to Python and Node start-up,
# not to our code, and the unit, fuzz-corpus and reference tests already run every layer of it
# (the server ones over real sockets).
test-sanitize: deps
	@cmake --preset asan >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@cd $(SANITIZE_DIR) && ctest --output-on-failure -j $(JOBS) --label-exclude e2e

# clang-tidy with .clang-tidy over every C++ file of ours in the compile database of the tidy
# preset (clang, benchmarks included). Only the precompiled header is built (cmake/
# precompiled.h): tidy reads it instead of parsing those headers again for every file, a tenth
# of its time.
tidy: deps
	@cmake --preset tidy >/dev/null
	@cmake --build $(TIDY_DIR) --target orgtwin_pch >/dev/null
	@run-clang-tidy-14 -p $(TIDY_DIR) -quiet -j $(JOBS) \
	  '^$(CURDIR)/((src|tests|bench)/|$(TIDY_DIR)/.*/Unity/unity_[0-9]+_cxx\.cxx$$)'

check-format:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

bench:
	@$(MAKE) --no-print-directory build BENCHMARKS=ON
	@scripts/bench.sh $(BUILD_DIR)
	@scripts/bench_iam_orgs.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	@rm -rf build
