# cs231n-notebooks: `make lab` opens the course, `make test` runs every test.
# Both create .venv and build the Cython extension the first time; after that
# they only rebuild what changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYX    := $(wildcard cs231n/*.pyx)
PYTEST_ARGS ?=

.PHONY: lab test install bench release validate autograder clean help

help:
	@echo "make lab      set up .venv, build the extension, start JupyterLab on notebooks/"
	@echo "make test     set up, then run the unit tests and every notebook (nbval)"
	@echo "make bench    speed tables: naive vs NumPy vs Cython vs PyTorch (if installed)"
	@echo "make release  write the student version to build/release"
	@echo "make validate graded cells pass on the solution and fail on the student version"
	@echo "make autograder  Gradescope autograder bundle (autograder.zip)"
	@echo "make clean    remove build products (keeps .venv and data)"

# Set-up prints one line per step; what pip and the compiler say goes to
# $(LOG), shown only when a step fails.
LOG    := $(VENV)/install.log
QUIET   = >>$(LOG) 2>&1 || { tail -n 30 $(LOG); echo "failed: the whole log is in $(LOG)"; exit 1; }

$(BIN)/python:
	@echo "creating the environment in $(VENV)"
	@$(PYTHON) -m venv $(VENV)

# Build requirements go in first so the extension builds without build
# isolation (no second download of numpy/Cython, works from a local index).
$(STAMP): $(BIN)/python pyproject.toml setup.py requirements.txt $(PYX)
	@echo "installing the packages the course uses (log: $(LOG))"
	@$(BIN)/python -m pip install --upgrade pip $(QUIET)
	@$(BIN)/python -m pip install -r requirements.txt $(QUIET)
	@echo "building the cs231n package and its compiled convolution"
	@$(BIN)/python -m pip install --no-build-isolation --no-deps -e . $(QUIET)
	@$(BIN)/python -c "from cs231n import fast_layers as f; print('  the fast layers run on their', f.backend(), 'path')"
	@touch $(STAMP)

install: $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

# No announcements pop-up and no update check (the course runs offline too),
# only warnings in the log, and nbgrader's server extensions (installed for the
# tests, used through `cs231n release --nbgrader`) left out of the course's lab.
NO_NBGRADER := {"nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.validate_assignment": False}
LAB_QUIET := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
             --log-level=WARN --LabApp.log_level=WARN '--ServerApp.jpserver_extensions=$(NO_NBGRADER)'

lab: $(STAMP)
	@echo "starting JupyterLab on notebooks/ (stop it with Ctrl-C)"
	@$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_QUIET) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

release: $(STAMP)
	$(BIN)/cs231n release

validate: $(STAMP)
	$(BIN)/cs231n release --validate

autograder: $(STAMP)
	$(BIN)/cs231n autograder --out autograder.zip

clean:
	rm -rf build dist *.egg-info cs231n/*.so cs231n/*.c
