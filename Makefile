# Entry points. `make run` starts the local servers; `make test` runs the whole suite.
.PHONY: run test deps test-deps build typecheck test-unit test-integration test-interop test-differential bench-zk bench-zk-recovery clean

NODE_MODULES_STAMP := node_modules/.package-lock.json

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(NODE_MODULES_STAMP)

test-deps:
	./scripts/install-test-deps.sh

build: deps
	npx tsc -b

run: build
	node dist/zk-server/src/bin/zk-server.js start-foreground conf/zoo.cfg

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

clean:
	rm -rf dist
