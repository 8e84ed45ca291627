# Two commands for a new user: `make run` and `make test`. Everything else is for the people who build it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080

.PHONY: run test lint bench soak fuzz clean

# The venv is rebuilt when the packaging changes; the stamp files remember what was installed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/mocknexus serve --host 127.0.0.1 --port $(PORT) --fixtures fixtures/

# Redocly CLI lints /openapi.json in make test (tests/web/test_openapi_tools.py); npm puts it in the git-ignored tools/.
REDOCLY := tools/redocly/node_modules/.bin/redocly

test: $(VENV)/.installed-test
	@test -x $(REDOCLY) || ! command -v npm >/dev/null || npm install --silent --prefix tools/redocly @redocly/cli@2
	$(BIN)/ruff check mocknexus tests bench
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mocknexus tests bench

# wrk is a Debian package (apt-get install -y wrk); Prism, the peer column, goes into the git-ignored bench/prism/.
$(VENV)/.installed-bench: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	@test -x bench/prism/node_modules/.bin/prism || ! command -v npm >/dev/null || \
		npm install --silent --prefix bench/prism @stoplight/prism-cli
	$(BIN)/python bench/bench.py

# A few hundred thousand mixed requests, faults firing, against one server; fails if RSS grows for anything
# but the stopped interactions it counts (bench/soak.py says how). Takes several minutes.
soak: $(VENV)/.installed-test
	$(BIN)/python bench/soak.py

# The schemathesis fuzz of tests/test_fuzz.py with a much larger budget (make test runs it with 10 examples
# per operation); MOCKNEXUS_FUZZ_EXAMPLES=N sets it. Beside it, on a second worker, the hostile raw-socket
# fuzz of tests/test_fuzz_hostile.py (make test: 150 requests; MOCKNEXUS_HOSTILE_EXAMPLES=N, ~2 min at 10000).
fuzz: $(VENV)/.installed-test
	MOCKNEXUS_FUZZ_EXAMPLES=$${MOCKNEXUS_FUZZ_EXAMPLES:-300} MOCKNEXUS_HOSTILE_EXAMPLES=$${MOCKNEXUS_HOSTILE_EXAMPLES:-10000} \
		$(BIN)/python -m pytest tests/test_fuzz.py tests/test_fuzz_hostile.py -q -n 2

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache tools

# The image (Dockerfile; README "Install"), with docker or podman, whichever runs here. BASE=<image> builds on
# another Python 3.11 base, e.g. the one image/base.sh makes from Debian packages where no registry is reachable.
# image-test runs the image as a CI would and checks it (about a minute); it is not part of make test.
.PHONY: image image-test
IMAGE ?= mocknexus:latest
image:
	IMAGE=$(IMAGE) BASE=$(BASE) image/build.sh

image-test: image
	IMAGE=$(IMAGE) image/test.sh
