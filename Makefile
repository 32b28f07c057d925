# Two commands matter: `make run` (set up, load demo data, serve) and `make test` (set up, run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format setup demo check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed (the stamp files remember the last install).
$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed-runtime $@

setup: $(VENV)/.installed-runtime

# The local settings that make the README's commands work as printed (config/settings.py reads
# .env; variables set in the environment win): debug mode and a random secret key. Written only
# when missing, never overwritten; not committed (.gitignore).
.env: | $(BIN)/python
	@umask 077 && $(BIN)/python -c 'import secrets; print("# Local development settings, written by make run; read by config/settings.py.\n# Never use this file in production.\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY=" + secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@
	@echo "Wrote .env: debug mode and a new secret key for local commands."

demo: setup .env
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py import_sources demo/sources/
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo_claims
	DJANGO_DEBUG=1 $(BIN)/python manage.py create_demo_superuser

# The web server, and beside it a worker for the background tasks (web captures, watch checks,
# large imports; docs/tasks.md), stopped with the server. With TASKS_BACKEND=rq or immediate in the
# environment no database worker is started (RQ has its own workers).
run: demo
	@echo ""
	@echo "  Public site: http://$(HOST):$(PORT)/"
	@echo "  Admin:       http://$(HOST):$(PORT)/admin/"
	@echo ""
	@if [ "$${TASKS_BACKEND:-database}" = database ]; then \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	fi; \
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
