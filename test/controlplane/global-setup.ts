// vitest global setup: one real control plane per test run, torn down when the run ends.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startControlPlane } from './controlplane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfigPath: string;
    kubectlPath: string;
    controlPlaneBinDir: string;
    etcdUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // Suites that never touch Kubernetes (gateway, certificates) can run without one.
  if (process.env.APIG_NO_CONTROL_PLANE === '1') return undefined;
  const started = Date.now();
  const cp = await startControlPlane();
  console.log(`[control-plane] kube-apiserver ${cp.server} ready in ${Date.now() - started} ms`);
  // Installed once here: parallel test files applying the same new CRD would race on its creation.
  const env = { ...process.env, KUBECONFIG: cp.kubeconfigPath };
  execFileSync(cp.kubectlPath, ['apply', '-f', resolve(import.meta.dirname, '../../crds')], {
    env,
    stdio: 'ignore',
  });
  project.provide('kubeconfigPath', cp.kubeconfigPath);
  project.provide('kubectlPath', cp.kubectlPath);
  project.provide('controlPlaneBinDir', cp.binDir);
  project.provide('etcdUrl', cp.etcdUrl);
  const onSignal = () => void cp.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cp.stop();
  };
}
