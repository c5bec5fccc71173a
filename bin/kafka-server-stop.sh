#!/usr/bin/env bash
# kafka-server-stop.sh for the Kafka-compatible broker in this tree, named and used as Kafka's script:
#   bin/kafka-server-stop.sh [server.properties]
# (stops the brokers of this machine, or the one of that config). Finds the tree from its own location (symlinks followed) and runs the built
# dist/kafka-broker/src/bin/kafka-server-stop.js with the same arguments; `--help` lists the options.
# Relative paths (configs, log.dirs) are taken from the current directory.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/kafka-broker/src/bin/kafka-server-stop.js"
if [ ! -f "$ENTRY" ]; then
  echo "kafka-server-stop.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
