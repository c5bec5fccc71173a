#!/usr/bin/env bash
# kafka-topics.sh for the Kafka-compatible broker in this tree, named and used as Kafka's script:
#   bin/kafka-topics.sh (--bootstrap-server host:port | --zookeeper host:port[/chroot]) --create|--list|--describe|--alter|--delete ...
# (creates, lists, describes, alters and deletes topics). Finds the tree from its own location (symlinks followed) and runs the built
# dist/kafka-broker/src/bin/kafka-topics.js with the same arguments; `--help` lists the options.
# Relative paths (configs, log.dirs) are taken from the current directory.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/kafka-broker/src/bin/kafka-topics.js"
if [ ! -f "$ENTRY" ]; then
  echo "kafka-topics.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
