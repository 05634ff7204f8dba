# The two commands of the README: `make demo` and `make test`. Each creates the
# virtual environment and installs tilint (with its test tools) on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CORE := $(VENV)/.tilint-core
STAMP := $(VENV)/.tilint-installed
# what the tests need beyond the core: test tools and every optional extra
EXTRAS := dev,dask,spark,lsp

.PHONY: demo test test-fast bench docs clean train eval

# `make demo` needs only the core install (no Dask, no Spark)
$(CORE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(CORE)

$(STAMP): $(CORE)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(CORE)
	@echo "== tilint check examples/ =="
	@$(VENV)/bin/tilint check examples/ || [ $$? -eq 1 ]
	@echo
	@echo "== tilint coverage examples/ =="
	@$(VENV)/bin/tilint coverage examples/
	@echo
	@echo "== tilint review examples/housing-support-policy.docx .pdf (reviewed copies in build/review/) =="
	@mkdir -p build/review
	@$(VENV)/bin/tilint review examples/housing-support-policy.docx examples/housing-support-policy.pdf --track-changes --output-dir build/review --force

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/lsp_latency.py
	$(PY) benchmarks/scale.py

.PHONY: eval-language
eval-language: $(STAMP)  # language findings on ../shared/corpus, 0.1.0 (cea6351) beside this tree
	$(PY) benchmarks/language_eval.py --before cea6351

# the coverage classifier: rebuilt from training/ (corpus, config, seed) into the package
train: $(STAMP)
	$(PY) training/train.py

# cross-validation on the training corpus, the real sets of ../shared/corpus, before/after
eval: $(STAMP)  # both real-text measures: coverage, then language findings
	$(PY) benchmarks/coverage_eval.py
	$(PY) benchmarks/language_eval.py --before cea6351

# LemmInflect's answers for the bundled rules' words (src/tilint/_inflections.json; see tilint.inflection)
.PHONY: inflections
inflections: $(STAMP)
	$(PY) -m tilint.inflection

docs: $(STAMP)
	$(VENV)/bin/tilint rules --format markdown > docs/rules.md

# mypy over the package, as configured in pyproject.toml ([tool.mypy]); tests/test_typing.py runs it too
.PHONY: typecheck
typecheck: $(STAMP)
	$(PY) -m mypy

# property-based fuzzing of every reader (tests/test_fuzz.py); `make test` runs it briefly
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: $(STAMP)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(PY) -m pytest tests/test_fuzz.py -q -s -p no:cacheprovider

clean:
	rm -rf $(VENV) build dist .pytest_cache
