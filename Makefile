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
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres,scale]"
	touch $(STAMP)

demo: setup
	$(BIN)/atrisk demo

# The unit tests, then the extraction quality gate (which reads ../shared/corpus when
# present and says so when it is not).
test: setup system-deps
	$(BIN)/python -m pytest -q
	$(BIN)/python -m benchmarks.gate

# Debian packages the tests need: headless Chromium (the HTML digest check), PostgreSQL
# and Redis (servers the PostgreSQL and distributed-crawl tests start themselves).
# Installed when missing and we are root; otherwise one line says what to run.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "make system-deps: missing Debian packages:$$missing; run: sudo apt-get install -y$$missing (or sudo make system-deps)" >&2; \
	  exit 1; fi; \
	echo "installing Debian packages:$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null

# The whole suite on a real PostgreSQL server the tests start themselves (Debian's postgresql),
# or on ATRISK_TEST_PG_URL (a superuser URL); SQLite-only tests are deselected.
test-postgres: setup system-deps
	ATRISK_TEST_PG=1 $(BIN)/python -m pytest -q -m "not sqlite_only"

# ruff, mypy, and the import contracts of pyproject.toml [tool.importlinter] (imports go one way).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy extract pipeline crawler web cli scheduler.py
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m benchmarks

# Regenerate constraints.txt from a fresh resolution (run after changing dependencies).
lock:
	rm -rf /tmp/atrisk-lock && $(PY) -m venv /tmp/atrisk-lock
	/tmp/atrisk-lock/bin/pip install --quiet ".[dev,postgres,scale]"
	/tmp/atrisk-lock/bin/pip freeze --exclude atrisk > constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info
