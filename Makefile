# The QSG workspace. `make demo` runs the app; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QSG_DEMO_PASSWORD ?= qsg-demo-2026
export QSG_DEMO_PASSWORD
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: help demo install install-dev test test-fast fuzz audit lint format services assets lock check-deploy clean load faults restore-check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.runtime: pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.runtime ## Create .venv and install the app

install-dev: $(VENV)/.dev ## Install the app and the test tools

demo: install ## Set up SQLite, load the demo and serve http://127.0.0.1:8000 (tasks in-process)
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=qsg.settings.demo $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=qsg.settings.demo $(BIN)/python manage.py seed_demo --password "$(QSG_DEMO_PASSWORD)"
	@echo ""
	@echo "Demo accounts (password: the value of QSG_DEMO_PASSWORD, default qsg-demo-2026):"
	@DJANGO_SETTINGS_MODULE=qsg.settings.demo $(BIN)/python manage.py demo_accounts
	@echo ""
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	DJANGO_SETTINGS_MODULE=qsg.settings.demo $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

services: ## Start PostgreSQL and Redis if installed but stopped
	@bash scripts/ensure-services.sh

test: install-dev services ## Run the whole suite against PostgreSQL and Redis (browser tests included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=qsg.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=qsg.settings.production DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') DJANGO_ALLOWED_HOSTS=qsg.example.nhs.uk $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m pytest $(PYTEST_ARGS)

fuzz: install-dev services ## Hostile-input tests with many more (random) examples; slow
	QSG_FUZZ_EXAMPLES=$${QSG_FUZZ_EXAMPLES:-500} QSG_FUZZ_RANDOM=1 \
	QSG_SCHEMATHESIS_EXAMPLES=$${QSG_SCHEMATHESIS_EXAMPLES:-100} \
	QSG_PID_FUZZ_EXAMPLES=$${QSG_PID_FUZZ_EXAMPLES:-5000} \
	$(BIN)/python -m pytest -p no:randomly tests/hostile tests/qsg/pid/test_properties.py $(PYTEST_ARGS)

restore-check: install-dev services ## Back up a database, drop it, restore it, compare row counts and checksums
	$(BIN)/python -m pytest -p no:randomly -p no:xdist tests/ops/test_backup_restore.py -v

audit: install-dev ## Known vulnerabilities in the pinned dependencies (pip-audit; needs the network)
	$(BIN)/pip-audit -r constraints.txt --no-deps --progress-spinner off

test-fast: install-dev services ## The suite without browser and worker tests
	$(BIN)/python -m pytest -m "not browser and not worker" $(PYTEST_ARGS)

LOAD_ARGS ?=
load: install-dev ## Load test: own stack, 200 users for 5 minutes, checks (slow; not in CI)
	$(BIN)/python tests/load/run.py $(LOAD_ARGS)

faults: install-dev ## Fault scripts: kill the worker, stop Redis, restart PostgreSQL (slow; not in CI)
	@rc=0; for script in worker_kill redis_outage postgres_restart; do \
		$(BIN)/python tests/faults/$$script.py || rc=1; done; exit $$rc

lint: install-dev ## ruff check and format check, and the import layers (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

assets: ## Rebuild static/ from nhsuk-frontend (needs Node 20+)
	bash scripts/build-assets.sh

lock: ## Refresh constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean: ## Remove the virtualenv and the demo database
	rm -rf $(VENV) var/demo.sqlite3 var/demo-2022.sqlite3
