// `npm run bench [-- --quick | --resources N]`: how the operator copes with many resources. A real
// kube-apiserver, the gateway emulator and the operator as its own process; prints a table and one
// JSON line of figures. See README.md.
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL } from '../../src/api/v1alpha1.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/controlplane.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { createCA } from '../support/pki.ts';
import { parseBenchArgs } from './args.ts';
import {
  killAllOperators,
  metricSum,
  type OperatorProcess,
  startOperatorProcess,
} from './operator-process.ts';
import { type Renewal, renewMany, waitAllReady, waitReconciled } from './phases.ts';
import { fmtCounts, mib, ms, percentile, perUnit, printTable, type Row, round, secs } from './report.ts';
import {
  createNamespaceAndCredentials,
  createOpaqueSecrets,
  createResources,
  createTlsSecrets,
  type Kube,
} from './resources.ts';
import { generateSeed } from './seed.ts';

const run = promisify(execFile);
const opts = parseBenchArgs(process.argv.slice(2));
const N = opts.resources;
const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  node: process.version,
  resources: N,
  opaqueSecrets: opts.opaque,
  concurrency: opts.concurrency,
  gatewayRate: opts.gatewayRate ?? 'operator default (10/s)',
};
const rows: Row[] = [];
const IDLE_MS = 5000;
// Renewals are rare (one per certificate every ~60 days), so each one should meet a full token
// bucket: wait burst/rate between them. Back to back, they would measure the rate limit instead.
const renewalGapMs = Math.min(5000, ((opts.gatewayBurst ?? 20) / (opts.gatewayRate ?? 10)) * 1000);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<[T, number]> {
  process.stdout.write(`• ${label} … `);
  const t = performance.now();
  const out = await fn();
  const elapsed = performance.now() - t;
  console.log(ms(elapsed));
  return [out, elapsed];
}

let cp: ControlPlane | undefined;
let emulator: Emulator | undefined;
let operator: OperatorProcess | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    killAllOperators();
    await emulator?.close().catch(() => {});
    await cp?.stop().catch(() => {});
  })();
  return cleaning;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });

const extraArgs = [
  ...(opts.gatewayRate !== undefined ? ['--gateway-rate', String(opts.gatewayRate)] : []),
  ...(opts.gatewayBurst !== undefined ? ['--gateway-burst', String(opts.gatewayBurst)] : []),
];
// Each first sync is ~4 gateway calls; the operator's per-account limit (default 10/s) bounds it.
const syncTimeoutMs = 120_000 + (N * 5 * 1000) / (opts.gatewayRate ?? 10);

function renewalFigures(label: string, key: string, list: Renewal[]): void {
  const times = list.map((r) => r.ms);
  const counts: Record<string, number> = {};
  for (const r of list) for (const [op, n] of Object.entries(r.counts)) counts[op] = (counts[op] ?? 0) + n;
  const per = perUnit(counts, list.length);
  const writes = list.reduce((s, r) => s + r.writes, 0) / list.length;
  const total = list.reduce((s, r) => s + r.total, 0) / list.length;
  rows.push(
    [
      label,
      'reaction p50 / p95 / max',
      `${ms(percentile(times, 50))} / ${ms(percentile(times, 95))} / ${ms(Math.max(...times))}`,
    ],
    [label, 'gateway calls per renewal', `${round(total)} (${fmtCounts(per)})`],
    [label, 'writes per renewal', String(round(writes))],
  );
  figures[key] = {
    count: list.length,
    p50Ms: Math.round(percentile(times, 50)),
    p95Ms: Math.round(percentile(times, 95)),
    maxMs: Math.round(Math.max(...times)),
    callsPerRenewal: round(total),
    writesPerRenewal: round(writes),
    callsByOperation: per,
  };
}

