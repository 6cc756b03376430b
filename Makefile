# Rapport: `make run` for the site, `make test` for the suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast lint format bench bench-ranking bench-intros simulate measure-openings clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(VENV)/bin/honcho --no-prefix -f Procfile.dev start

# The ranking's change feed and the released check-in totals run on triggers of each database:
# the tests marked `sqlite` run a second time on the embedded SQLite default. pytest exits 5
# when it selects no test; that fails here with a message instead of passing unnoticed.
SQLITE_URL := sqlite:///$(CURDIR)/var/test-embedded.sqlite3
define sqlite_pass
	DATABASE_URL=$(SQLITE_URL) $(PY) -m pytest -q -m "$(1)"; status=$$?; \
	if [ $$status -eq 5 ]; then \
		echo "make: the SQLite pass (-m \"$(1)\") selected no test: mark the tests of" \
			"each database's triggers with pytest.mark.sqlite" >&2; \
	fi; \
	exit $$status
endef

# Everything: PostgreSQL with browser tests and slow drills, then the SQLite pass. The
# PostgreSQL pass runs in PYTEST_WORKERS processes (pytest-xdist; a file's tests stay in one
# process, so its module fixtures are made once): each has its own test database and Redis
# databases (config/settings_test.py). Much of the suite waits on browsers, workers and
# servers, so two processes finish in well under the time of one. PYTEST_WORKERS=0 runs in
# one process.
PYTEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

test: $(VENV)/.installed
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)
	$(call sqlite_pass,sqlite)

# For development: the same without the tests marked slow or e2e (make test runs them all).
test-fast: $(VENV)/.installed
	$(PY) -m pytest $(XDIST) -m "not slow and not e2e" $(PYTEST_ARGS)
	$(call sqlite_pass,sqlite and not slow)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks run on a PostgreSQL database and Redis databases of their own, with
# production-like settings and keys made for each run; the command hands this environment
# to the gunicorn it starts. Neither reads what an earlier run encrypted (bench-intros
# empties its tables with TRUNCATE), so both run any number of times in a row. Options go
# in BENCH_ARGS, e.g. BENCH_ARGS='--duration 30'; see docs/benchmarks.md.
BENCH_ENV := DEBUG=false ALLOWED_HOSTS=127.0.0.1 ALLOW_FILE_EMAIL=true SECURE_SSL_REDIRECT=false \
	USE_X_FORWARDED_PROTO=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
	SECURE_HSTS_SECONDS=0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/rapport_bench \
	REDIS_URL=redis://127.0.0.1:6379/12 CELERY_BROKER_URL=redis://127.0.0.1:6379/11

bench: bench-ranking bench-intros

bench-ranking: $(VENV)/.installed
	var_dir=$$(mktemp -d) && trap 'rm -rf "$$var_dir"' EXIT && \
	export $(BENCH_ENV) RAPPORT_VAR_DIR="$$var_dir" \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" && \
	$(PY) manage.py bench_ranking $(BENCH_ARGS)

bench-intros: $(VENV)/.installed
	var_dir=$$(mktemp -d) && trap 'rm -rf "$$var_dir"' EXIT && \
	export $(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/rapport_bench_intros \
		RAPPORT_VAR_DIR="$$var_dir" \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" && \
	$(PY) manage.py bench_intros

# The simulated world (README: "Does the ranking work?") runs on a PostgreSQL database of its
# own, which the command creates, migrates and empties at the start of every run. Options go
# in SIMULATE_ARGS, e.g. SIMULATE_ARGS='--seeds 10 --both --quiet'.
SIMULATE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rapport_simulate

simulate: $(VENV)/.installed
	DATABASE_URL=$(SIMULATE_DATABASE_URL) $(PY) manage.py simulate $(SIMULATE_ARGS)

# The capacity rules measured on the demo world (README: "Openings"): the command seeds the demo
# in one transaction and rolls every run back, so the database (created and migrated when
# missing; it must hold no therapist) is left empty. Options go in MEASURE_ARGS.
MEASURE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rapport_measure

measure-openings: $(VENV)/.installed
	DATABASE_URL=$(MEASURE_DATABASE_URL) $(PY) manage.py measure_openings $(MEASURE_ARGS)

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var build *.egg-info
