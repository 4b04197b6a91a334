# Kechuang — the README's two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
DEMO_SIZE ?= small
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup bench bench-projects bench-draw lint messages clean

$(STAMP): requirements.lock pyproject.toml package-lock.json
	# Front-end libraries (chart.js) from the npm registry, pinned in package-lock.json, served locally.
	npm ci --ignore-scripts --no-audit --no-fund --silent
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# Put src/ on the venv's path (what an editable install does, without a build step).
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'kechuang.pth').write_text(str(pathlib.Path('src').resolve()) + '\\n')"
	touch $(STAMP)

setup: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_data --size $(DEMO_SIZE)
	$(MANAGE) collectstatic --noinput --verbosity 0

run: setup
	$(MANAGE) demo_logins
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Province-scale timings on PostgreSQL (a database of its own, kechuang_bench); see docs/bench.md.
bench: $(STAMP)
	DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash scripts/services.sh | tail -n 1 | sed 's#/kechuang$$#/kechuang_bench#')} \
	  $(BIN)/python -m kechuang.bench $(BENCH_ARGS)

# Projects at 50,000 applications and a 500-submission deadline surge against gunicorn (PostgreSQL);
# see docs/bench-projects.md. Databases of their own: kechuang_bench_projects, kechuang_bench_surge.
bench-projects: $(STAMP)
	DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash scripts/services.sh | tail -n 1 | sed 's#/kechuang$$#/kechuang_bench_projects#')} \
	  $(BIN)/python -m kechuang.projects.bench $(BENCH_ARGS)

# The enterprise list at 100,000 organizations on PostgreSQL (a database of its own, kechuang_bench_ent);
# see docs/bench-enterprises.md.
.PHONY: bench-enterprises
bench-enterprises: $(STAMP)
	DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash scripts/services.sh | tail -n 1 | sed 's#/kechuang$$#/kechuang_bench_ent#')} \
	  $(BIN)/python -m kechuang.enterprises.bench $(BENCH_ARGS)

# The expert draw on synthetic instances (no database); see docs/draw.md.
bench-draw: $(STAMP)
	$(BIN)/python -m kechuang.reviews.bench_draw $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

messages: $(STAMP)
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) var

# Search of the market at 500,000 published listings on PostgreSQL (a database of its own,
# kechuang_bench_market); see docs/market-search.md.
.PHONY: bench-market-search
bench-market-search: $(STAMP)
	DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash scripts/services.sh | tail -n 1 | sed 's#/kechuang$$#/kechuang_bench_market#')} \
	  $(BIN)/python -m kechuang.market.bench_search $(BENCH_ARGS)

# Market matching on its evaluation set: nDCG@10 and recall@100 of BM25, the embedding and the fusion, and the
# encode time per text (no database); see docs/market-matching.md.
.PHONY: bench-market-match
bench-market-match: $(STAMP)
	$(BIN)/python -m kechuang.market.bench_match $(BENCH_ARGS)
