# Two commands matter: `make run` (serve the demo) and `make test` (the whole suite).
# Everything they need is installed here, into .venv, from the pinned requirements.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test bench lint browser translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -f -d app/translations

HOST ?= 127.0.0.1
LAN_IP = $(shell hostname -I 2>/dev/null | cut -d' ' -f1)

## Serve the app with demo data on an embedded SQLite file (instance/skm.sqlite).
## A phone on the office Wi-Fi: make run HOST=0.0.0.0 PUBLIC_BASE_URL=http://<LAN IP>:5000
run: $(VENV)/.runtime translations
	SKM_ENV=development $(BIN)/flask db upgrade
	SKM_ENV=development $(BIN)/flask seed-demo --if-empty
	@echo "To try the survey on a real phone on the same network, stop this server and run:"
	@echo "  make run HOST=0.0.0.0 PUBLIC_BASE_URL=http://$(or $(LAN_IP),<this computer's LAN IP>):5000"
	@echo "(posters and token links then carry that address; use it only on a trusted network)"
	SKM_ENV=development $(BIN)/flask run --host $(HOST) --port 5000

## Debian's Chromium (browser test), zbarimg (reads printed QR codes back) and pdftotext (report text);
## best effort: the tests that need them skip without.
browser:
	@{ command -v chromium && command -v zbarimg && command -v pdftotext; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium zbar-tools poppler-utils >/dev/null) || echo "chromium/zbarimg/pdftotext missing: their tests skip"; }

## Run the whole suite (SQLite; PostgreSQL/Redis tests run when TEST_PG_URL/TEST_REDIS_URL reach a server),
## one worker process per core (pytest-xdist); `$(BIN)/pytest tests/test_x.py` runs a part in one process.
test: $(VENV)/.dev translations browser
	$(BIN)/pytest -n auto

## Slow benchmarks (not part of `make test`); figures go to docs/benchmarks.md.
bench: $(VENV)/.dev translations
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m tests.bench.run_bench
	$(BIN)/python -m tests.bench.ikm_bench
	$(BIN)/python -m tests.bench.complaints_bench
	$(BIN)/python -m tests.bench.results_bench
	$(BIN)/python -m tests.bench.worker_bench
	$(BIN)/python -m tests.bench.no_loss
	FUZZ_RANDOM=1 SURVEY_FUZZ_EXAMPLES=10000 COMPLAINT_FUZZ_EXAMPLES=10000 UPLOAD_FUZZ_EXAMPLES=10000 \
	  $(BIN)/pytest -q -p no:cacheprovider tests/test_survey_fuzz.py tests/test_complaint_intake_abuse.py \
	  tests/test_upload_fuzz.py tests/test_upload_web_fuzz.py --hypothesis-show-statistics

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
