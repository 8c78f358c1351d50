# tlstop: `make run` sets up and analyzes a capture; `make test` sets up and runs the tests.
SHELL := /bin/bash
APT_PACKAGES := libpcap-dev libncurses-dev zlib1g-dev openssl curl iproute2 tmux
# Only for `make test`: a real Prometheus and promtool, tcpreplay, the JSON Schema validator, nginx, tcpdump.
TEST_PACKAGES := prometheus tcpreplay python3-jsonschema nginx-light tcpdump
SWIFT ?= swift
CAPTURE ?= Tests/Fixtures/pcaps/many-conns.pcap
EXPORT ?= /tmp/tlstop-snapshot.json

.PHONY: setup test-setup install-packages build release run test fuzz fuzz-asan bench flood-bench format clean

# Installs the Debian packages the build needs (only the missing ones).
setup:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(APT_PACKAGES)"

test-setup: setup
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(TEST_PACKAGES)"

# Services in the packages (prometheus) are not started: policy-rc.d says no while installing,
# unless the machine already has a policy of its own.
install-packages:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1; fi; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; status=$$?; \
		if [ -n "$$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
		exit $$status; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

run: release
	.build/release/tlstop -r $(CAPTURE) --batch --export $(EXPORT)

test: test-setup
	@# Fuzz smoke first (so the test runner's summary closes the output): replay every committed
	@# crash input, then 12 s per libFuzzer target.
	FUZZ_CONFIG=debug timeout --kill-after=30 1800 Tests/Fuzz/fuzz.sh 12
	$(SWIFT) build --build-tests
	@# A hung test must fail the run, not use up CI's 90 minutes: the suite takes about 5.
	timeout --kill-after=30 1800 $(SWIFT) test --skip-build

# Long fuzzing runs: FUZZ_SECONDS per target (default 10 minutes).
fuzz: setup
	Tests/Fuzz/fuzz.sh $${FUZZ_SECONDS:-600}

# The same targets under AddressSanitizer as well (Tests/Fuzz/README.md).
fuzz-asan: setup
	FUZZ_ASAN=1 Tests/Fuzz/fuzz.sh $${FUZZ_SECONDS:-600}

bench: release
	Tests/Bench/bench.sh

# Hostile traffic: SYN flood, a million connections, unanswered hellos, out-of-order, 1-byte hellos.
flood-bench: release
	Tests/Bench/flood-bench.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
