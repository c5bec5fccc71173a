#!/usr/bin/env bash
# Installs the Debian packages the interop and differential tiers use: the reference Apache
# ZooKeeper 3.8, its C client, kazoo, and the Kafka clients. Skips what is already there; without
# root or apt-get it says so and the tiers that need a missing tool skip with a message.
set -uo pipefail
packages=(zookeeper zookeeper-bin python3-kazoo kcat python3-confluent-kafka python3-kafka golang-go golang-github-shopify-sarama-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps: cannot install ${missing[*]} (needs root and apt-get); tests that need them will skip" >&2
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
