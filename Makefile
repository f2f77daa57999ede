# kiosk-agent — the two commands for a fresh machine are `make demo` and `make test`.
SHELL := /bin/bash
NPM_STAMP := node_modules/.package-lock.json
# Debian packages the test suite drives for real: socat (serial pty pairs), mosquitto (broker),
# mosquitto-clients (the bench baseline), nut-server (upsd + dummy-ups), chromium (dashboard pages),
# postgresql (the fleet's PostgreSQL repository), tmux (the operator console's terminal).
TEST_DEBS := socat mosquitto mosquitto-clients nut-server chromium postgresql tmux
TEST_BINS := socat mosquitto mosquitto_pub upsd chromium tmux

.PHONY: all deps system-deps build test check lint typecheck bench load contract demo clean

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

deps: $(NPM_STAMP)

# Installs the Debian packages the tests need, only when one of their programs is missing.
system-deps:
	@missing=""; for b in $(TEST_BINS); do command -v $$b >/dev/null 2>&1 || [ -x /usr/sbin/$$b ] || [ -x /sbin/$$b ] || [ -x /usr/lib/nut/$$b ] || missing="$$missing $$b"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing initdb"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(TEST_DEBS) >/dev/null; \
	fi

build: deps
	npx tsc -p tsconfig.build.json

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

lint: deps
	npx eslint .

check: typecheck lint

# Runs the whole suite and ends with one line: N passed, N failed[, N skipped].
test: deps system-deps build
	@set -o pipefail; rc=0; npx tap --reporter=terse 2>&1 | tee .tap-output.txt || rc=$$?; \
	node scripts/tap-summary.mjs .tap-output.txt; exit $$rc

contract: build
	node dist/scripts/gen-contract.js

bench: build system-deps
	node dist/bench/run.js

# The fleet under a full fleet's traffic (by hand, ~12 min): LOAD_KIOSKS (10000), LOAD_MINUTES (10),
# LOAD_EVENTS_PER_HOUR (6). Writes the fleet/load section of BENCHMARKS.md.
load: build system-deps
	node dist/bench/fleet/_load.js

# The demo kiosks' fingerprint readers are simulated on socat pty pairs.
demo: build
	@command -v socat >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends socat >/dev/null; }
	node dist/scripts/demo.js

clean:
	rm -rf dist .tap .tap-output.txt .demo
