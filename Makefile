# framestudy — set-up, test and demo. Needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser postgres lock test demo lint clean mutation

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
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core

# The team server (framestudy server start --team; docs/team-server.md) runs PostgreSQL from
# Debian's own binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin) in a cluster inside
# the study's .labelstudio/; its tests start one. Installed once with apt-get (as root, or
# through sudo); framestudy never uses or starts the system's own cluster the package makes.
# The Python driver (psycopg 3) comes with Label Studio through the lock.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	fi

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra server \
	    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	    --generate-hashes --upgrade -o requirements.lock

lint: install
	$(BIN)/ruff check .

test: install browser postgres lint
	$(BIN)/framestudy schema build --check
	$(BIN)/python -m pytest

# Mutation testing of the core (docs/mutation.md): mutmut changes the code that produces
# published numbers one small edit at a time and runs the tests that reach the edit; a
# "survivor" is an edit no test notices. Slow (hours for every module on two cores), so not
# part of make test. Configured in pyproject.toml [tool.mutmut]; results kept in mutants/
# (a rerun only tests what changed). MUTANTS picks mutants by name or glob, e.g.
# make mutation MUTANTS='framestudy.design.*' (globs reach mutmut unexpanded); MUTATION_JOBS is
# the number of workers.
MUTANTS       ?=
MUTATION_JOBS ?= 2
mutation: install
	set -f; $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python benchmarks/mutation_scores.py

# The main job on the bundled study, through a real Label Studio: a working copy of the study
# in build/demo (the committed results are never touched), its own local Label Studio, the
# three coders, push, the committed codings uploaded as those coders (the raw exports in
# annotations/raw, each annotation through its coder's own account), pulled back, then
# agreement, the outlet comparison and the report. Running it again reuses the copy, the
# server and the projects, and duplicates nothing. DEMO_PORT=8090 make demo for another port.
DEMO      := build/demo
DEMO_PORT ?= 8080
FS        := $(BIN)/framestudy --study $(DEMO)
CODERS    := coder1@framestudy.example coder2@framestudy.example coder3@framestudy.example
demo: install
	@test -f $(DEMO)/study.yaml || { mkdir -p $(DEMO) && cp -R schemas tasks annotations study.yaml $(DEMO)/ && echo "demo: copied the bundled study to $(DEMO)"; }
	$(FS) schema build
	$(FS) tasks build
	$(FS) server start --port $(DEMO_PORT)
	$(FS) coders add $(CODERS)
	$(FS) push
	$(FS) annotations upload $(addprefix $(DEMO)/,$(wildcard annotations/raw/*_project-*.json))
	$(FS) pull
	$(FS) agreement
	$(FS) outlets
	$(FS) report
	@echo ""
	@echo "demo: the report is $(DEMO)/analysis/report.html"
	@echo "demo: Label Studio runs at http://127.0.0.1:$(DEMO_PORT) -- log in as coder1@framestudy.example with the password stored in $(DEMO)/.labelstudio/coders.json, and annotate by hand"
	@echo "demo: stop it with: $(FS) server stop"

clean:
	-test -x $(BIN)/framestudy && test -d $(DEMO)/.labelstudio && $(FS) server stop
	rm -rf $(VENV) .pytest_cache build src/*.egg-info mutants
