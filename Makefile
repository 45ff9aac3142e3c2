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

demo: install
	$(BIN)/framestudy schema build
	$(BIN)/framestudy tasks build

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
