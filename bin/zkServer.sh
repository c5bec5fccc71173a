#!/usr/bin/env bash
# zkServer.sh for the ZooKeeper-compatible server in this tree:
#   bin/zkServer.sh {start|start-foreground|stop|restart|status|version} [path/to/zoo.cfg]
# Finds the tree from its own location (symlinks followed) and runs the built
# dist/zk-server/src/bin/zk-server.js with the same arguments; `--help` lists the commands.
# Config paths and relative dataDir values are taken from the current directory.

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
ENTRY="$ROOT/dist/zk-server/src/bin/zk-server.js"
if [ ! -f "$ENTRY" ]; then
  echo "zkServer.sh: $ENTRY is missing; build it with: (cd '$ROOT' && npx tsc -b)" >&2
  exit 1
fi
exec node "$ENTRY" "$@"
