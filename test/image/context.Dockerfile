# The build context as the builder sends it (after .dockerignore), copied into an image for
# test/image/image.test.ts to list.
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot
FROM ${RUNTIME_IMAGE}
COPY . /ctx
