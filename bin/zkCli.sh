#!/usr/bin/env bash
# zkCli.sh for the ZooKeeper-compatible server in this tree:
#   bin/zkCli.sh [-server host:port] [command args...]
# Finds the tree from its own location (symlinks followed) and runs the built
# dist/zk-server/src/bin/zk-cli.js with the same arguments; `--help` lists the commands.
# Without a command it is an interactive shell.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/zk-server/src/bin/zk-cli.js"
if [ ! -f "$ENTRY" ]; then
  echo "zkCli.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
