# framestudy — set-up, test and demo. Needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser lock test demo lint clean

install: $(STAMP)

# The environment is installed from the committed lock, so a fresh clone gets exactly the
# versions CI tested. uv (itself pinned, with hashes, in requirements-bootstrap.txt) installs
# the ~190 locked packages in seconds; every wheel is checked against the lock's hashes.
# --compile-bytecode writes the .pyc files at install time (as pip does), so no command pays
# for compiling its imports (PYTHONDONTWRITEBYTECODE=1 would otherwise make every run do it).
$(STAMP): requirements.lock requirements-bootstrap.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-bootstrap.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

# Re-resolve the lock after changing dependencies in pyproject.toml (README, "Updating the
# lock"). Python 3.11 on Linux x86-64, the platform make test and CI run on.
# The browser tests (the HTML report, the labeling screen) drive Debian's Chromium through
# Playwright (in the lock); Playwright's own browser download cannot be used offline. Installed
# once with apt-get (as root, or through sudo).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	@SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra server \
	    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	    --generate-hashes --upgrade -o requirements.lock

lint: install
	$(BIN)/ruff check .

test: install browser lint
	$(BIN)/framestudy schema build --check
	$(BIN)/python -m pytest

# The study's offline pipeline on the bundled corpus, then the analysis on a synthetic
# study with known truth (5 outlets x 40 articles x 3 coders, blind design): agreement, how
# framing differs by outlet, and the report.
DEMO := build/demo-study
demo: install
	$(BIN)/framestudy schema build
	$(BIN)/framestudy tasks build
	$(BIN)/framestudy simulate --outlets 5 --articles-per-outlet 40 --coders 3 --seed 1 -o $(DEMO) --force
	$(BIN)/framestudy --study $(DEMO) agreement
	$(BIN)/framestudy --study $(DEMO) outlets
	$(BIN)/framestudy --study $(DEMO) report
	@echo "demo: synthetic study in $(DEMO); planted truth in $(DEMO)/truth.json; agreement, outlet comparisons and the report ($(DEMO)/analysis/report.html) in $(DEMO)/analysis/"

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
