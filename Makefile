# The two commands a user needs (README): `make demo` and `make test`. Both install missing
# dependencies first (scripts/install-deps.sh), then build with CMake + Ninja.
BUILD_DIR ?= build/release
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOT_WERROR=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/src/cli/orgtwin

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@scripts/bench.sh $(BUILD_DIR)
	@scripts/bench_iam_orgs.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	@rm -rf build
