# The two commands: `make run` serves everything on http://127.0.0.1:8000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest eval bench mutate lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (exact versions, so two machines run the same code); `make lock` updates them.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/dinsos-bot serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot handlers knowledge tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# Two processes per layer (pytest-xdist): the run takes about 14 minutes on 2 cores instead of 20. `-n` stays out
# of pyproject's addopts, where it would blind mutmut's stats pass (see docs/testing.md).
XDIST ?= -n 2
pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -q $(XDIST) -m "not e2e"
	$(BIN)/pytest -q $(XDIST) -m e2e

test: lint typecheck pytest

# Every question set (public and our own): score, confusion table of intents, wrong-service answers (must be 0).
eval: $(VENV)/.installed
	$(BIN)/python -m tests.eval.report

mutate: $(VENV)/.installed-dev
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo
	$(BIN)/mutmut results

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/answers.py

# Re-resolve the dependency ranges of pyproject.toml to the newest versions, then run `make test`.
LOCK := $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(LOCK) --upgrade -o requirements.lock pyproject.toml
	$(LOCK) --upgrade --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache mutants
