# One target per developer action; CI runs `make lint test` (see .ci/run).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install bytecode run test lint check bench bench-scale bench-homeq-scale bench-state bench-cold contract proxy clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Our modules' bytecode, as pip writes it for installed packages (only what changed; PYTHONDONTWRITEBYTECODE,
# which containers often set, would otherwise leave every start compiling them from source: ~0.15 s).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q mockserver

## Serve every API in specs/ on http://$(HOST):$(PORT) (PORT, HOST, SEED, ANCHOR_DATE, VOLUME overridable); RELOAD=1 restarts it on a change of the specs, fixtures or code.
run: bytecode
	$(BIN)/python -m mockserver run $(if $(RELOAD),--reload)

## Every test: unit, behaviour and Schemathesis contract tests (in-process).
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile

## Specs (openapi-spec-validator), code style (ruff), types (mypy) and layering (import-linter, .importlinter).
lint: $(STAMP)
	$(BIN)/python -m openapi_spec_validator specs/*.yaml mockserver/admin/openapi.yaml
	$(BIN)/python -m mockserver lint --junit reports/lint.xml
	$(BIN)/python -m ruff check mockserver tests contract_tests bench
	$(BIN)/python -m ruff format --check mockserver tests contract_tests bench
	$(BIN)/python -m mypy
	$(BIN)/lint-imports --no-cache

## Fuzz a deployment with Schemathesis: make contract URL=https://staging.example.com [API=portal] [ARGS="-n 50"].
URL ?= http://127.0.0.1:8000
contract: $(STAMP)
	$(BIN)/python -m mockserver contract --base-url $(URL) $(if $(API),--api $(API)) $(ARGS)

## Validate live traffic: make proxy TARGET=https://staging.example.com [PORT=8001] [API=portal].
proxy: $(STAMP)
	$(BIN)/python -m mockserver proxy --target $(TARGET) $(if $(API),--api $(API)) $(ARGS)

## Our mock vs Prism (-v silent) vs bare Starlette: req/s, p50/p99, cold start, RSS (installs Prism and autocannon from npm into bench/); BENCH_ARGS="--duration 10 --rounds 3 --api portal" (the servers take turns on each workload).
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Per-request time with 1k, 100k and 1M records in the store (flat is the target) and bytes per record.
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py $(BENCH_ARGS)

## HomeQ's inventory and card search with 1k and 100k apartments (BENCH_ARGS="--sizes 1000,100000").
bench-homeq-scale: $(STAMP)
	$(BIN)/python bench/homeq_scale.py $(BENCH_ARGS)

## Write workloads without and with a state folder (STATE_DIR), taking turns (BENCH_ARGS="--duration 5 --rounds 4").
bench-state: $(STAMP)
	$(BIN)/python bench/persistence.py $(BENCH_ARGS)

## Cold start of the whole server until its first answer, timed several times (median).
bench-cold: $(STAMP)
	$(BIN)/python bench/cold_start.py $(BENCH_ARGS)

## What CI runs, plus lint.
check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis reports
