#!/usr/bin/env bash
# kafka-consumer-groups.sh for the Kafka-compatible broker in this tree, named and used as Kafka's script:
#   bin/kafka-consumer-groups.sh --bootstrap-server host:port --list|--describe|--delete|--reset-offsets ...
# (lists, describes and deletes consumer groups and resets their offsets). Finds the tree from its own location (symlinks followed) and runs the built
# dist/kafka-broker/src/bin/kafka-consumer-groups.js with the same arguments; `--help` lists the options.
# Relative paths (configs, log.dirs) are taken from the current directory.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/kafka-broker/src/bin/kafka-consumer-groups.js"
if [ ! -f "$ENTRY" ]; then
  echo "kafka-consumer-groups.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
