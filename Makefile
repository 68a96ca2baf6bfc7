# Set-up and everyday commands. Everything installs into .venv; torch is the CPU build.
VENV ?= .venv
PY := $(VENV)/bin/python
# pytest-xdist workers for `make test`; each loads the models (about 1.5 GB)
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow audit bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	@# setuptools' notice about editable installs of a mapped layout (config/, flows/, tasks/) goes to the log
	$(PY) -m pip install --quiet -e '.[test]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

install: $(STAMP)

demo: install  ## run one offline monitoring cycle against the bundled demo feeds
	$(VENV)/bin/warwatch demo

test: install  ## run the test suite, but for the slow tests (about 6 min on 2 cores); a test file per worker
	$(PY) -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile

test-slow: install  ## the load, concurrent-run and crash-recovery tests, one at a time (about 15 min on 2 cores)
	$(PY) -m pytest -m slow

audit: install  ## fail on an installed dependency with a known vulnerability (pip-audit + PyPI advisories)
	$(PY) .ci/audit.py

bench: install  ## run every benchmark; summary in benchmarks/results/summary.md
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
