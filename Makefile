# Jiceng developer commands. `make help` lists them.
PY := .venv/bin/python
PIP := .venv/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PAGES ?= 10000
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/jiceng

.DEFAULT_GOAL := help
.PHONY: help install dev migrate content site run test lint browser postgres bench load faults clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The test, lint and benchmark tools: only for `make test`, `make lint`, `make bench`, never for `make run`.
.venv/.dev-installed: .venv/.installed requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm 来安装无障碍检查工具 axe-core（浏览器测试用）"; exit 1; }
	npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: .venv/.installed ## Create .venv and install the pinned runtime packages (requirements.txt)

dev: .venv/.dev-installed ## Install the pinned development and test tools as well (requirements-dev.txt)

migrate: install ## Apply database migrations (SQLite by default, DATABASE_URL otherwise)
	$(MANAGE) migrate --noinput -v 0

content: migrate ## Load content/ into the CMS (idempotent)
	$(MANAGE) load_content

site: content ## Load content/ and build the public site into site/
	$(MANAGE) build_site

run: site ## Set up everything, then serve the site and the admin on http://127.0.0.1:8000 (with the build worker)
	$(MANAGE) ensure_dev_superuser
	$(MANAGE) ensure_dev_organisations
	@echo "公开网站: http://$(HOST):$(PORT)/    管理后台: http://$(HOST):$(PORT)/admin/"
	@trap 'kill $$worker $$tasks $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) db_worker --queue-name site --interval 1 & worker=$$!; \
	$(MANAGE) db_worker --queue-name default --interval 1 & tasks=$$!; \
	$(MANAGE) run_scheduler --interval 30 & scheduler=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT)

browser: ## Install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: dev ## Run ruff on the code
	.venv/bin/ruff check cms tests hooks bench
	.venv/bin/ruff format --check cms tests hooks bench

# The PostgreSQL pass runs what depends on the database: models, the API's queries, transactions, the build
# queue and its workers (several processes: PostgreSQL only), backup and restore, hostile content, redirects,
# workflow and admin listings. What reads a built site or checks values in Python (the validation gate,
# pages, search files, compression, escaping, security headers) runs once, on SQLite.
PG_TESTS ?= tests/core/test_models.py tests/core/test_workflow.py tests/core/test_admin_listings.py \
	tests/api/test_api.py tests/lists tests/cases tests/signage \
	tests/publishing/test_backup.py tests/publishing/test_pipeline.py tests/publishing/test_multiprocess.py \
	tests/publishing/test_hostile_content.py tests/publishing/test_redirects.py tests/publishing/test_scheduled.py \
	tests/publishing/test_portable.py tests/publishing/test_admin_publish.py tests/publishing/test_collections.py \
	tests/publishing/test_export.py

test: dev node_modules/.installed browser ## Checks, lint, the search engine's Node tests, the suite on SQLite (incl. Chromium) and, beside it, on PostgreSQL
	@# Everything side by side on two cores: the checks (Django, migrations, ruff, Node), the browser tests
	@# with the long admin table (marker second_lane, to balance the lanes), the rest on SQLite, and the
	@# database-bound part on PostgreSQL. Each log follows the SQLite run's.
	@( DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) check && \
	   DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run && \
	   $(MAKE) --no-print-directory lint && node --test tests/js/ ) > .test-checks.log 2>&1 & checks=$$!; \
	if $(MAKE) --no-print-directory postgres >/dev/null 2>&1; then \
	  echo "PostgreSQL ($(PG_TEST_URL))：同时运行与数据库相关的测试"; \
	  DATABASE_URL=$(PG_TEST_URL) .venv/bin/pytest -m "not browser" -p no:cacheprovider $(PG_TESTS) > .pytest-postgres.log 2>&1 & pg=$$!; \
	else echo "没有可用的 PostgreSQL：跳过 PostgreSQL 测试"; pg=; fi; \
	.venv/bin/pytest -m "browser or second_lane" -p no:cacheprovider > .pytest-browser.log 2>&1 & br=$$!; \
	.venv/bin/pytest -m "not browser and not second_lane"; sqlite=$$?; \
	wait $$checks; checkstatus=$$?; echo "--- 检查（check、makemigrations、ruff、Node）---"; cat .test-checks.log; \
	wait $$br; brstatus=$$?; echo "--- 浏览器（Chromium）与第二路 ---"; cat .pytest-browser.log; pgstatus=0; \
	if [ -n "$$pg" ]; then wait $$pg; pgstatus=$$?; echo "--- PostgreSQL ---"; cat .pytest-postgres.log; fi; \
	[ $$sqlite -eq 0 ] && [ $$checkstatus -eq 0 ] && [ $$brstatus -eq 0 ] && [ $$pgstatus -eq 0 ]

postgres: install ## Check that the local PostgreSQL answers; start the Debian cluster when it does not
	@$(PY) -c "import psycopg; psycopg.connect('$(PG_ADMIN_URL)', connect_timeout=3).close()" 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start; \
	  sleep 2; $(PY) -c "import psycopg; psycopg.connect('$(PG_ADMIN_URL)', connect_timeout=3).close()"; }

bench: dev ## Benchmark publishing at PAGES pages (default 10000) against plain MkDocs; prints a summary line
	$(PY) -m bench.run --pages $(PAGES)

load: dev postgres ## Load test on loopback (wrk, production profile, PostgreSQL): static pages, API, admin login at 50 and 200 clients
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk for the load test…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench.load $(LOAD_ARGS)

faults: dev postgres ## Fault script: kill a worker mid-build, lose the database during a publish, fail a build
	$(PY) -m bench.faults

clean: ## Remove the built site, generated Markdown and the local database
	rm -rf site site.builds db.sqlite3
	cd site_src && rm -rf index.md search.md .site.yml .cache cases lists notices regions themes media collections api
