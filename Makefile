# tlstop: `make run` sets up and opens the dashboard on a demo capture; `make test` sets up and runs the tests.
SHELL := /bin/bash
APT_PACKAGES := libpcap-dev libncurses-dev zlib1g-dev openssl curl iproute2 tmux python3
# Only for `make test`: a real Prometheus and promtool, tcpreplay, the JSON Schema validator, nginx, tcpdump,
# what checks `make install` (man, systemd-analyze, logrotate), and headless Chromium for the HTML report.
TEST_PACKAGES := prometheus tcpreplay python3-jsonschema nginx-light tcpdump man-db systemd logrotate chromium
SWIFT ?= swift
# `make run` opens this demo (Tests/Fixtures/make-demo-capture.py): strong, weak, clear-text and
# post-quantum hosts. TLSTOP names a binary already built (tests, packagers): nothing is built then.
CAPTURE ?= Tests/Fixtures/pcaps/demo.pcap
EXPORT ?= /tmp/tlstop-snapshot.json
TLSTOP ?=

.PHONY: setup test-setup install-packages build release run test lint fuzz fuzz-asan bench flood-bench format clean \
	install uninstall man

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

# On a terminal, the dashboard (q quits); otherwise (CI, pipes) a batch run and its summary.
run: $(if $(TLSTOP),setup,release)
	@binary="$(if $(TLSTOP),$(TLSTOP),.build/release/tlstop)"; \
	if [ -t 0 ] && [ -t 1 ]; then exec "$$binary" -r $(CAPTURE); \
	else exec "$$binary" -r $(CAPTURE) --batch --export $(EXPORT); fi

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

# Every Swift file of ours, with the fuzzing and benchmark packages (not their .build folders).
SWIFT_FILES_ROOTS := Sources Tests/TLSTopCoreTests Tests/TLSTopCaptureTests Tests/TLSTopUITests \
	Tests/TLSTopExportTests Tests/tlstopTests Tests/TestSupport Tests/Fuzz/Sources Tests/Fuzz/Package.swift \
	Tests/Benchmarks/Benchmarks Tests/Benchmarks/Package.swift Package.swift

format:
	$(SWIFT) format --in-place --recursive $(SWIFT_FILES_ROOTS)

# CI fails on any formatting difference (.swift-format); `make format` fixes them.
lint:
	$(SWIFT) format lint --strict --recursive $(SWIFT_FILES_ROOTS)

clean:
	rm -rf .build

# Installing like a system tool: `sudo make install` (PREFIX, DESTDIR, SYSCONFDIR as usual).
# TLSTOP names a binary already built (tests, packagers); without it the release build is made.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share
INSTALLED_BINARY = $(if $(TLSTOP),$(TLSTOP),.build/release/tlstop)
INSTALLED_FILES = $(BINDIR)/tlstop \
	$(foreach theme,$(notdir $(wildcard themes/*.theme)),$(SHAREDIR)/tlstop/themes/$(theme)) \
	$(SHAREDIR)/man/man1/tlstop.1 \
	$(SHAREDIR)/bash-completion/completions/tlstop \
	$(SHAREDIR)/zsh/site-functions/_tlstop \
	$(SHAREDIR)/fish/vendor_completions.d/tlstop.fish \
	$(PREFIX)/lib/systemd/system/tlstop.service \
	$(SYSCONFDIR)/logrotate.d/tlstop

install: $(if $(TLSTOP),,release)
	@test -x "$(INSTALLED_BINARY)" || { echo "make install: no binary at $(INSTALLED_BINARY)"; exit 1; }
	install -D -m 0755 "$(INSTALLED_BINARY)" "$(DESTDIR)$(BINDIR)/tlstop"
	for theme in themes/*.theme; do \
		install -D -m 0644 "$$theme" "$(DESTDIR)$(SHAREDIR)/tlstop/themes/$$(basename $$theme)" || exit 1; done
	@# The man page and completions come from the binary being installed: they cannot drift from it.
	mkdir -p "$(DESTDIR)$(SHAREDIR)/man/man1"
	python3 Tools/make-manpage.py "$(INSTALLED_BINARY)" > "$(DESTDIR)$(SHAREDIR)/man/man1/tlstop.1"
	chmod 0644 "$(DESTDIR)$(SHAREDIR)/man/man1/tlstop.1"
	for shell in bash zsh fish; do \
		case $$shell in bash) to=bash-completion/completions/tlstop;; zsh) to=zsh/site-functions/_tlstop;; \
			fish) to=fish/vendor_completions.d/tlstop.fish;; esac; \
		mkdir -p "$$(dirname "$(DESTDIR)$(SHAREDIR)/$$to")" && \
		"$(INSTALLED_BINARY)" --generate-completion-script $$shell > "$(DESTDIR)$(SHAREDIR)/$$to" && \
		chmod 0644 "$(DESTDIR)$(SHAREDIR)/$$to" || exit 1; done
	mkdir -p "$(DESTDIR)$(PREFIX)/lib/systemd/system"
	sed 's|@BINDIR@|$(BINDIR)|g' dist/tlstop.service > "$(DESTDIR)$(PREFIX)/lib/systemd/system/tlstop.service"
	chmod 0644 "$(DESTDIR)$(PREFIX)/lib/systemd/system/tlstop.service"
	install -D -m 0644 dist/tlstop.logrotate "$(DESTDIR)$(SYSCONFDIR)/logrotate.d/tlstop"

# Removes exactly what install put there, and the folders only tlstop uses.
uninstall:
	rm -f $(addprefix "$(DESTDIR),$(addsuffix ",$(INSTALLED_FILES)))
	-rmdir "$(DESTDIR)$(SHAREDIR)/tlstop/themes" "$(DESTDIR)$(SHAREDIR)/tlstop" 2>/dev/null

# docs/tlstop.1, the page `make install` writes, kept in the repository to read (a test checks it).
man: build
	python3 Tools/make-manpage.py .build/debug/tlstop > docs/tlstop.1
