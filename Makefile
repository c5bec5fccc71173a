# Entry points. `make run` starts the local servers; `make test` runs the whole suite.
.PHONY: sim-long run test deps test-deps build typecheck test-unit test-integration test-interop test-differential bench-zk bench-zk-recovery bench-zk-ensemble clean

NODE_MODULES_STAMP := node_modules/.package-lock.json

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(NODE_MODULES_STAMP)

test-deps:
	./scripts/install-test-deps.sh

build: deps
	npx tsc -b

# ZooKeeper (conf/zoo.cfg) and a Kafka broker (conf/server.properties) on loopback in the
# foreground; prints what to try next; Ctrl-C stops the broker, then ZooKeeper. Logs: data/logs/.
run: build
	node dist/kafka-broker/src/bin/kafka-local-cluster.js single

# Three ZooKeeper members (conf/zoo-ensemble, 127.0.0.1-3:2181) and three brokers
# (conf/server-1..3.properties, 127.0.0.1-3:9092), as `run` does for one of each.
.PHONY: run-ensemble
run-ensemble: build
	node dist/kafka-broker/src/bin/kafka-local-cluster.js ensemble

typecheck: build
	npx tsc -p test/tsconfig.json --noEmit

test: test-deps typecheck
	npx jest

test-unit: build
	npx jest --selectProjects unit property

test-integration: build
	npx jest --selectProjects integration

test-interop: test-deps build
	npx jest --selectProjects interop

test-differential: test-deps build
	npx jest --selectProjects differential

# Benchmarks (not tests): ours against Apache ZooKeeper 3.8 in the same run, printed as a ratio.
bench-zk: test-deps build
	node dist/zk-server/src/bench/zk-bench-compare.js --seconds 5 --force-sync yes

bench-zk-recovery: test-deps build
	node dist/zk-server/src/bench/zk-recovery-bench.js --znodes 1000000

# Three-member ensembles on 127.0.0.1-3 (ours, then Apache's): throughput, p99, leader fail-over.
bench-zk-ensemble: test-deps build
	node dist/zk-server/src/bench/zk-ensemble-bench.js --seconds 5 --force-sync yes

# The consensus simulation with many more seeds than the test suite runs.
sim-long: build
	SIM_SEEDS=5000 npx jest --selectProjects sim

clean:
	rm -rf dist

# Kafka broker benchmark (not a test): librdkafka (confluent-kafka, kcat) against our broker and
# against a broker that discards everything, in the same run, plus loopback and disk ceilings.
.PHONY: bench-kafka
bench-kafka: test-deps build
	node dist/kafka-broker/src/bench/kafka-bench.js --records 5000000 --repeat 3
