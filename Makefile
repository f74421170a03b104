# Lifelong — one-command setup, build, test and benchmarks on Debian.
#   make run    install what is missing, build in release, run the main job
#   make test   the same setup, a Python venv for interop tests, lint, then every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
# Debian packages the build and tests need; installed with apt-get only when absent.
DEBIAN_PACKAGES := libhdf5-dev libopenblas-dev pkg-config python3 python3-venv
# Only `make test` needs these: a real browser renders the HTML report in a test.
TEST_DEBIAN_PACKAGES := chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LINT_PATHS := Package.swift Sources Tests Benchmarks
# Benchmark targets add themselves here (bench-neural, bench-env, …); `make bench` runs them all.
BENCH_TARGETS := bench-neural bench-env bench-replay
BENCH_DIR := runs/bench

.PHONY: run sweep-quickstart test test-ray test-deps deps venv bench-venv build lint format bench bench-neural bench-env bench-replay bench-agents bench-memory bench-worldmodel bench-continual bench-overhead crash-test clean

# The main job: the quickstart curriculum (a fresh runs/quickstart each time), its HTML report and its notebook
# (notebooks-export/quickstart.ipynb, the same file each time).
run: build
	@mkdir -p runs
	rm -rf runs/quickstart
	.build/release/lifelong run experiments/quickstart.json --out runs/quickstart
	.build/release/lifelong report runs/quickstart
	.build/release/lifelong export notebook runs/quickstart --force

test: test-deps venv lint
	LIFELONG_REQUIRE_INTEROP=1 LIFELONG_PYTHON="$(CURDIR)/$(VENV)/bin/python" $(SWIFT) test

# The sweep's Ray backend against a real local Ray instance on loopback (ray is large, so it has its own target;
# CI runs it after `make test`).
test-ray: test-deps venv $(VENV)/.ray-installed
	LIFELONG_RAY_TESTS=1 LIFELONG_REQUIRE_INTEROP=1 LIFELONG_PYTHON="$(CURDIR)/$(VENV)/bin/python" \
	  $(SWIFT) test --filter RaySweepTests

$(VENV)/.ray-installed: requirements-ray.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-ray.txt
	touch $@

test-deps: deps
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(TEST_DEBIAN_PACKAGES)"

deps:
	@missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "error: 'swift' is not on PATH. Install a Swift 6 toolchain (https://www.swift.org/install/linux/) and retry."; exit 1; }

venv: deps $(VENV)/.installed

$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

build: deps
	$(SWIFT) build -c release --product lifelong

lint:
	$(SWIFT) format lint --strict --recursive $(LINT_PATHS)

format:
	$(SWIFT) format --in-place --recursive $(LINT_PATHS)

# Continual-learning results (docs/results.md): fine-tuning, replay, EWC, A-GEM and PackNet on cartpole-physics and
# gridworld-goals, SEEDS seeds each; finished runs under runs/results are reused. An hour or more.
bench-continual: build
	$(PYTHON) Benchmarks/continual/results.py --seeds $${SEEDS:-5} --out runs/results

# The scheduler's and the run log's cost on top of the learning they drive (target ≤ 3%).
bench-overhead: deps
	$(SWIFT) build -c release --product ContinualBenchmark
	.build/release/ContinualBenchmark --steps $${STEPS:-300000} --repeats $${REPEATS:-3}

# A sweep of 3 seeds × 2 strategies over the quickstart on the local pool, merged into one file, and its notebook
# executed (runs/sweeps/quickstart-strategies; running it again skips finished runs).
sweep-quickstart: build venv
	.build/release/lifelong sweep experiments/sweeps/quickstart-strategies.json
	$(VENV)/bin/jupyter nbconvert --to notebook --execute runs/sweeps/quickstart-strategies/sweep.ipynb \
	  --output sweep.executed.ipynb

# Kill -9 trials beyond the 24 that `make test` runs.
crash-test: deps
	LIFELONG_CRASH_TRIALS=$${LIFELONG_CRASH_TRIALS:-500} $(SWIFT) test --filter CrashTests

