# syntax=docker/dockerfile:1
# apig-cert-sync image: compiled JavaScript and production dependencies on distroless Node.js 24,
# running as uid 65532 with nothing written to disk (fine under readOnlyRootFilesystem).
#   docker build -t apig-cert-sync:dev .                                # the operator (last stage)
#   docker build --target emulator -t apig-cert-sync-emulator:dev .     # gateway emulator, e2e only
# Release builds should pin the base images by digest (NODE_IMAGE / RUNTIME_IMAGE build args).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# Compile TypeScript with the full (dev) dependency set.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only, in a clean tree (no compiler, no test tools).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# The Huawei Cloud gateway emulator for test/e2e/kind.sh. It uses only Node built-ins and runs its
# TypeScript directly (Node 24 type stripping); never shipped.
FROM ${NODE_IMAGE} AS emulator
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="apig-cert-sync-emulator" \
      org.opencontainers.image.description="Huawei Cloud API Gateway emulator for apig-cert-sync's end-to-end tests (not for production)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/apig-cert-sync/apig-cert-sync" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
WORKDIR /app
COPY package.json ./
COPY test/emulator ./test/emulator
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "test/emulator/main.ts"]
CMD ["--host", "0.0.0.0", "--port", "8080"]

# The operator: distroless (no shell, no package manager), non-root, compiled output only.
FROM ${RUNTIME_IMAGE} AS runtime
ARG RUNTIME_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="apig-cert-sync" \
      org.opencontainers.image.description="Kubernetes operator that keeps Huawei Cloud API Gateway and ROMA Connect domains serving the certificates cert-manager renews" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/apig-cert-sync/apig-cert-sync" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
WORKDIR /app
ENV NODE_ENV=production
# package.json carries "type": "module", which the compiled ES modules need.
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080 8081
# The distroless entrypoint is node itself.
# --liftoff-only: undici parses HTTP with llhttp compiled to WebAssembly, and V8's optimising tier-up of
# that module kept ~9 MiB of RSS after the first requests at no measurable gain in parsing time
# (test/bench/README.md, "WebAssembly tier-up"). deploy/ passes the same flag in its command.
CMD ["--liftoff-only", "dist/src/main.js"]
