# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install condor-tribes, run the ladder on the embedded 2010 pool
#   make test   create .venv, install condor-tribes with its test tools, lint and run the tests
#   make docs   build the documentation site into site/ (MkDocs, docs/ and mkdocs.yml)
# and one needs no .venv at all, only a python >= 3.6:
#   make bundle write the node hook as one file, dist/tribes-startd-cron.pyz (docs/admin.md)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BUNDLE ?= dist/tribes-startd-cron.pyz

.PHONY: run test lint bench bundle docs clean

$(BIN)/tribes: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/tribes
	$(BIN)/tribes simulate

lint: $(BIN)/tribes
	$(BIN)/ruff check .
	$(BIN)/vermin --no-tips --violations -t=3.6- startd_cron

test: lint
	$(BIN)/python -m pytest

bench: $(BIN)/tribes
	$(BIN)/python benchmarks/bench_match.py
	$(BIN)/python benchmarks/bench_condor_q.py
	$(BIN)/python benchmarks/bench_replay.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_store_memory.py

docs: $(BIN)/tribes
	$(BIN)/mkdocs build --strict --site-dir site

# Always rebuilt (a fraction of a second); the same sources give the same bytes.
bundle:
	mkdir -p $(dir $(BUNDLE))
	$(PYTHON) -S -E -m startd_cron.bundle $(BUNDLE)

clean:
	rm -rf $(VENV) build dist site *.egg-info
