# The two commands a new user needs: `make demo` and `make test`. Both create .venv and
# install what is missing; a second call installs nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser demo test format bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-installs only when pyproject.toml changes. The first install compiles llama.cpp.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off "torch==2.13.0"
	$(BIN)/python -m pip install --progress-bar off -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Tests open the HTML pages in headless Chromium (Debian's package); installed once.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

demo: install
	$(BIN)/scenariosim run scenarios/demo.yaml

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

docs: install
	$(BIN)/python -c "from scenariosim.scenario import reference_markdown; print(reference_markdown())" > docs/scenario.md
	$(BIN)/python -m scenariosim.cli.reference > docs/cli.md
	$(BIN)/python tests/test_bad_input.py > docs/.failure-modes.md.tmp && mv docs/.failure-modes.md.tmp docs/failure-modes.md
