# convenio: `make run` processes the bundled sample archive and opens it in Datasette;
# `make test` runs the test suite. Both set up everything they need on a fresh machine.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
DB     ?= convenio.db
SAMPLE := corpus/sample
SAMPLE_GOLD := corpus/sample-gold
HOST   ?= 127.0.0.1
PORT   ?= 8001
APT_PACKAGES := tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng tesseract-ocr-osd libtesseract-dev libleptonica-dev \
                pkg-config g++ poppler-utils chromium fonts-dejavu-core
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-deps run test bench bench-ocr bench-batch train sample eval clean

setup: system-deps $(VENV)/.installed

# Debian packages: tesseract with Spanish and English data (and its headers, which tesserocr builds
# against), poppler, and Chromium for the browser tests.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# torch is pinned to the CPU build first so that transformers does not pull a CUDA build.
# tesserocr is built from source against the system libtesseract, so that OCR in the workers
# runs the very Tesseract (and reads the same tessdata) as the tesseract command.
$(VENV)/.installed: pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q --no-binary tesserocr -e '.[test]'
	@touch $@

sample: setup
	$(PY) -m corpus.generate --out $(SAMPLE) --gold $(SAMPLE_GOLD)

run: setup sample
	$(BIN)/convenio ingest $(SAMPLE) --db $(DB)
	$(BIN)/convenio serve --db $(DB) --host $(HOST) --port $(PORT)

test: setup
	$(PY) -m pytest

bench: setup bench-ocr bench-batch

bench-ocr: setup
	$(PY) -m bench.ocr

bench-batch: setup
	$(PY) -m bench.batch

train: setup
	$(BIN)/convenio train

eval: setup sample
	$(BIN)/convenio eval ../shared/corpus/real
	$(BIN)/convenio eval corpus/dev
	$(BIN)/convenio eval corpus/heldout
	$(BIN)/convenio eval $(SAMPLE_GOLD)

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
