#!/usr/bin/env bash
# End-to-end install on a throwaway kind cluster: build the image, load it, install (optionally)
# cert-manager, apply crds/ and deploy/, run the gateway emulator in the cluster, apply a TLS Secret,
# credentials and a GatewayDomainCertificate pointed at the emulator, wait for Ready, then delete the
# cluster (also on failure or Ctrl-C).
#
# NOT RUN IN CI HERE: it needs Docker and kind, which the development machine does not have. The same
# path is covered without Docker by test/deploy/*.test.ts (server dry run, RBAC, failover, image command).
#
# Usage: test/e2e/kind.sh [path/to/cert-manager.yaml]
#   KEEP_CLUSTER=1    keep the cluster for inspection
#   KIND_CLUSTER=name cluster name (default apig-cert-sync-e2e)
# Needs: docker, kind, kubectl, openssl.
set -euo pipefail

cd "$(dirname "$0")/../.."
CLUSTER="${KIND_CLUSTER:-apig-cert-sync-e2e}"
CERT_MANAGER_MANIFEST="${1:-}"
TAG="e2e-$(date +%s)"
IMAGE="apig-cert-sync:${TAG}"
EMULATOR_IMAGE="apig-cert-sync-emulator:${TAG}"
APP_NS="apps"
WORK="$(mktemp -d)"
CTX="kind-${CLUSTER}"

log() { printf '[kind-e2e] %s\n' "$*" >&2; }
k() { kubectl --context "$CTX" "$@"; }

cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    log "failed (exit $rc); operator logs:"
    k -n apig-cert-sync logs -l app.kubernetes.io/name=apig-cert-sync --tail=50 --prefix 2>/dev/null || true
    k -n "$APP_NS" get gatewaydomaincertificates -o wide 2>/dev/null || true
  fi
  if [ "${KEEP_CLUSTER:-0}" = "1" ]; then
    log "keeping cluster ${CLUSTER} (kind delete cluster --name ${CLUSTER})"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in docker kind kubectl openssl; do
  command -v "$tool" >/dev/null || { log "missing $tool"; exit 2; }
done

log "building ${IMAGE} and ${EMULATOR_IMAGE}"
docker build --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$IMAGE" .
docker build --target emulator -t "$EMULATOR_IMAGE" .

log "creating cluster ${CLUSTER}"
kind create cluster --name "$CLUSTER" --wait 120s
kind load docker-image --name "$CLUSTER" "$IMAGE" "$EMULATOR_IMAGE"

if [ -n "$CERT_MANAGER_MANIFEST" ]; then
  log "installing cert-manager from ${CERT_MANAGER_MANIFEST}"
  k apply -f "$CERT_MANAGER_MANIFEST"
  k -n cert-manager wait --for=condition=Available deployment --all --timeout=180s
fi

log "installing the operator"
k apply -f crds/
k wait --for=condition=Established crd/gatewaydomaincertificates.apig-cert-sync.io --timeout=60s
# An overlay of deploy/ that only swaps in the image just built.
mkdir -p "$WORK/install"
cat >"$WORK/install/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(pwd)/deploy
images:
  - name: ghcr.io/apig-cert-sync/apig-cert-sync
    newName: apig-cert-sync
    newTag: ${TAG}
patches:
  - target: {kind: Deployment, name: apig-cert-sync}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --allow-insecure-http=true
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --allowed-endpoint-domains=svc
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --allowed-endpoint-networks=10.96.0.0/12
YAML
k apply -k "$WORK/install"

log "starting the gateway emulator"
k create namespace "$APP_NS"
k -n "$APP_NS" create deployment gateway-emulator --image="$EMULATOR_IMAGE" --port=8080
k -n "$APP_NS" expose deployment gateway-emulator --port=80 --target-port=8080
k -n "$APP_NS" rollout status deployment/gateway-emulator --timeout=120s
k -n apig-cert-sync rollout status deployment/apig-cert-sync --timeout=180s

EMULATOR_URL="http://gateway-emulator.${APP_NS}.svc"
# The emulator's seed names the project, gateway and the AK/SK it accepts.
SEED_JS='fetch(process.argv[1]).then((r) => r.json()).then((s) => console.log("SEED", s.projectId, s.gateways[0].id, s.credentials.accessKey, s.credentials.secretKey))'
if ! read -r _ PROJECT_ID INSTANCE_ID ACCESS_KEY SECRET_KEY < <(
  k -n "$APP_NS" run seed --rm -i --restart=Never --image="$EMULATOR_IMAGE" --command -- \
    node -e "$SEED_JS" "${EMULATOR_URL}/__admin/seed" | grep '^SEED '
); then
  log "could not read the emulator seed"
  exit 1
fi

log "creating a certificate, credentials and a GatewayDomainCertificate"
if [ -n "$CERT_MANAGER_MANIFEST" ]; then
  k -n "$APP_NS" apply -f - <<YAML
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-example-com}
spec:
  secretName: shop-example-com-tls
  dnsNames: [shop.example.com]
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {kind: Issuer, name: selfsigned}
YAML
  k -n "$APP_NS" wait --for=condition=Ready certificate/shop-example-com --timeout=120s
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=shop.example.com" -addext "subjectAltName=DNS:shop.example.com" \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
  k -n "$APP_NS" create secret tls shop-example-com-tls --cert="$WORK/tls.crt" --key="$WORK/tls.key"
fi
k -n "$APP_NS" create secret generic huawei-credentials \
  --from-literal=accessKey="$ACCESS_KEY" --from-literal=secretKey="$SECRET_KEY"
k -n "$APP_NS" apply -f - <<YAML
apiVersion: apig-cert-sync.io/v1alpha1
kind: GatewayDomainCertificate
metadata: {name: shop-example-com}
spec:
  secretName: shop-example-com-tls
  credentialsSecretRef: {name: huawei-credentials}
  gateway:
    service: apig
    endpoint: ${EMULATOR_URL}
    iamEndpoint: ${EMULATOR_URL}
    projectId: ${PROJECT_ID}
    instanceId: ${INSTANCE_ID}
    domain: shop.example.com
YAML

log "waiting for Ready"
k -n "$APP_NS" wait --for=condition=Ready gatewaydomaincertificate/shop-example-com --timeout=120s
k -n "$APP_NS" get gatewaydomaincertificates -o wide
log "passed"
