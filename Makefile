# Two commands: `make run` brings the whole platform up with a demo store; `make test` runs the suite.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install lint bench clean-data

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel setuptools
	# llama-cpp-python builds from source (~7 min on 2 cores) once; pip's wheel cache keeps it.
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip install --quiet -c constraints.txt ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py run_platform

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff format --check apps supportbot tests benchmarks
	$(VENV)/bin/ruff check apps supportbot tests benchmarks

# Benchmarks (not tests): each prints a table and writes benchmarks/results/*.json.
bench: $(STAMP)
	$(PY) benchmarks/bench_bundle.py
	$(PY) benchmarks/bench_retrieval.py
	$(PY) -m benchmarks.bench_slm_raw --threads 2
	$(PY) -m benchmarks.bench_pipeline --threads 2
	$(PY) -m benchmarks.bench_adapter --threads 2
	$(PY) -m benchmarks.bench_chat
