# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
CONFIG ?= config/monitor.toml

.PHONY: install run test lint bench replay clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/monitor --config $(CONFIG) run

test: $(STAMP)
	$(PY) -m ruff check monitor tests benchmarks
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check monitor tests benchmarks
	$(PY) -m mypy monitor

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

replay: $(STAMP)
	$(VENV)/bin/monitor --config $(CONFIG) replay seeds/

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache
