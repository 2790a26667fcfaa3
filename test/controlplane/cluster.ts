// `npm run cluster`: the test control plane, for a human. Stays up until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startControlPlane } from './controlplane.ts';

const cp = await startControlPlane();
// The CRDs come installed, so `kubectl get gdc -A` answers at once.
const env = { ...process.env, KUBECONFIG: cp.kubeconfigPath };
execFileSync(cp.kubectlPath, ['apply', '-f', resolve(import.meta.dirname, '../../crds')], {
  env,
  stdio: 'ignore',
});
execFileSync(cp.kubectlPath, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'], {
  env,
  stdio: 'ignore',
});
console.log(`# kube-apiserver ${cp.server} (etcd ${cp.etcdUrl}); Ctrl-C stops it and removes ${cp.dir}`);
console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
console.log(`export PATH=${cp.binDir}:$PATH  # kubectl of the same version`);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.error('\n# stopping the control plane');
  await cp.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
setInterval(() => {}, 1 << 30); // keep the event loop alive until a signal
