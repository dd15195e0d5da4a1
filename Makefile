# Kafkatorio. `make run` starts the whole system on the embedded broker; `make test` runs every test.
SHELL := /bin/bash
CONFIG ?= debug
SWIFT_BUILD_FLAGS ?=

.PHONY: all deps build test test-unit chaos run bench bench-scale bench-mod mod sim fuzz clean broker-start broker-stop

all: build

deps:
	@scripts/deps.sh

build: deps
	@scripts/build.sh $(CONFIG)

test: deps
	@scripts/test.sh

# The quick loop: the Lua suite, a debug build, `swift test` without a broker (broker tests skip).
test-unit: deps
	@scripts/test.sh --unit

# The whole system under SIGKILLs and broker pauses, compared byte for byte with a clean run
# (CHAOS_KILLS 20, CHAOS_PAUSES 2, CHAOS_PAUSE_SECONDS 30, CHAOS_SEED, CHAOS_ROUNDS; ARGS="--short").
chaos: deps
	@scripts/chaos.sh $(ARGS)

run: deps
	@CONFIG=$(CONFIG) scripts/run.sh

bench: deps
	@scripts/bench.sh

# A generated world of SIDE×SIDE chunks (300) on SURFACES surfaces (2), DENSITY buildings per chunk
# (1.2), through the four real services: load, change and restart phases (scripts/bench-scale.py).
SIDE ?= 300
SURFACES ?= 2
DENSITY ?= 1.2
bench-scale: deps
	@SIDE=$(SIDE) SURFACES=$(SURFACES) DENSITY=$(DENSITY) scripts/bench-scale.sh $(ARGS)

# The Factorio mod: `make mod` packages dist/kafkatorio_<version>.zip; `make sim` runs the simulated
# game server (SIM_* variables or ARGS="--fast --duration 60 ..."); `make bench-mod` measures the mod.
mod:
	@scripts/mod.sh

sim: deps
	@scripts/sim.sh $(ARGS)

bench-mod: deps
	@mkdir -p .run/bench && lua5.2 mod-tools/bench.lua $(ARGS) > .run/bench/mod.txt && cat .run/bench/mod.txt

fuzz: deps
	@scripts/fuzz.sh

broker-start: deps
	@scripts/broker-start.sh

broker-stop:
	@scripts/broker-stop.sh

clean:
	rm -rf .build .run dist
