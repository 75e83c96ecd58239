# The two commands a new user needs: `make demo` and `make test`. Both create .venv and
# install what is missing; a second call installs nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install rebuild-llama browser demo test format bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-installs only when pyproject.toml or the llama.cpp build script changes. The first
# install compiles llama.cpp for a portable CPU baseline (tools/llama_build.py says why) and
# keeps the wheel in .wheels/, so a second call installs nothing and a rebuild reuses it.
$(STAMP): pyproject.toml tools/llama_build.py | $(BIN)/python
	@echo "[1/4] torch 2.13.0, CPU build (about 200 MB; a minute)"
	@$(BIN)/python -m pip install --quiet --progress-bar off "torch==2.13.0"
	@echo "[2/4] llama-cpp-python for a portable CPU baseline"
	@$(BIN)/python tools/llama_build.py
	@echo "[3/4] scenariosim and its other dependencies (about 150 packages; 2-3 minutes the first time)"
	@$(BIN)/python -m pip install --quiet --progress-bar off -e ".[test]"
	@echo "[4/4] checking that llama.cpp runs on this CPU"
	@$(BIN)/scenariosim models probe
	@touch $(STAMP)

install: $(STAMP)

# Compile llama.cpp again for the portable baseline and install it, then finish the install
# (which ends with the probe). `scenariosim` names this command when llama.cpp cannot run on
# this CPU. LLAMA_CPU=x86-64-v2 builds for CPUs (or VMs) that refuse even AVX2.
rebuild-llama: | $(BIN)/python
	@$(BIN)/python tools/llama_build.py --rebuild $(if $(LLAMA_CPU),--cpu $(LLAMA_CPU))
	@rm -f $(STAMP)
	@$(MAKE) --no-print-directory install

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
	$(BIN)/python -m scenariosim.cli.cli_markdown > docs/cli.md
	$(BIN)/python tests/test_bad_input.py > docs/.failure-modes.md.tmp && mv docs/.failure-modes.md.tmp docs/failure-modes.md
