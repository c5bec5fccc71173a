# Entry points. `make run` starts the local servers; `make test` runs the whole suite.
.PHONY: run test deps test-deps build test-unit test-integration test-interop test-differential bench clean

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

test: test-deps build
	npx jest

test-unit: build
	npx jest --selectProjects unit property

test-integration: build
	npx jest --selectProjects integration

test-interop: test-deps build
	npx jest --selectProjects interop

test-differential: test-deps build
	npx jest --selectProjects differential

clean:
	rm -rf dist
