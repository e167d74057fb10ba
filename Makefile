# Findbuch: two commands for a newcomer (`make run`, `make test`), both self-installing.
PYTHON       ?= python3
VENV         := .venv
BIN          := $(VENV)/bin
HOME_DIR     ?= findbuch-data
APT_PACKAGES := tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd poppler-utils wngerman chromium fonts-dejavu-core redis-server
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench lint setup system-packages

## Install what is missing, ingest samples/ and serve http://127.0.0.1:8000
run: setup
	$(BIN)/findbuch --home $(HOME_DIR) ingest samples
	$(BIN)/findbuch --home $(HOME_DIR) demo
	$(BIN)/findbuch --home $(HOME_DIR) serve --host 127.0.0.1 --port 8000

## Install what is missing, then run the whole test suite
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

## Benchmarks (need ../shared; about an hour on 2 cores); figures go to bench/RESULTS.md
bench: setup
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.ocr
	$(BIN)/python -m bench.workers
	$(BIN)/python -m bench.metadata
	$(BIN)/python -m bench.relevance
	$(BIN)/python -m bench.names
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.crash
	$(BIN)/python -m bench.fuzz

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: system-packages $(VENV)/.installed

# Installs only the Debian packages that are not there yet, so a second run is instant.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installiere Systempakete:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@
