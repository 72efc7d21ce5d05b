# Puente: `make run` sets everything up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := bot
BENCHES := webhook sender broadcast freshness reachability roster language

.PHONY: run setup dev test test-sqlite test-postgres lint bench translations-extract \
        translations-update translations-compile clean $(addprefix bench-,$(BENCHES))

run: setup
	$(BIN)/flask --app bot db upgrade
	$(BIN)/flask --app bot demo load
	$(BIN)/flask --app bot serve --host 127.0.0.1 --port 5000

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names one.
test: dev
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  $(BIN)/python -m pytest -q; \
	fi

lint: dev
	$(BIN)/ruff check .

# Every benchmark on SQLite with its defaults, one after the other (`make -k bench` goes on
# past a FAIL); each prints its figures and writes bench/results/. One alone: bench-<name>.
bench: $(addprefix bench-,$(BENCHES))

$(addprefix bench-,$(BENCHES)): bench-%: dev
	$(BIN)/python bench/$*.py

translations-extract: dev
	$(BIN)/pybabel extract -F translations/babel.cfg -k N_ -k _l --add-comments=TRANSLATORS: \
	  --sort-by-file -o translations/messages.pot bot

translations-update: translations-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --previous
	# Babel has no data for Hmong and Karen: update drops their Plural-Forms; put it back.
	for l in hmn ksw; do f=translations/$$l/LC_MESSAGES/messages.po; grep -q '^"Plural-Forms' $$f || sed -i '/^"Language-Team:/a "Plural-Forms: nplurals=1; plural=0;\\n"' $$f; done

translations-compile: dev
	$(BIN)/pybabel compile -d translations --use-fuzzy --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
