// Requests the operator made of kube-apiserver, from the server's own counters
// (apiserver_request_total): the benchmark itself never GETs a Secret, so every Secret GET is the operator's.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ControlPlane } from '../controlplane/controlplane.ts';

const run = promisify(execFile);

/** Sum of apiserver_request_total for one resource and verb (GET = single-object reads, LIST, WATCH…). */
export async function apiserverRequests(cp: ControlPlane, resource: string, verb: string): Promise<number> {
  const { stdout } = await run(cp.kubectlPath, ['get', '--raw', '/metrics'], {
    env: { ...process.env, KUBECONFIG: cp.kubeconfigPath },
    maxBuffer: 256 * 1024 * 1024,
  });
  let sum = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (!line.includes(`resource="${resource}"`) || !line.includes(`verb="${verb}"`)) continue;
    if (!line.includes('subresource=""')) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
