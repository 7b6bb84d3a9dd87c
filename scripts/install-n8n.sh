#!/usr/bin/env bash
# Installs the pinned n8n into the cache, once; later runs reuse it (marker file) and print its folder.
#   usage:  scripts/install-n8n.sh        -> prints <cache>/n8n-2.40.7 (n8n is in node_modules/.bin/n8n)
# Workarounds for this registry (see shared/reference/real-n8n-on-this-machine.md):
#  - linkedom pinned to 0.18.14 (0.18.15 needs `cssomnom`, missing from the registry);
#  - --ignore-scripts (a Kafka client's install script downloads zlib from the internet), then only
#    the native modules n8n needs at run time are rebuilt, against Node 24's headers.
set -euo pipefail
# This repo's .npmrc turns install scripts off for its own devDependencies; npm passes that on to
# scripts it runs as npm_config_ignore_scripts, and `npm rebuild` below needs them.
unset npm_config_ignore_scripts

N8N_VERSION=2.40.7
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HANDOFF_CACHE:-$HOME/.cache/n8n-nodes-handoff}"
dir="$cache/n8n-$N8N_VERSION"
marker="$dir/.installed"

if [ -f "$marker" ]; then echo "$dir"; exit 0; fi

# npm, node-gyp and n8n all run on Node 24; native modules build against its headers (npm_config_nodedir
# wins over a `nodedir` in ~/.npmrc, which on this machine points at the system Node 20).
. "$here/ensure-node24.sh"

mkdir -p "$dir"
# Two test runs starting together must not install into the same folder at once.
exec 9>"$dir/.lock"
flock 9
if [ -f "$marker" ]; then echo "$dir"; exit 0; fi   # the other run finished it

start=$(date +%s)
log() { echo "install-n8n: $*" >&2; }
trap 'log "FAILED (exit $?) after $(( $(date +%s) - start ))s; $dir is incomplete and will be retried"' ERR

cd "$dir"
cat > package.json <<JSON
{
  "name": "handoff-n8n-$N8N_VERSION",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.14" }
}
JSON

log "installing n8n@$N8N_VERSION into $dir with $(node --version) (takes ~10 min)"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
log "npm install done after $(( $(date +%s) - start ))s; rebuilding native modules"
npm rebuild sqlite3 isolated-vm --loglevel=error >&2
log "rebuild done after $(( $(date +%s) - start ))s"

# Check it really runs before marking it done; a scratch user folder keeps ~/.n8n untouched.
check_home="$(mktemp -d)"
version="$(N8N_USER_FOLDER="$check_home" ./node_modules/.bin/n8n --version 2>&1 | tail -n 1)"
rm -rf "$check_home"
if [ "$version" != "$N8N_VERSION" ]; then
	log "FAILED: 'n8n --version' printed '$version', expected $N8N_VERSION"
	exit 1
fi
# `--version` loads neither native module: load both (SQLite database, expression sandbox).
node -e "require('$dir/node_modules/sqlite3'); new (require('$dir/node_modules/isolated-vm').Isolate)()" >&2

echo "n8n@$N8N_VERSION $(date -u +%FT%TZ) $(( $(date +%s) - start ))s" > "$marker"
log "installed in $(( $(date +%s) - start ))s"
echo "$dir"
