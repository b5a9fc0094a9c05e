# Two commands on a fresh clone: `make site` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test serve validate lint format clean browser bench

site: $(STAMP)
	$(BIN)/kb build

serve: $(STAMP)
	$(BIN)/kb serve

validate: $(STAMP)
	$(BIN)/kb validate

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The benchmark (not a test): SIZES=1000,10000,50000 by default; figures go to bench/results.json.
SIZES ?= 1000,10000,50000
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES) --out bench/results.json

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench

format: $(STAMP)
	$(BIN)/ruff check --fix generator tests bench
	$(BIN)/ruff format generator tests bench

# The virtual environment, with the project and its test tools, rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium; install it when missing and we can.
browser:
	@scripts/ensure-chromium

clean:
	rm -rf site generated .site.* $(VENV)
