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
build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOT_WERROR=ON \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DOT_E2E_REQUIRE_CLIENTS=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The rehearsal of the seed's transfer on an embedded twin (README). scripts/demo-cli.sh is the
# older tour of the twin with the AWS CLI.
demo: build
	@$(BUILD_DIR)/src/cli/orgtwin rehearse examples/shared-payer.yaml

# Every check CI runs (.ci/run is `make test`), in this order: formatting, the unit tests under
# ASan+UBSan, the release build's unit and end-to-end tests, clang-tidy. From scratch on two idle
# cores, about 26 minutes (a clean clone, 2026-12-04: 1,565 s): dependencies and ASan build and
# tests 8, release build 7 and tests 2.5, tidy 9 (154 files).
test: check-format test-sanitize test-release tidy

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
# preset (clang, benchmarks included); configuring is enough, nothing is built.
tidy: deps
	@cmake --preset tidy >/dev/null
	@run-clang-tidy-14 -p $(TIDY_DIR) -quiet -j $(JOBS) '^$(CURDIR)/(src|tests|bench)/'

check-format:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

bench: build
	@scripts/bench.sh $(BUILD_DIR)
	@scripts/bench_iam_orgs.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	@rm -rf build
