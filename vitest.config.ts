import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real control plane (etcd + kube-apiserver) per run; tests get a fresh namespace each.
    globalSetup: ['test/controlplane/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration tests share one API server, so keep file parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
