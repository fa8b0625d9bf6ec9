# atrisk: `make demo` runs a full pass on a bundled offline site; `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp

.PHONY: setup system-deps demo test lint bench test-postgres clean lock

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres]"
	touch $(STAMP)

demo: setup
	$(BIN)/atrisk demo

# The unit tests, then the extraction quality gate (which reads ../shared/corpus when
# present and says so when it is not).
test: setup
	$(BIN)/python -m pytest -q
	$(BIN)/python -m benchmarks.gate

# Debian packages some tests need (headless Chromium for the HTML digest check).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian packages: chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

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
