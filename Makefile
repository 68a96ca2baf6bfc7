# Set-up and everyday commands. Everything installs into .venv; torch is the CPU build.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test audit bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## run one offline monitoring cycle against the bundled demo feeds
	$(VENV)/bin/warwatch demo

test: install  ## run the test suite
	$(PY) -m pytest

audit: install  ## fail on an installed dependency with a known vulnerability (pip-audit + PyPI advisories)
	$(PY) .ci/audit.py

bench: install  ## run every benchmark; summary in benchmarks/results/summary.md
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
