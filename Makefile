# venuekit — every task a developer or CI runs. Only python3 (>= 3.11) and make are assumed:
# the first target that needs tools creates .venv and installs the pinned, hash-checked set.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install specs spec-report generate check-generated check-wheel lint typecheck test demo cassettes record-live \
        bench-signers bench load-test load-test-shared lock wheel clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

$(STAMP): requirements/dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "venuekit needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	@touch $@

install: $(STAMP)  ## create .venv with the pinned dev dependencies and venuekit (editable)

# `make specs` snapshots specs/ first, so that every spec it rewrites gets its change report printed
# (informational: it never fails the target; run `make spec-report` for the exit code).
SPECS_BEFORE := build/specs-before
specs: $(STAMP)  ## rebuild specs/<venue>.yaml (extract from specs/pages/, derive from specs/upstream/); report what changed
	@rm -rf $(SPECS_BEFORE) && mkdir -p $(SPECS_BEFORE) && cp $(wildcard specs/*.yaml specs/*.yml specs/*.json) $(SPECS_BEFORE)/
	$(PY) scripts/extract_specs.py
	$(PY) scripts/derive_specs.py
	@$(PY) scripts/spec_report.py --exit-zero $(SPECS_BEFORE) specs

# OLD=a.yaml NEW=b.yaml compares two files; otherwise specs/ against git's SPEC_REV (default HEAD).
# SPEC_REPORT_ARGS=--json for CI. Exit code: 0 no change, 1 nothing breaks, 2 something breaks.
SPEC_REV ?= HEAD
spec-report: $(STAMP)  ## what changed in specs/ since git's SPEC_REV (or OLD= NEW=), classified for venuekit
	$(PY) scripts/spec_report.py $(if $(OLD),$(OLD) $(NEW),--since $(SPEC_REV) specs) $(SPEC_REPORT_ARGS)

generate: $(STAMP)  ## regenerate generated/ from specs/ with openapi-python-client
	$(PY) scripts/generate.py

check-generated: $(STAMP)  ## fail with the diff when specs/ or generated/ is stale
	$(PY) scripts/extract_specs.py --check
	$(PY) scripts/derive_specs.py --check
	$(PY) scripts/generate.py --check

lint: $(STAMP)  ## ruff (lint + format check)
	$(BIN)/ruff check --no-cache wrapper tests scripts
	$(BIN)/ruff format --no-cache --check wrapper tests scripts

typecheck: $(STAMP)  ## mypy --strict on wrapper/
	$(BIN)/mypy --strict wrapper/venuekit

test: lint typecheck check-generated check-wheel  ## everything CI checks: lint, types, generated code, wheel, tests
	$(PY) -m pytest

check-wheel: $(STAMP)  ## build the wheel, install it in a clean venv, import its packages
	$(PY) scripts/check_wheel.py

demo: $(STAMP)  ## cancel orders on all three venues against the embedded local sandbox
	$(PY) scripts/demo.py

cassettes: $(STAMP)  ## re-record the cassettes against the local sandbox
	$(PY) scripts/record_cassettes.py

record-live: $(STAMP)  ## record the venues' own sandboxes and Deribit's testnet (needs credentials; never in CI)
	$(PY) scripts/record_cassettes.py --live

bench-signers: $(STAMP)  ## signatures per second for each signer
	$(PY) scripts/bench_signers.py

# The benchmark contenders (ccxt) and the chart (matplotlib) live in their own venv: ccxt pins
# versions the dev set does not use, and neither is ever a venuekit dependency.
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
$(BENCH_STAMP): requirements/bench.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bench.txt
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	@touch $@

bench: $(BENCH_STAMP)  ## ~3 min: cancel latency vs raw httpx and ccxt (Exchange, Deribit), bulk at the venue's limit, signers, imports, memory, hostile answers (writes scripts/benchmarks/results/)
	$(BENCH_VENV)/bin/python scripts/benchmarks/bench.py

# Two profiles, about 45 s each: `default` (2,000 cancels through a faulty sandbox in a thread) and
# `harsh` (900 cancels, more faults and bad orders, the sandbox process SIGKILLed and restarted on
# its journal mid-run). Each prints the summary and every order's outcome judged against the
# sandbox's book (build/load-test/<profile>.csv); it fails on a false "cancelled", a lost or a
# duplicated outcome. LOAD_TEST_ARGS=--sync runs both with Client instead of AsyncClient.
load-test: $(STAMP)  ## 2,000 cancels through sandbox faults, then 900 with the sandbox killed mid-run; each order checked against the book
	$(PY) scripts/load_test.py --profile default $(LOAD_TEST_ARGS)
	$(PY) scripts/load_test.py --profile harsh $(LOAD_TEST_ARGS)

load-test-shared: $(STAMP)  ## 4 processes, one key, one valkey-server: shared budget vs none, store outage
	$(PY) scripts/load_test_shared.py

lock: $(STAMP)  ## re-pin requirements/dev.txt and bench.txt from their .in files (needs the package index)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o requirements/dev.txt requirements/dev.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o requirements/bench.txt requirements/bench.in

wheel: $(STAMP)  ## build the wheel into dist/
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

clean:  ## remove the venv, build output and caches
	rm -rf $(VENV) $(BENCH_VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
