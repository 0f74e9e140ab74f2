# otcclip — the two commands: `make reproduce` (main job on emoji-scenes) and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PROFILE ?= quick
BASE_PROFILE ?= base-cpu
export OMP_NUM_THREADS ?= 2

.PHONY: setup data reproduce test docs base scratch bench clean-cache

setup: $(STAMP)
$(STAMP):                # named by the content hash of pyproject.toml (nbdev-export rewrites its mtime)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q 'uv>=0.5'    # uv resolves the same pins as pip and installs them faster (a fresh clone: 69 s with nothing cached, 47 s with uv's cache, against pip's 165)
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev]'   # compiled as pip does: where PYTHONDONTWRITEBYTECODE is set, nothing else writes .pyc and every process imports torch from source (22 s against 10)
	rm -f $(VENV)/.installed-*; touch $@

data: setup             ## npm assets -> sprite atlas -> emoji-scenes splits and shards
	$(BIN)/otcclip data --profile $(PROFILE)

reproduce: data         ## the main job: data, then every experiment notebook through papermill
	$(BIN)/otcclip reproduce --profile $(PROFILE)

TEST_WORKERS ?= 2      # pytest-xdist workers, one thread each (tests/conftest.py); TEST_WORKERS=0 runs in this process
test: setup             ## notebooks and tests (slow/gpu flags skipped)
	$(BIN)/otcclip data --profile smoke
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

docs: setup             ## the documentation site, built offline into _site/ (open _site/index.html)
	$(BIN)/python -c "from otcclip.site import build_site, broken_links; s = build_site(); b = broken_links(s); print(s/'index.html'); assert not b, b"

base: setup             ## train the base CLIP from scratch on 2 CPU cores (BASE_PROFILE=gpu on a GPU) -> data/base/
	$(BIN)/otcclip reproduce --profile $(BASE_PROFILE) --only 01_base_model --force

bench: setup
	$(BIN)/python benchmarks/data_bench.py
	$(BIN)/python benchmarks/train_bench.py
	$(BIN)/python benchmarks/optimizer_bench.py
	$(BIN)/python benchmarks/ot_bench.py
	$(BIN)/python benchmarks/defense_bench.py
	$(BIN)/python benchmarks/real_data_bench.py

clean-cache:
	rm -rf data/cache

scratch: data           ## background, hours: CLIP/OTCCLIP/RoCLIP from scratch on poisoned scenes (cpu-scratch), then the report
	$(BIN)/otcclip reproduce --profile cpu-scratch --only 04_defenses
	$(BIN)/otcclip reproduce --profile $(PROFILE) --only 99_report --force
