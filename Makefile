# The two commands a new user needs: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: venv demo test lint browser benchmark models dataset-packages style-model clean

$(INSTALLED): setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

venv: $(INSTALLED)

demo: venv
	$(BIN)/python -m pipeline.demo

test: venv lint browser
	$(BIN)/python -m pytest -q tests

# The report's browser test drives Debian's Chromium through Playwright (no downloaded browser); needs root.
browser:
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y --no-install-recommends chromium)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

benchmark: venv browser
	$(BIN)/python benchmarks/element_throughput.py
	$(BIN)/python benchmarks/pipeline_throughput.py
	$(BIN)/python benchmarks/report_load.py
	$(BIN)/python benchmarks/profile_throughput.py

# Rebuilds the bundled models: the backbone port needs torch, so it gets its own venv.
models: venv
	test -x .venv-convert/bin/python || $(PYTHON) -m venv .venv-convert
	.venv-convert/bin/python -m pip install --quiet -r models/requirements-convert.txt
	.venv-convert/bin/python -m models.convert_backbone --out models/artifacts/efficientnet_lite0
	$(BIN)/python -m models.element_detector --backbone models/artifacts/efficientnet_lite0 \
		--out models/artifacts/element_detector

# The real labelled images ship in Debian art packages (models/data/real_packages.txt); needs root.
dataset-packages:
	apt-get install -y --no-install-recommends $$(grep -v '^#' models/data/real_packages.txt)

# Rebuilds the bundled style classifier: data set, training, export, evaluation and model card.
style-model: venv
	$(BIN)/image-style dataset build --out build/dataset --synthetic-per-style 150
	$(BIN)/image-style train --data build/dataset/manifest.csv --out models/artifacts/style_classifier

clean:
	rm -rf $(VENV) .venv-convert demo_output .pytest_cache
