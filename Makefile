# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two processes: the machines have 2 cores. Pass PYTEST_ARGS= to run in one process.
PYTEST_ARGS ?= -n 2
ROADMAP_SLUG ?= ml-engineer
STAMP := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE := roadmap_site.settings

.PHONY: run test setup install migrate seed lint format check-migrations pytest clean prod-smoke fuzz k8s-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

# Reinstall only when the lock changes.
$(STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py import_roadmap fixtures/ml-engineer-roadmap.md --slug $(ROADMAP_SLUG)
	$(BIN)/python manage.py load_enrichment fixtures/ml-engineer-enrichment.json

setup: seed

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# ruff (style, complexity at most 12), mypy with the Django and DRF stubs, the import contracts.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint check-migrations pytest

# compose's processes natively (gunicorn DEBUG=0, a Celery worker, beat) against the local
# PostgreSQL and Redis, and one person's journey through them: see deploy/smoke.py.
prod-smoke: install
	$(BIN)/python deploy/smoke.py

# Schemathesis against gunicorn (DEBUG=0) on a fresh, seeded `<name>_fuzz` database: every
# operation, every check, anonymously and with a learner's token. See deploy/fuzz.py.
fuzz: install
	$(BIN)/python deploy/fuzz.py

# The Kubernetes manifests (deploy/k8s), rendered without kustomize and validated strictly
# against the pinned Kubernetes version's schemas; tests/test_k8s_manifests.py runs the same in
# `make test`, with the rules they must keep.
k8s-check: install
	$(BIN)/python deploy/k8s/render.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache
