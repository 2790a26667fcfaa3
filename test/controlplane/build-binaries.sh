#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy into a cache keyed by version,
# so tests run against a real control plane without downloading prebuilt binaries.
# Prints the directory holding the three binaries (the KUBEBUILDER_ASSETS convention).
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.34.4}"
# etcd version that Kubernetes 1.34 pairs with (its go.mod requires go.etcd.io/etcd/server/v3 v3.6.4).
ETCD_VERSION="${ETCD_VERSION:-v3.6.4}"

# An existing set of binaries wins: the envtest convention, or our own variable.
for dir in "${APIG_CONTROL_PLANE_BIN:-}" "${KUBEBUILDER_ASSETS:-}"; do
  if [[ -n "$dir" && -x "$dir/kube-apiserver" && -x "$dir/etcd" && -x "$dir/kubectl" ]]; then
    echo "$dir"
    exit 0
  fi
done

cache_root="${APIG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/apig-cert-sync}"
dest="$cache_root/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
if [[ -x "$dest/kube-apiserver" && -x "$dest/etcd" && -x "$dest/kubectl" ]]; then
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || { echo "go (>= 1.25) is needed to build the control plane, or set KUBEBUILDER_ASSETS" >&2; exit 1; }
mkdir -p "$cache_root"
# One builder at a time; the loser of the race finds the finished cache after the lock.
exec 9>"$cache_root/.build.lock"
if ! flock -n 9; then
  echo "[control-plane] waiting for another process building kube-apiserver/etcd/kubectl ${K8S_VERSION} (lock $cache_root/.build.lock; a first build takes 10-30 min)" >&2
  flock 9
fi
if [[ -x "$dest/kube-apiserver" && -x "$dest/etcd" && -x "$dest/kubectl" ]]; then
  echo "$dest"
  exit 0
fi

work="$(mktemp -d "$cache_root/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${K8S_VERSION#v1.}"

log() { echo "[control-plane] $*" >&2; }

# --- kube-apiserver and kubectl ---
mkdir -p "$work/k8s"
(
  cd "$work/k8s"
  go mod init apig-cert-sync/controlplane >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging modules at v0.0.0 with local replaces, which are ignored
  # for a dependency: replace each with its published v0.Y.Z.
  go mod download "k8s.io/kubernetes@${K8S_VERSION}"
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/${K8S_VERSION}.mod"
  go mod edit -require="k8s.io/kubernetes@${K8S_VERSION}"
  while read -r m; do
    go mod edit -replace="${m}=${m}@${staging_version}"
  done < <(awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$modfile" | sort -u)
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  log "resolving Kubernetes ${K8S_VERSION} modules"
  go mod tidy -e >/dev/null 2>&1 || true
  go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >&2
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
  log "building kube-apiserver ${K8S_VERSION}"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  log "building kubectl ${K8S_VERSION}"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/bin/kubectl" k8s.io/kubernetes/cmd/kubectl
)

# --- etcd ---
mkdir -p "$work/etcd"
(
  cd "$work/etcd"
  go mod init apig-cert-sync/etcd >/dev/null 2>&1
  log "building etcd ${ETCD_VERSION}"
  go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3
)

# Publish atomically: a reader sees either nothing or the complete set.
rm -rf "$dest.tmp"
mv "$work/bin" "$dest.tmp"
mv "$dest.tmp" "$dest"
log "cached in $dest"
echo "$dest"
