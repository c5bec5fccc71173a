#!/usr/bin/env bash
# kafka-server-start.sh for the Kafka-compatible broker in this tree, named and used as Kafka's script:
#   bin/kafka-server-start.sh [-daemon] [server.properties] [--override key=value]...
# (runs the broker (in the foreground, or in the background with -daemon)). Finds the tree from its own location (symlinks followed) and runs the built
# dist/kafka-broker/src/bin/kafka-server-start.js with the same arguments; `--help` lists the options.
# Relative paths (configs, log.dirs) are taken from the current directory.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/kafka-broker/src/bin/kafka-server-start.js"
if [ ! -f "$ENTRY" ]; then
  echo "kafka-server-start.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
