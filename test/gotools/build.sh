#!/usr/bin/env bash
# Builds one Go test tool (a module under test/gotools/<name>/ with a main package) into a cache keyed
# by the hash of its sources, so each tool is built once per machine. Prints the binary's path.
# Usage: test/gotools/build.sh <name>   (or every tool: test/gotools/build.sh --all)
#        test/gotools/build.sh --cached <name>   prints the path only if already built (exit 1 if not)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [[ "${1:-}" == "--all" ]]; then
  for d in "$here"/*/; do [[ -f "$d/go.mod" ]] && "$0" "$(basename "$d")" >/dev/null; done
  exit 0
fi
cached_only=false
if [[ "${1:-}" == "--cached" ]]; then cached_only=true; shift; fi
name="${1:?usage: build.sh [--cached] <name>|--all}"
src="$here/$name"
[[ -f "$src/go.mod" ]] || { echo "[gotools] no module at $src" >&2; exit 1; }

# Key: every file of the module (sources, go.mod, go.sum) and the Go version that builds it.
key="$( { go env GOVERSION; cd "$src" && find . -type f -not -name '*_test.go' | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)"
cache_root="${APIG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/apig-cert-sync}/gotools"
dest="$cache_root/$name-$key"
if [[ -x "$dest/$name" ]]; then echo "$dest/$name"; exit 0; fi
$cached_only && exit 1

command -v go >/dev/null || { echo "[gotools] go is needed to build $name" >&2; exit 1; }
mkdir -p "$cache_root"
# One builder per tool at a time; the loser of the race finds the finished binary after the lock.
exec 9>"$cache_root/.$name.lock"
if ! flock -n 9; then
  echo "[gotools] waiting for another process building $name (lock $cache_root/.$name.lock)" >&2
  flock 9
fi
if [[ -x "$dest/$name" ]]; then echo "$dest/$name"; exit 0; fi

echo "[gotools] building $name (first time on this machine; cached in $dest)" >&2
work="$(mktemp -d "$cache_root/.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$src" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w" -o "$work/$name" .) >&2
# Publish atomically: a reader sees either nothing or the finished binary. Older keys are dropped.
rm -rf "$cache_root/$name-"*.tmp
mv "$work" "$dest.tmp"
mv "$dest.tmp" "$dest"
find "$cache_root" -maxdepth 1 -name "$name-*" -not -name "$name-$key" -exec rm -rf {} + 2>/dev/null || true
echo "$dest/$name"