async function memory(op: OperatorProcess) {
  const text = await op.metricsText();
  return {
    rss: op.rssBytes(),
    heapUsed: metricSum(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: metricSum(text, 'nodejs_heap_size_total_bytes'),
    external: metricSum(text, 'nodejs_external_memory_bytes'),
    promRss: metricSum(text, 'process_resident_memory_bytes'),
  };
}

try {
  console.log(
    `apig-cert-sync benchmark: ${N} resources, ${opts.opaque} unrelated Secrets, ${cpus().length} CPUs, node ${process.version}\n`,
  );
  // ---------- 1. setup ----------
  const [plane] = await timed('start etcd + kube-apiserver', () => startControlPlane());
  cp = plane;
  const { seed, domains } = generateSeed(N);
  [emulator] = await timed(`start the emulator (${N} domains on 2 gateways, groups of 5)`, () =>
    startEmulator({ seed }),
  );
  const em = emulator;
  const kubectl = (...args: string[]) =>
    run(plane.kubectlPath, args, { env: { ...process.env, KUBECONFIG: plane.kubeconfigPath } });
  await timed('apply crds/ with kubectl', async () => {
    await kubectl('apply', '-f', resolve(import.meta.dirname, '../../crds'));
    await kubectl('wait', '--for=condition=Established', `crd/${PLURAL}.${GROUP}`, '--timeout=60s');
  });
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  const k: Kube = {
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    ns: 'bench',
  };
  const ca = createCA({ commonName: 'Bench Issuer CA', keyType: 'ec' });
  await timed('create namespace and credentials Secret', () => createNamespaceAndCredentials(k, seed));
  const [, tTls] = await timed(`create ${N} TLS Secrets (EC P-256, 16 in flight)`, () =>
    createTlsSecrets(k, domains, ca),
  );
  const [, tGdc] = await timed(`create ${N} GatewayDomainCertificates`, () =>
    createResources(k, domains, seed, em.url),
  );
  const [, tOpaque] = await timed(`create ${opts.opaque} Opaque Secrets of 8 KiB`, () =>
    createOpaqueSecrets(k, opts.opaque),
  );
  rows.push(
    ['setup', `create ${N} TLS Secrets`, `${ms(tTls)} (${round(N / (tTls / 1000), 0)}/s)`],
    ['setup', `create ${N} resources`, `${ms(tGdc)} (${round(N / (tGdc / 1000), 0)}/s)`],
    ['setup', `create ${opts.opaque} Opaque Secrets`, ms(tOpaque)],
  );
  figures.setup = {
    tlsSecretsMs: Math.round(tTls),
    resourcesMs: Math.round(tGdc),
    opaqueMs: Math.round(tOpaque),
  };

  // ---------- 2. initial sync ----------
  em.resetCalls();
  const spawnedAt = performance.now();
  operator = await startOperatorProcess({
    namespace: k.ns,
    kubeconfigPath: plane.kubeconfigPath,
    concurrency: opts.concurrency,
    extraArgs,
  });
  console.log(`• operator started (pid ${operator.pid}), ready after ${ms(operator.startupMs)}`);
  const [syncMs] = await timed(`wait until all ${N} resources are Ready`, () =>
    waitAllReady(k, operator!, N, spawnedAt, syncTimeoutMs),
  );
  const first = em.calls();
  const mem1 = await memory(operator);
  const cpu1 = operator.cpuSeconds();
  // A hot loop or a busy poll would show here: nothing is due for an hour after a full sync.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleCpuPct = ((operator.cpuSeconds() - cpu1) / (IDLE_MS / 1000)) * 100;
  rows.push(
    ['initial sync', 'start-up (spawn → /readyz 200)', ms(operator.startupMs)],
    [
      'initial sync',
      `all ${N} Ready (from spawn)`,
      `${secs(syncMs)} (${round(N / (syncMs / 1000), 1)} resources/s)`,
    ],
    [
      'initial sync',
      'gateway calls',
      `${first.total} (${round(first.total / N)} per resource), ${first.writes} writes`,
    ],
    ['initial sync', 'calls per resource', fmtCounts(perUnit(first.counts, N))],
    ['initial sync', 'operator CPU time', `${cpu1.toFixed(1)} s`],
    ['initial sync', `idle CPU over ${IDLE_MS / 1000} s after sync`, `${idleCpuPct.toFixed(1)} %`],
    [
      'initial sync',
      'RSS (/proc) / heap used / heap total',
      `${mib(mem1.rss)} / ${mib(mem1.heapUsed)} / ${mib(mem1.heapTotal)}`,
    ],
    ['initial sync', 'external memory', mib(mem1.external)],
    ['initial sync', 'Secret data in the namespace', `≈ ${mib(opts.opaque * 8192 + N * 1500)}`],
  );
  figures.initialSync = {
    startupMs: Math.round(operator.startupMs),
    allReadyMs: Math.round(syncMs),
    resourcesPerSecond: round(N / (syncMs / 1000), 1),
    gatewayCalls: first.total,
    callsPerResource: round(first.total / N),
    writes: first.writes,
    callsByOperation: first.counts,
    cpuSeconds: round(cpu1, 1),
    idleCpuPercent: round(idleCpuPct, 1),
    rssBytes: mem1.rss,
    heapUsedBytes: mem1.heapUsed,
    heapTotalBytes: mem1.heapTotal,
    externalBytes: mem1.external,
    processResidentMemoryBytes: mem1.promRss,
  };

  // ---------- 3. restart ----------
  const exitMs = await operator.stop();
  operator = undefined;
  em.resetCalls();
  const respawnedAt = performance.now();
  operator = await startOperatorProcess({
    namespace: k.ns,
    kubeconfigPath: plane.kubeconfigPath,
    concurrency: opts.concurrency,
    extraArgs,
  });
  console.log(`• operator restarted (pid ${operator.pid}), ready after ${ms(operator.startupMs)}`);
  const [reconciledMs] = await timed(`wait until ${N} resources are reconciled once`, () =>
    waitReconciled(operator!, N, respawnedAt, syncTimeoutMs),
  );
  const second = em.calls();
  const mem2 = await memory(operator);
  const cpu2 = operator.cpuSeconds();
  rows.push(
    ['restart', 'SIGTERM → exit', ms(exitMs)],
    ['restart', 'start-up (spawn → /readyz 200)', ms(operator.startupMs)],
    ['restart', `${N} reconciled (from spawn)`, secs(reconciledMs)],
    [
      'restart',
      'gateway calls / writes',
      `${second.total} / ${second.writes}${second.total ? ` (${fmtCounts(second.counts)})` : ''}`,
    ],
    ['restart', 'operator CPU time', `${cpu2.toFixed(1)} s`],
    ['restart', 'RSS (/proc) / heap used', `${mib(mem2.rss)} / ${mib(mem2.heapUsed)}`],
  );
  figures.restart = {
    exitMs: Math.round(exitMs),
    startupMs: Math.round(operator.startupMs),
    allReconciledMs: Math.round(reconciledMs),
    gatewayCalls: second.total,
    writes: second.writes,
    cpuSeconds: round(cpu2, 1),
    rssBytes: mem2.rss,
    heapUsedBytes: mem2.heapUsed,
  };

  // ---------- 4. renewals ----------
  if (opts.renewals > 0) {
    const [plain] = await timed(`${opts.renewals} renewals, one at a time, ${renewalGapMs} ms apart`, () =>
      renewMany(k, em, domains, ca, opts.renewals, 0, renewalGapMs),
    );
    renewalFigures('renewal', 'renewal', plain);
    // ---------- 5. renewals with cloud latency ----------
    if (opts.latencyMs > 0) {
      em.setFaults({ latencyMs: opts.latencyMs });
      const [slow] = await timed(`${opts.renewals} renewals with ${opts.latencyMs} ms gateway latency`, () =>
        renewMany(k, em, domains, ca, opts.renewals, 1, renewalGapMs),
      );
      em.resetFaults();
      renewalFigures(`renewal +${opts.latencyMs} ms`, 'renewalWithLatency', slow);
      (figures.renewalWithLatency as Record<string, unknown>).latencyMs = opts.latencyMs;
    }
    const mem3 = await memory(operator);
    rows.push(['after renewals', 'RSS (/proc) / heap used', `${mib(mem3.rss)} / ${mib(mem3.heapUsed)}`]);
    figures.afterRenewals = { rssBytes: mem3.rss, heapUsedBytes: mem3.heapUsed };
  }

  console.log('\nResults');
  printTable(rows);
  console.log(`\nBENCH ${JSON.stringify(figures)}`);
} catch (err) {
  console.error(`\nbenchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  if (operator) await operator.stop().catch(() => {});
  await cleanup();
}
