#!/usr/bin/env bash
# promtool, which test/inventory/metrics.test.ts runs on the documented alert rules: Debian's
# `prometheus` package ships it. Installed once per machine by .ci/setup; a no-op when present.
set -euo pipefail
if command -v promtool >/dev/null; then exit 0; fi
as_root=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "[promtool] needs root or sudo for apt-get install prometheus" >&2; exit 1; }
  as_root=(sudo)
fi
echo "[promtool] installing Debian package prometheus (for promtool)" >&2
"${as_root[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends prometheus >&2
promtool --version >&2
