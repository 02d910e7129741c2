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

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Build requirements go in first so the extension builds without build
# isolation (no second download of numpy/Cython, works from a local index).
$(STAMP): $(BIN)/python pyproject.toml setup.py requirements.txt $(PYX)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	$(BIN)/python -c "import cs231n.im2col_cython" 
	@touch $(STAMP)

install: $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

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
