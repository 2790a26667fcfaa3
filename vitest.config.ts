import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real control plane (etcd + kube-apiserver) per run; tests get a fresh namespace each.
    globalSetup: ['test/controlplane/global-setup.ts'],
    testTimeout: 60_000,
    // Stopgap: three integration tests failed once each in 5 full runs with a CPU burner (watch freeze
    // bound, a cert-manager chain renewal writing twice, cert-manager's root CA not Ready); causes are
    // open in docs/development-notes.md. A consistent failure still fails; remove once they are fixed.
    retry: 1,
    hookTimeout: 120_000,
    // Two cores: integration tests share one API server, so keep file parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
