# Joint Care Home Commissioning Portal: the commands a newcomer and CI need.
#
#   make demo    set up, build the demo area and serve it on http://127.0.0.1:8000
#   make test    set up and run the whole test suite (extra pytest arguments: ARGS="-k import")
#
# Neither needs a database server: with DATABASE_URL unset the settings start an embedded
# PostgreSQL under .pgdata/, and with CELERY_BROKER_URL unset tasks run in-process.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VPY := $(VENV)/bin/python
PORT ?= 8000
ARGS ?=

# Stamps: setup re-runs pip only when pyproject.toml changes, and npm only when the
# package files change.
PY_STAMP := $(VENV)/.installed-pyproject
NODE_STAMP := node_modules/.installed-package-lock

.PHONY: help prereqs setup demo test browser lint migrate seed serve clean

help:  ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

prereqs:  ## Check for Python 3.11+ and npm, and say how to get what is missing
	@bash scripts/prereqs.sh

setup: prereqs $(PY_STAMP) $(NODE_STAMP)  ## Create .venv, install Python and npm packages

$(VPY):
	@python="$$(bash scripts/prereqs.sh python)" && echo "Creating $(VENV) with $$python" \
		&& "$$python" -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then \
		echo "npm ci"; npm ci --no-audit --no-fund; \
	else \
		echo "npm install"; npm install --no-audit --no-fund; \
	fi
	@touch $@

demo: export DEBUG = true
demo: setup  ## Set up, migrate, build the demo area, print the sign-ins and serve on PORT
	$(VPY) manage.py migrate --no-input
	$(VPY) manage.py seed_demo
	$(VPY) manage.py seed_demo_returns
	$(VPY) manage.py seed_demo_feeds
	$(VPY) manage.py seed_demo_visits
	$(VPY) manage.py recompute_risk --months 12
	$(VPY) manage.py seed_demo_jig
	@echo "Sign in as commissioner@demo.portal.nhs.uk, or another account listed above, with demo-portal-2026."
	@echo "Serving the portal on http://127.0.0.1:$(PORT)/ (press Ctrl+C to stop)"
	$(VPY) manage.py runserver 127.0.0.1:$(PORT)

test: setup browser  ## Set up and run every test; pass pytest arguments with ARGS="..."
	$(VPY) -m pytest $(ARGS)

browser:  ## Install Debian's Chromium for the browser tests if we can
	@bash scripts/ensure-chromium.sh

lint: setup  ## Check the code with ruff
	$(VENV)/bin/ruff check .

migrate: setup  ## Apply database migrations
	$(VPY) manage.py migrate --no-input

seed: migrate  ## Build the demo area, its monthly returns, feeds and visits, and print the sign-ins
	$(VPY) manage.py seed_demo
	$(VPY) manage.py seed_demo_returns
	$(VPY) manage.py seed_demo_feeds
	$(VPY) manage.py seed_demo_visits
	$(VPY) manage.py recompute_risk --months 12
	$(VPY) manage.py seed_demo_jig

serve: export DEBUG = true
serve: setup  ## Serve on PORT without rebuilding the demo area
	$(VPY) manage.py runserver 127.0.0.1:$(PORT)

clean:  ## Remove .venv, node_modules and collected static files (keeps the database in .pgdata)
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
