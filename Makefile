# The Role Guide. `make run` and `make test` create whatever is missing first:
# both Python 3.10 environments and the trained Rasa model.

# Python 3.10 (Rasa 3.6 supports nothing newer): pyenv's if it has one, else python3.10 on PATH.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
APP_VENV := .venv
RASA_VENV := .venv-rasa
MODEL := models/roleguide.tar.gz
# What the model is trained from: retrain when any of it changes (the intent classifier and
# the normaliser it reads through are code, and its speller learns the content's words).
MODEL_INPUTS := domain.yml config.yml $(shell find nlu stories content -name '*.yml' 2>/dev/null) \
	rasa_server/intent_classifier.py $(wildcard reading/*.py)

.PHONY: run test test-fast lint model envs clean

run: envs $(MODEL)
	$(APP_VENV)/bin/python -m tools.stack

test: envs $(MODEL)
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/pytest

# Unit tests only: no Rasa, no emulator.
test-fast: $(APP_VENV)/.installed
	$(APP_VENV)/bin/pytest -m "not rasa and not e2e"

lint: $(APP_VENV)/.installed
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .

envs: $(APP_VENV)/.installed $(RASA_VENV)/.installed

model: $(MODEL)

# The app environment: bot, actions, content, tools and the test tools. Never rasa itself.
$(APP_VENV)/.installed: pyproject.toml requirements/app.lock
	test -x $(APP_VENV)/bin/python || $(PYTHON) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install --quiet --upgrade "pip==24.0"
	$(APP_VENV)/bin/pip install --quiet -c requirements/app.lock -e ".[dev]"
	touch $@

# The Rasa environment: rasa 3.6.21 and its own pins, nothing else (test tools
# would lift `packaging` past what Rasa imports).
$(RASA_VENV)/.installed: requirements/rasa.lock
	test -x $(RASA_VENV)/bin/python || $(PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade "pip==24.0"
	$(RASA_VENV)/bin/pip install --quiet -r requirements/rasa.lock
	touch $@

$(MODEL): $(MODEL_INPUTS) $(RASA_VENV)/.installed
	RASA_TELEMETRY_ENABLED=false $(RASA_VENV)/bin/rasa train --data nlu stories \
		--config config.yml --domain domain.yml --out models --fixed-model-name roleguide
	touch $@

clean:
	rm -rf $(APP_VENV) $(RASA_VENV) models results .pytest_cache .ruff_cache

# 30 simulated people for 5 minutes while Rasa is killed every minute (tools/soak.py):
# make soak SOAK_ARGS="--users 50 --minutes 10 --kill-every 45"
.PHONY: soak
soak: envs $(MODEL)
	$(APP_VENV)/bin/python -m tools.soak $(SOAK_ARGS)

# Our whole stack against stock Rasa (its default config), both through the Telegram
# emulator, 20 people at once (tools/bench.py; models are kept in var/bench/models):
# make bench BENCH_ARGS="--users 20 --seconds 60 --skip-stock --profile --retrain"
.PHONY: bench
bench: envs
	$(APP_VENV)/bin/python -m tools.bench $(BENCH_ARGS)
