# framestudy — set-up, test and demo. Needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test demo lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# Label Studio first: it pins exact versions of ~150 packages, and resolving it together
	# with our own open ranges makes pip backtrack for minutes.
	$(BIN)/python -m pip install --quiet 'label-studio==1.23.2'
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/framestudy schema build --check
	$(BIN)/python -m pytest

# The study's offline pipeline on the bundled corpus, then the analysis on a synthetic
# study with known truth (5 outlets x 40 articles x 3 coders, blind design).
DEMO := build/demo-study
demo: install
	$(BIN)/framestudy schema build
	$(BIN)/framestudy tasks build
	$(BIN)/framestudy simulate --outlets 5 --articles-per-outlet 40 --coders 3 --seed 1 -o $(DEMO) --force
	$(BIN)/framestudy --study $(DEMO) agreement
	@echo "demo: synthetic study in $(DEMO); planted truth in $(DEMO)/truth.json; agreement in $(DEMO)/analysis/agreement.csv"

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
