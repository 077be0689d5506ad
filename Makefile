# The two commands: `make demo` and `make test`. Everything else serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL := postgres://haiti_esc:haiti_esc@127.0.0.1:5432/haiti_esc
REDIS := redis://127.0.0.1:6379/0
# The suite uses its own Redis database, flushed when its worker starts.
TEST_REDIS := redis://127.0.0.1:6379/15
RUN := .run

.PHONY: demo test up down services lint venv static help backup restore

help:
	@echo "make demo   - app with demo data on http://127.0.0.1:8000 (SQLite, eager Celery)"
	@echo "make test   - PostgreSQL + Redis up, the whole suite with a Celery worker and Chromium"
	@echo "make up     - production-like stack: gunicorn, Celery worker and beat, PostgreSQL, Redis"
	@echo "make down   - stop what make up started, then the services"
	@echo "make lint   - ruff"

$(PY):
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y --no-install-recommends python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/services.sh up

static: venv
	DJANGO_SETTINGS_MODULE=haiti_esc.settings.test $(PY) manage.py collectstatic --noinput -v0

test: venv services static
	$(VENV)/bin/bandit -q -r $(APPS) -x '*/tests/*' --severity-level high
	FAULT_TESTS_RESTART_POSTGRES=1 DATABASE_URL=$(PG_URL) REDIS_URL=$(TEST_REDIS) $(PY) -m pytest -p no:cacheprovider --create-db

APPS := programs accounts beneficiaries fora enterprises rehab progress field dashboard interop notifications reports demo bench haiti_esc

# The catalogues in step with the code (fr, ht): extract, fill Django's own strings, compile.
.PHONY: messages
messages: venv
	$(PY) scripts/messages.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r $(APPS) -x '*/tests/*' --severity-level high

# A production-like stack on plain HTTP on 127.0.0.1:8000 (HTTPS=0 turns off the
# HTTPS-only cookies and redirect that a real deployment behind TLS keeps on).
up: venv services
	mkdir -p $(RUN)
	test -s $(RUN)/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $(RUN)/secret_key
	set -a; DJANGO_SETTINGS_MODULE=haiti_esc.settings.production DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) \
	  SECRET_KEY=$$(cat $(RUN)/secret_key) HTTPS=0; set +a; \
	$(PY) manage.py migrate --noinput && $(PY) manage.py collectstatic --noinput -v0 && \
	$(VENV)/bin/gunicorn haiti_esc.wsgi --bind 127.0.0.1:8000 --workers 2 --daemon \
	  --pid $(RUN)/gunicorn.pid --access-logfile $(RUN)/gunicorn.log --error-logfile $(RUN)/gunicorn.log && \
	$(VENV)/bin/celery -A haiti_esc worker --pool=solo --detach --pidfile $(RUN)/worker.pid --logfile $(RUN)/worker.log && \
	$(VENV)/bin/celery -A haiti_esc beat --detach --pidfile $(RUN)/beat.pid --logfile $(RUN)/beat.log
	@echo "haiti_esc is up on http://127.0.0.1:8000 (logs in $(RUN)/)"

down:
	-for p in gunicorn worker beat; do test -s $(RUN)/$$p.pid && kill $$(cat $(RUN)/$$p.pid); rm -f $(RUN)/$$p.pid; done
	bash scripts/services.sh down

# Backups of the PostgreSQL database (make backup; make restore FILE=backups/….dump).
backup:
	bash scripts/backup.sh backup $(FILE)

restore:
	bash scripts/backup.sh restore $(FILE)

# A bounded load test on 127.0.0.1: 50 users, 60 seconds, dashboard views and field submissions.
loadtest: venv services
	$(PY) scripts/loadtest.py --users 50 --seconds 60

# Benchmark of ratios at scales 1, 100, 1000 and 10,000 (issues 9 and 19): generates
# haiti_esc_bench_<scale> once (the 10,000 one takes about half an hour and some 20 GB), then
# measures in-process, against gunicorn on 127.0.0.1, with a Celery worker and in Chromium, and
# writes bench/results.json and bench/RESULTS.md. wrk comes from Debian when missing.
.PHONY: bench
bench: venv services
	command -v wrk >/dev/null || { apt-get update && apt-get install -y --no-install-recommends wrk; }
	$(PY) bench/run.py
