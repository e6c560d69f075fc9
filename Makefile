# 就近办 (jiujinban) — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help setup run test test-fast lint format types architecture bench faults browser-deps clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-13s %s\n", $$1, $$2}'

setup: ## Install uv if missing, sync the locked environment, install front-end packages
	@bash scripts/setup.sh

run: setup ## Bring up everything with demo data (services, migrations, API, worker, fake WeChat)
	exec $(VENV)/bin/jiujinban dev

TEST_WORKERS ?= 2

test: setup ## Run the whole suite against real PostgreSQL and Redis (embedded if none), with coverage
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --cov --cov-report=term --cov-fail-under=85

test-fast: setup ## Only unit tests (no services)
	$(PY) -m pytest -m unit

lint: setup ## ruff, mypy --strict, the import-linter contracts, the mini-program's types and tsc
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@bash scripts/miniprogram-types.sh --check

types: setup ## Regenerate the mini-program's TypeScript types from the OpenAPI document
	@bash scripts/miniprogram-types.sh

format: setup ## Format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

architecture: setup ## Count what the architecture's rules still find (ARGS=--verbose lists them)
	$(PY) scripts/architecture_counts.py $(ARGS)

# make has no --profile option of its own: `make bench PROFILE=province [SOAK=1] [ARGS="--minutes 2"]`
# runs `python -m bench.run --profile province [--soak] --minutes 2` (docs/benchmarks.md).
BENCH_FLAGS = $(if $(PROFILE),--profile $(PROFILE)) $(if $(SOAK),--soak) $(ARGS)

bench: setup ## Benchmarks (≈ 12 min, + 25 the first time); PROFILE=province [SOAK=1] [ARGS=…]: a province's day
	@bash scripts/install-bench.sh
	$(PY) -m bench.run $(BENCH_FLAGS)

faults: setup ## Every fault scenario against real processes, one table of what survived: see docs/faults.md
	$(PY) -m bench.faults $(ARGS)

browser-deps: ## Install Chromium and the CJK fonts for the browser tests and the PDF notices (Debian, as root)
	@bash scripts/install-browser.sh

clean: ## Remove local data of embedded services and caches
	rm -rf .data test-artifacts .pytest_cache .mypy_cache .ruff_cache
