# The two commands of the README: `make demo` and `make test`. Each creates the
# virtual environment and installs tilint (with its test tools) on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tilint-installed

.PHONY: demo test test-fast bench docs clean train eval

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	@echo "== tilint check examples/ =="
	@$(VENV)/bin/tilint check examples/ || [ $$? -eq 1 ]
	@echo
	@echo "== tilint coverage examples/ =="
	@$(VENV)/bin/tilint coverage examples/

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

bench: $(STAMP)
	$(PY) benchmarks/run.py

# the coverage classifier: rebuilt from training/ (corpus, config, seed) into the package
train: $(STAMP)
	$(PY) training/train.py

# cross-validation on the training corpus, the real sets of ../shared/corpus, before/after
eval: $(STAMP)
	$(PY) benchmarks/coverage_eval.py

docs: $(STAMP)
	$(VENV)/bin/tilint rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) build dist .pytest_cache
