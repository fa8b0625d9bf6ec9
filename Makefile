# atrisk: `make demo` runs a full pass on a bundled offline site; `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp

.PHONY: setup demo test lint bench test-postgres clean lock

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres]"
	touch $(STAMP)

demo: setup
	$(BIN)/atrisk demo

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy extract pipeline crawler cli.py scheduler.py

bench: setup
	$(BIN)/python -m benchmarks

# Regenerate constraints.txt from a fresh resolution (run after changing dependencies).
lock:
	rm -rf /tmp/atrisk-lock && $(PY) -m venv /tmp/atrisk-lock
	/tmp/atrisk-lock/bin/pip install --quiet ".[dev,postgres]"
	/tmp/atrisk-lock/bin/pip freeze --exclude atrisk > constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info
