# Two commands do all the set-up: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app
# Where `make run` serves; `flask setup` reads the same variable, checks the port is free and prints it.
PORT ?= 5000
export PORT

.PHONY: run test lint translations extract-messages screenshots bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d translations

run: $(STAMP) translations
	$(BIN)/flask setup
	# The job worker (batch prints, scheduled publishing, daily dumps) runs beside the web server and stops with it.
	$(BIN)/flask jobs worker & trap 'kill $$! 2>/dev/null' EXIT; $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The suite with branch coverage: fails under [tool.coverage.report] fail_under (pyproject.toml).
test: $(STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/mypy
	bash scripts/run-tests.sh --cov --cov-report=term:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

screenshots: $(STAMP) translations
	$(BIN)/python -m tests.e2e.screenshots docs

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output app.py cli.py blueprints models services templates
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
