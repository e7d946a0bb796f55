# derive: the two commands of the README, and what they stand on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: install install-test tools demo test fuzz lint bench golden screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TESTSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TESTSTAMP)

install: $(STAMP)      ## derive alone: what make demo needs

install-test: $(TESTSTAMP)  ## derive and what the tests need from PyPI

tools:                 ## what the tests need beyond PyPI (Debian and npm packages), installed if missing
	tests/tools/install.sh

demo: install          ## render the default worksheet into output/
	$(BIN)/derive render --out output

test: install-test tools  ## install what is missing, then run every test (none skips for a missing tool)
	$(BIN)/ruff check derive tests
	DERIVE_REQUIRE_TOOLS=1 $(BIN)/python -m pytest -q

fuzz: install-test          ## 10,000 generated specs and expressions each: derived, or refused in one line, in 2 s; 10,000 valid specs computed, none refused by its finite differences alone
	DERIVE_FUZZ_PROFILE=fuzz $(BIN)/python -m pytest -q -s -p no:cacheprovider --hypothesis-show-statistics tests/test_fuzz.py

bench: install-test         ## class sets (wall, CPU, peak PSS), per-variant CPU, cold render against import tensorflow, in one run
	$(BIN)/python -m tests.benchmarks

golden: install-test        ## regenerate the golden files after reviewing the diff
	$(BIN)/python -m pytest -q tests/render --update-golden

screenshots: install-test tools  ## the README's screenshots (hosts, practice page): the browser tests shoot them, then cut and reduce them
	$(BIN)/python -m pytest -q tests/render/test_hosts_browser.py tests/render/test_practice_browser.py
	$(BIN)/python -c "from tests.render.test_hosts_browser import copy_screenshots; copy_screenshots()"
	$(BIN)/python -c "from tests.render.test_practice_browser import copy_screenshots; copy_screenshots()"

clean:
	rm -rf $(VENV) output/*.json output/*.html output/*.tex output/*.pdf
