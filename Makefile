# Lamina's two front doors:
#   make run   installs what is needed, builds, and starts the daemon with embedded defaults
#   make test  installs what is needed, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON ?= /usr/bin/python3
LAMINA_ARGS ?=

.PHONY: all deps test-deps configure build run test unit e2e format format-check clean

all: build

# What building and running need (Debian packages).
deps:
	LAMINA_SKIP_RIC=1 scripts/install-deps.sh

# What the tests need besides: AWS's own runtime client, built once into .cache/ (minutes).
test-deps:
	scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD)/build.ninja

# One build at a time on this machine: concurrent builds would starve each other.
build: deps configure
	flock /tmp/lamina-build.lock cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/lamina serve $(LAMINA_ARGS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

e2e: build test-deps
	LAMINA_BIN=$(abspath $(BUILD)/lamina) $(PYTHON) -m pytest -q tests/e2e tests/runtimes

test: build test-deps format-check
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	LAMINA_BIN=$(abspath $(BUILD)/lamina) $(PYTHON) -m pytest -q tests/e2e tests/runtimes

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

format-check:
	clang-format --dry-run -Werror $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD)
