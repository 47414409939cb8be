# Two commands on a fresh machine: `make demo` and `make test` (Python 3.11+ is all they need).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= sqlite+aiosqlite:///data/byline.db

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Byline needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,postgres]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/byline ingest --db $(DEMO_DB) samples/
	$(VENV)/bin/byline digest --preview --db $(DEMO_DB)
	$(VENV)/bin/byline who Kim --db $(DEMO_DB)

lint: install
	$(VENV)/bin/ruff check bot cogs tests bench
	$(VENV)/bin/ruff format --check bot cogs tests bench
	$(VENV)/bin/vulture

typecheck: install
	$(VENV)/bin/mypy

# Four test processes even on two cores: most tests wait on a bot subprocess or the fake Discord.
# --dist loadfile keeps a file's module fixtures (the gold sets, the bot) in one process.
unit: install
	$(PY) -m pytest -q -n 4 --dist loadfile

test: lint typecheck unit

bench: install
	$(PY) -m bench.extraction
	$(PY) -m bench.analysis_speed
	$(PY) -m bench.stories

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
