# Rapport: `make run` for the site, `make test` for the suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint format bench bench-ranking bench-intros simulate clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(VENV)/bin/honcho --no-prefix -f Procfile.dev start

# The ranking's change feed runs on triggers of each database: its tests run a second time on
# the embedded SQLite default.
SQLITE_TESTS := tests/matching/test_ranking_changes.py tests/matching/test_candidates.py \
	tests/matching/test_feed_triggers.py tests/alliance/test_released_totals.py

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///$(CURDIR)/var/test-embedded.sqlite3 $(PY) -m pytest -q $(SQLITE_TESTS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks run on a PostgreSQL database and Redis databases of their own, with
# production-like settings and keys made for each run; the command hands this environment
# to the gunicorn it starts. Options go in BENCH_ARGS, e.g. BENCH_ARGS='--duration 30'.
BENCH_ENV := DEBUG=false ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false \
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

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var build *.egg-info