bench: $(BENCH_TARGETS)

bench-venv: venv $(VENV)/.bench-installed

$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# Built-in environments against Gymnasium (already in the test venv) on the same random actions.
bench-env: deps venv
	$(SWIFT) build -c release --product EnvironmentBenchmark
	@mkdir -p $(BENCH_DIR)
	.build/release/EnvironmentBenchmark --peer $(VENV)/bin/python | tee $(BENCH_DIR)/environments.txt

# The replay store against cpprb, TorchRL and Stable-Baselines3's buffer, and h5py for persistence.
bench-replay: deps bench-venv
	$(SWIFT) build -c release --product ReplayBenchmark
	@mkdir -p $(BENCH_DIR)
	.build/release/ReplayBenchmark --peer $(VENV)/bin/python --scratch $(BENCH_DIR)/replay-scratch \
	  | tee $(BENCH_DIR)/replay.txt

# DQN (rl-zoo's and CleanRL's CartPole settings) and SAC (rl-zoo's Pendulum) against Stable-Baselines3, same seeds,
# same run (about an hour; not in `make bench`). `make bench-agents AGENTS_ARGS="--cases c --sac-steps 4000"`.
bench-agents: deps bench-venv
	$(SWIFT) build -c release --product AgentBenchmark
	@mkdir -p $(BENCH_DIR)
	.build/release/AgentBenchmark --peer $(VENV)/bin/python $(AGENTS_ARGS) | tee $(BENCH_DIR)/agents.txt

# The episodic store's exact search against FAISS (faiss-cpu), one thread each (minutes; not in `make bench`).
bench-memory: deps bench-venv
	$(SWIFT) build -c release --product MemoryBenchmark
	@mkdir -p $(BENCH_DIR)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 .build/release/MemoryBenchmark --peer $(VENV)/bin/python \
	  --scratch $(BENCH_DIR)/memory-scratch | tee $(BENCH_DIR)/memory.txt

# PETS against mbrl-lib 0.2.0 (requirements-worldmodel.txt, installed without its stale pins): seconds per planning
# step at pets_cartpole's settings under the build machines' OpenBLAS setting and the CPU's own kernel, and returns
# per trial (hours at the full 10 trials × 5 seeds; `make bench-worldmodel WORLDMODEL_ARGS="--trials 3 --seeds 1"`).
bench-worldmodel: deps bench-venv $(VENV)/.worldmodel-installed
	$(SWIFT) build -c release --product WorldModelBenchmark
	@mkdir -p $(BENCH_DIR)
	OPENBLAS_CORETYPE=$${OPENBLAS_CORETYPE:-Haswell} .build/release/WorldModelBenchmark --peer $(VENV)/bin/python \
	  $(WORLDMODEL_ARGS) | tee $(BENCH_DIR)/worldmodel.txt

$(VENV)/.worldmodel-installed: requirements-worldmodel.txt $(VENV)/.bench-installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r requirements-worldmodel.txt
	touch $@

# Neural against PyTorch, twice: under the build machines' OpenBLAS setting (OPENBLAS_CORETYPE, Haswell when
# unset) and under the kernel OpenBLAS picks for this CPU, checking that both give the same results.
bench-neural: deps bench-venv
	$(SWIFT) build -c release --product NeuralBenchmark
	@mkdir -p $(BENCH_DIR)
	OPENBLAS_CORETYPE=$${OPENBLAS_CORETYPE:-Haswell} .build/release/NeuralBenchmark --peer $(VENV)/bin/python \
	  --write-reference $(BENCH_DIR)/neural-reference.bin | tee $(BENCH_DIR)/neural-default.txt
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/NeuralBenchmark --peer $(VENV)/bin/python \
	  --check-reference $(BENCH_DIR)/neural-reference.bin | tee $(BENCH_DIR)/neural-native.txt
	@echo "summary: $$(tail -n 1 $(BENCH_DIR)/neural-default.txt | sed 's/^summary //') | $$(tail -n 1 $(BENCH_DIR)/neural-native.txt | sed 's/^summary //')"

clean:
	rm -rf .build $(VENV)
