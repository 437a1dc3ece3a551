# Solidarity Hub — the entry points people type.
# `make run` starts the whole platform locally; `make test` runs every test against real servers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_DIR := .run
# pytest-xdist workers for the suites, then for the fault suite (see tests/conftest.py); 0 runs a part in one process.
TEST_WORKERS ?= 2
FAULT_WORKERS ?= 2

.PHONY: install run stop test unit bench bench-platform lint format config-reference requirements clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@bash deploy/local/run-platform.sh

stop:
	@bash deploy/local/stop-platform.sh

# Chromium's install, the servers' and tools' first build (tests/prepare.py) and the layers' check run side by side.
test: install
	@$(BIN)/python -m tests.prepare & prepared=$$!; $(BIN)/lint-imports --no-cache & layered=$$!; \
		bash tests/browser/ensure-chromium.sh; chromium=$$?; wait $$prepared && wait $$layered && exit $$chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --no-loadscope-reorder --ignore=tests/faults
	$(BIN)/pytest -n $(FAULT_WORKERS) --no-loadscope-reorder tests/faults

unit: install
	$(BIN)/pytest tests/unit tests/contract

bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.platform

# The whole platform as its processes under a mix of what people do (bench/README.md, "The whole platform").
bench-platform: install
	$(BIN)/python -m bench.platform

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

config-reference: install
	$(BIN)/python -m shared.config_reference shared services --write deploy/README.md

requirements: install
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_36 --custom-compile-command "make requirements" \
		--output-file deploy/docker/requirements.txt

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: stop
	rm -rf $(RUN_DIR) .pytest_cache .ruff_cache
