# The two commands: `make run` serves everything on http://127.0.0.1:8000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest eval bench mutate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/dinsos-bot serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot handlers knowledge tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m "not e2e"
	$(BIN)/pytest -q -m e2e

test: lint typecheck pytest

eval: $(VENV)/.installed
	$(PYTHON) ../shared/eval/score.py ../shared/eval/dev-questions.jsonl --cmd "$(BIN)/dinsos-bot ask" --quiet

mutate: $(VENV)/.installed-dev
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo
	$(BIN)/mutmut results

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/answers.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache mutants
