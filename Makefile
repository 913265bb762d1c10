# infraprep — `make run` opens the study home, `make test` runs the whole suite.
# Both create .venv on first use. The test install puts the CPU build of torch in first so that
# resolving the labs' `torch` requirement never pulls a multi-GB CUDA build.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TORCH  ?= torch==2.13.0
PYTEST_ARGS ?=

.PHONY: run test test-fast lint diagrams bench clean boost gpu-wheels

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e ".[labs,test]"
	touch $@ $(VENV)/.run-installed

# The round-1 lock-free lab benchmarks against boost::lockfree (Debian libboost-dev, headers only).
# Idempotent: skipped when the headers are present; installed with apt-get when running as root;
# otherwise a note (the lab then reports the boost comparison as unavailable).
boost:
	@test -d /usr/include/boost/lockfree || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libboost-dev >/dev/null; } \
	  || echo "note: boost headers missing (apt-get install libboost-dev): the lock-free lab skips its boost peers"

run: $(VENV)/.run-installed
	$(BIN)/infraprep

test: $(VENV)/.test-installed boost
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test-installed boost
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/infraprep lint
	$(BIN)/ruff check src tests

diagrams: $(VENV)/.run-installed
	$(BIN)/python -m infraprep.diagrams

# For benchmarks/gpu_tier.sh on a lent GPU machine (no internet there; its image has torch, triton,
# numba, rich, click, numpy, matplotlib, networkx but not these): pure-Python wheels, the versions in .venv.
GPU_WHEELS := typer platformdirs fsrs genanki cached-property chevron frozendict
gpu-wheels: $(VENV)/.test-installed
	rm -rf .whl && $(BIN)/pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
	  --platform manylinux_2_17_x86_64 --platform any -d .whl \
	  $$($(BIN)/python -c "import importlib.metadata as m, sys; print(' '.join(f'{n}=={m.version(n)}' for n in sys.argv[1:]))" $(GPU_WHEELS))

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .whl
