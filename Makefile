# Two commands matter: `make demo` and `make test`. Both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
BYTECODE := $(VENV)/.bytecode
export THADS_HOME ?= $(CURDIR)/.thads

.PHONY: venv demo test test-fast lint lock bench bench-quick clean airflow airflow-stop

venv: $(STAMP) $(BYTECODE)

# The lock file pins every package; uv installs exactly that set (fast, offline
# from the registries), then our own code in editable mode without re-resolving.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . --config-settings editable_mode=compat
	@touch $(STAMP)

# Bytecode of every installed package, compiled once here. Where PYTHONDONTWRITEBYTECODE is
# set, Python never caches what it compiles, so each `thads` process would recompile Great
# Expectations, pandas and the rest from source (~5 s of CPU for GX alone, bench/RESULTS.md).
# A few files in site-packages are templates that do not compile: not an error.
$(BYTECODE): $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true
	@touch $(BYTECODE)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	    --python-platform x86_64-manylinux_2_28 -o requirements.lock

demo: venv
	@bash scripts/demo.sh

# Airflow without Docker: settings + secrets once in .airflow/airflow.env, then api-server,
# scheduler, dag-processor and triggerer in the background (docs/airflow.md).
airflow: venv
	@bash scripts/airflow.sh start

airflow-stop:
	@bash scripts/airflow.sh stop

test: venv
	$(BIN)/python -m pytest -p no:cacheprovider tests

# Everything but the tests marked slow (full dbt builds, DAG runs, a whole landing zone)
# or integration (real PostgreSQL): the loop to run while changing code.
test-fast: venv
	$(BIN)/python -m pytest -p no:cacheprovider -m "not slow and not integration" tests

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: venv
	$(BIN)/python -m bench.run

# The whole-cycle benchmarks on a tiny zone: proves they run, writes nothing.
bench-quick: venv
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) .thads dbt_project/target dbt_project/logs
