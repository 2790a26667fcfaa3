# shellcheck shell=bash
# Sourced by .ci scripts: puts Node.js 24 first on PATH, installing it from the npm registry's
# `node` package into a cache when the machine's node is older.
NODE_WANT_MAJOR=24
NODE_PACKAGE_VERSION="${NODE_PACKAGE_VERSION:-24.21.0}"
_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_node_major)" -lt "$NODE_WANT_MAJOR" ]; then
  _node_dir="${APIG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/apig-cert-sync}/node-$NODE_PACKAGE_VERSION"
  if [ ! -x "$_node_dir/node_modules/node/bin/node" ]; then
    echo "[setup] installing Node.js $NODE_PACKAGE_VERSION from the npm registry into $_node_dir" >&2
    mkdir -p "$_node_dir"
    npm install --prefix "$_node_dir" --no-save --no-audit --no-fund --loglevel=error "node@$NODE_PACKAGE_VERSION" >&2
  fi
  PATH="$_node_dir/node_modules/node/bin:$PATH"
  export PATH
fi
echo "[setup] node $(node --version), npm $(npm --version 2>/dev/null)" >&2
