// `node test/bench/kube-request.ts [count]`: the cost of the operator's Kubernetes request helper
// (src/kube/http.ts kubeRequest) against the same GETs over one shared connection pool. kubeRequest
// asks client-node for a dispatcher on every call, and client-node builds a new undici Agent each
// time: a TLS handshake and a fresh SecureContext per request.
import { CoreV1Api, HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, fetch } from 'undici';
import { kubeRequest } from '../../src/kube/http.ts';
import { startControlPlane } from '../controlplane/controlplane.ts';
import { mapLimit } from './pool.ts';

const count = Number(process.argv[2] ?? 1000);
const IN_FLIGHT = 8; // the operator's --concurrency in the benchmark

const cp = await startControlPlane();
try {
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: 'default',
    body: { metadata: { name: 'probe' }, stringData: { a: 'b' } },
  });
  const path = '/api/v1/namespaces/default/secrets/probe';
  const server = kc.getCurrentCluster()?.server ?? '';

  // One dispatcher and header set, made once, reused for every request.
  const ctx = new RequestContext(server + path, HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  const shared = ctx.getDispatcher() as Dispatcher;
  const headers = { ...ctx.getHeaders(), accept: 'application/json' };
  const sharedGet = async () => (await fetch(server + path, { headers, dispatcher: shared })).json();

  const measure = async (label: string, fn: () => Promise<unknown>) => {
    global.gc?.();
    const cpu0 = process.cpuUsage();
    const rss0 = process.memoryUsage().rss;
    const t = performance.now();
    await mapLimit(count, IN_FLIGHT, () => fn());
    const ms = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const rssDelta = process.memoryUsage().rss - rss0;
    console.log(
      `${label.padEnd(34)} ${count} GETs in ${Math.round(ms)} ms (${Math.round(count / (ms / 1000))}/s), ` +
        `CPU ${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms per request, RSS +${(rssDelta / 1048576).toFixed(1)} MiB`,
    );
  };
  // kubeRequest first, so its RSS growth is not hidden by memory the other run already took.
  await measure('kubeRequest (src/kube/http.ts)', () => kubeRequest(kc, path));
  await measure('shared dispatcher (keep-alive)', sharedGet);
  await shared.close();
} finally {
  await cp.stop();
}
