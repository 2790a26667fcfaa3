// `npm run chaos [-- --resources 50 --renewals 3 --kills 10 --fault-rate 0.3]`: starts its own etcd +
// kube-apiserver, runs the chaos (run.ts), prints the figures, exits 1 when a property fails.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../controlplane/controlplane.ts';
import { formatReport, runChaos, violations } from './run.ts';

const { values } = parseArgs({
  options: {
    resources: { type: 'string', default: '50' },
    renewals: { type: 'string', default: '3' },
    kills: { type: 'string', default: '10' },
    'fault-rate': { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '8' },
  },
  strict: true,
});
const num = (k: keyof typeof values) => {
  const v = Number(values[k]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} wants a number >= 0`);
  return v;
};

const plane = await startControlPlane();
let failed = true;
try {
  execFileSync(plane.kubectlPath, ['apply', '-f', resolve(import.meta.dirname, '../../crds')], {
    env: { ...process.env, KUBECONFIG: plane.kubeconfigPath },
    stdio: 'ignore',
  });
  const report = await runChaos({
    kubeconfigPath: plane.kubeconfigPath,
    resources: num('resources'),
    renewals: num('renewals'),
    kills: num('kills'),
    faultRate: num('fault-rate'),
    seed: num('seed'),
    log: (l) => console.log(l),
  });
  console.log(formatReport(report));
  const bad = violations(report);
  for (const v of bad) console.log(`FAIL: ${v}`);
  failed = bad.length > 0;
  if (!failed) console.log('OK: every renewal bound, no duplicate upload, nothing left behind');
} finally {
  await plane.stop();
}
process.exit(failed ? 1 : 0);
