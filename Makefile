# Kafkatorio. `make run` starts the whole system on the embedded broker; `make test` runs every test.
SHELL := /bin/bash
CONFIG ?= debug
SWIFT_BUILD_FLAGS ?=

.PHONY: all deps build test run bench fuzz clean broker-start broker-stop

all: build

deps:
	@scripts/deps.sh

build: deps
	@scripts/build.sh $(CONFIG)

test: deps
	@scripts/test.sh

run: deps
	@CONFIG=$(CONFIG) scripts/run.sh

bench: deps
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh

broker-start: deps
	@scripts/broker-start.sh

broker-stop:
	@scripts/broker-stop.sh

clean:
	rm -rf .build .run
