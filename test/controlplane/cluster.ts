// `npm run cluster`: the test control plane, for a human. Stays up until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startControlPlane } from './controlplane.ts';

const cp = await startControlPlane();
// The CRDs come installed, so `kubectl get gdc -A` answers at once, and so does the operator's
// Namespace: a server-side dry run of deploy/ needs the namespace its objects live in to exist.
const env = { ...process.env, KUBECONFIG: cp.kubeconfigPath };
const repo = resolve(import.meta.dirname, '../..');
const kubectl = (...args: string[]) => execFileSync(cp.kubectlPath, args, { env, stdio: 'ignore' });
kubectl('apply', '-f', resolve(repo, 'crds'), '-f', resolve(repo, 'deploy/base/namespace.yaml'));
kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
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
