# tlstop: `make run` sets up and analyzes a capture; `make test` sets up and runs the tests.
SHELL := /bin/bash
APT_PACKAGES := libpcap-dev libncurses-dev openssl curl iproute2 tmux
SWIFT ?= swift
CAPTURE ?= Tests/Fixtures/pcaps/many-conns.pcap
EXPORT ?= /tmp/tlstop-snapshot.json

.PHONY: setup build release run test fuzz bench flood-bench format clean

# Installs the Debian packages the build and the tests need (only the missing ones).
setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

run: release
	.build/release/tlstop -r $(CAPTURE) --batch --export $(EXPORT)

test: setup
	@# Fuzz smoke first (so the test runner's summary closes the output): replay every committed
	@# crash input, then 12 s per libFuzzer target.
	FUZZ_CONFIG=debug timeout --kill-after=30 1800 Tests/Fuzz/fuzz.sh 12
	$(SWIFT) build --build-tests
	@# A hung test must fail the run, not use up CI's 90 minutes: the suite takes about 5.
	timeout --kill-after=30 1800 $(SWIFT) test --skip-build

# Long fuzzing runs: FUZZ_SECONDS per target (default 10 minutes).
fuzz: setup
	Tests/Fuzz/fuzz.sh $${FUZZ_SECONDS:-600}

bench: release
	Tests/Bench/bench.sh

# Hostile traffic: SYN flood, a million connections, unanswered hellos, out-of-order, 1-byte hellos.
flood-bench: release
	Tests/Bench/flood-bench.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
