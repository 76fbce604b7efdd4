# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench browser redis clean mutation

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's Chromium for the Datasette browser test; the test skips cleanly without it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed; browser tests will be skipped"; fi; }

# Debian's Redis server, the broker of the tests with Celery workers (they start their own
# redis-server on a loopback port, and skip cleanly without it).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	      || echo "warning: could not install redis-server; the distributed tests will be skipped"; \
	  else echo "note: redis-server not installed; the distributed tests will be skipped"; fi; }

demo: install
	rm -f demo.db demo.db-wal demo.db-shm  # the demo sites get new ports each run: start afresh
	$(BIN)/python -m ingest.demo --db demo.db

test: install browser redis
	$(BIN)/python -m pytest -q

# Mutation testing (mutmut, README "Mutation testing"); not part of `make test`.
# `make mutation MODULES="pagekind saving"` runs some; JOBS mutants run at once.
MODULES ?=
JOBS ?= 2
MUTATION_STAMP := $(VENV)/.mutation-installed

$(MUTATION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(BIN)/python tools/mutation.py --jobs $(JOBS) $(MODULES)

bench: install redis
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache
