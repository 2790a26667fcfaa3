// `npm run bench [-- --quick | --resources N --unrelated-secrets M]`: how the operator copes with many
// resources. A real kube-apiserver, the gateway emulator and the operator, each its own process;
// prints a table and one JSON line of figures. See README.md.
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL } from '../../src/api/v1alpha1.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/controlplane.ts';
import { operatorRuntime } from '../support/manifests.ts';
import { createCA } from '../support/pki.ts';
import { apiserverRequests } from './apiserver.ts';
import { parseBenchArgs } from './args.ts';
import { buildOperator } from './build.ts';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process.ts';
import { memory, renewalFigures } from './figures.ts';
import { killAllOperators, type OperatorProcess, startOperatorProcess } from './operator-process.ts';
import { renewMany, type Target, waitAllReady, waitReconciled } from './phases.ts';
import { ownCpuSeconds } from './proc.ts';
import { fmtCounts, mib, ms, perUnit, printTable, type Row, round, secs } from './report.ts';
import {
  createNamespaceAndCredentials,
  createOpaqueSecrets,
  createResources,
  createSharedResources,
  createTlsSecrets,
  type Kube,
  resourceName,
  sharedName,
} from './resources.ts';
import { generateSeed } from './seed.ts';
import { ResourceWatcher } from './watcher.ts';

const run = promisify(execFile);
const opts = parseBenchArgs(process.argv.slice(2));
// The operator runs as the Deployment runs it (its command's Node flags, NODE_OPTIONS, MALLOC_*);
// --node-arg flags come after those and win.
const runtime = operatorRuntime();
const nodeArgs = [...runtime.nodeArgs, ...opts.nodeArgs];
const N = opts.resources;
const S = opts.shared;
const RATE = opts.gatewayRate ?? 10; // the operator's defaults
const BURST = opts.gatewayBurst ?? 20;
const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  node: process.version,
  resources: N,
  unrelatedSecrets: opts.opaque,
  shared: S,
  concurrency: opts.concurrency,
  gatewayRate: RATE,
  gatewayBurst: BURST,
  operatorNodeArgs: nodeArgs,
  operatorEnv: runtime.env,
};
const rows: Row[] = [];
// Renewals are rare (one per certificate every ~60 days), so each one should meet a full token
// bucket: wait burst/rate between them. Back to back, they would measure the rate limit instead.
const renewalGapMs = Math.min(5000, (BURST / RATE) * 1000);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<[T, number]> {
  process.stdout.write(`• ${label} … `);
  const t = performance.now();
  const out = await fn();
  const elapsed = performance.now() - t;
  console.log(ms(elapsed));
  return [out, elapsed];
}
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

let cp: ControlPlane | undefined;
let em: EmulatorProcess | undefined;
let operator: OperatorProcess | undefined;
let watcher: ResourceWatcher | undefined;
let build: ReturnType<typeof buildOperator> | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    watcher?.stop();
    killAllOperators();
    await em?.stop().catch(() => {});
    await cp?.stop().catch(() => {});
    build?.remove();
  })();
  return cleaning;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });

const NS = 'bench';
const extraArgs = [
  // The Deployment's own args (--leader-elect=true: a lease renewed every ~2 s, as in a cluster); the
  // lease lives where the Deployment's POD_NAMESPACE would put it.
  ...runtime.args,
  `--leader-election-namespace=${NS}`,
  ...(opts.gatewayRate !== undefined ? ['--gateway-rate', String(opts.gatewayRate)] : []),
  ...(opts.gatewayBurst !== undefined ? ['--gateway-burst', String(opts.gatewayBurst)] : []),
];
figures.operatorArgs = extraArgs;
// Generous: the gateway-rate bound plus 100 ms per resource (a busy 2-core machine, shared).
const syncTimeoutMs = 300_000 + N * 100 + (N * 5 * 1000) / RATE;

try {
  console.log(
    `apig-cert-sync benchmark: ${N} resources, ${opts.opaque} unrelated Secrets, ${S} Shared, ${cpus().length} CPUs, node ${process.version}\n` +
      `operator: node ${nodeArgs.join(' ')} with ${Object.entries(runtime.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; args ${extraArgs.join(' ')}\n`,
  );
  // ---------- 1. setup ----------
  if (!opts.fromSource)
    [build] = await timed('compile the operator (tsc, as the image does)', async () => buildOperator());
  const main = build?.main;
  const [plane] = await timed('start etcd + kube-apiserver', () => startControlPlane());
  cp = plane;
  const { seed, domains } = generateSeed(N + 2 * S);
  [em] = await timed(`start the emulator process (${N + 2 * S} domains on 2 gateways)`, () =>
    startEmulatorProcess(seed),
  );
  const emu = em;
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
    kc,
    ns: NS,
  };
  const ca = createCA({ commonName: 'Bench Issuer CA', keyType: 'ec' });
  const domainSet = domains.slice(0, N);
  await timed('create namespace and credentials Secret', () => createNamespaceAndCredentials(k, seed));
  const [, tTls] = await timed(`create ${N} TLS Secrets (EC P-256, 16 in flight)`, () =>
    createTlsSecrets(k, domainSet, ca),
  );
  const [, tGdc] = await timed(`create ${N} GatewayDomainCertificates`, () =>
    createResources(k, domainSet, seed, emu.url),
  );
  const [, tOpaque] = await timed(`create ${opts.opaque} Opaque Secrets of 8 KiB`, () =>
    createOpaqueSecrets(k, opts.opaque),
  );
  figures.setup = {
    tlsSecretsMs: Math.round(tTls),
    resourcesMs: Math.round(tGdc),
    opaqueMs: Math.round(tOpaque),
  };
  watcher = new ResourceWatcher(kc, k);
  await watcher.start();
  const w = watcher;
  const spawn = () =>
    startOperatorProcess({
      namespace: k.ns,
      kubeconfigPath: plane.kubeconfigPath,
      concurrency: opts.concurrency,
      extraArgs,
      nodeArgs,
      env: runtime.env,
      ...(main ? { main } : {}),
    });

  // ---------- 2. first sync ----------
  await emu.resetCalls();
  let benchCpu = ownCpuSeconds();
  const spawnedAt = performance.now();
  operator = await spawn();
  const startMem = await memory(operator);
  console.log(
    `• operator started (pid ${operator.pid}), caches synced (/readyz) after ${ms(operator.startupMs)}`,
  );
  const [syncMs] = await timed(`wait until all ${N} resources are Ready`, () =>
    waitAllReady(w, operator!, N, spawnedAt, syncTimeoutMs),
  );
  const syncBenchCpu = ownCpuSeconds() - benchCpu;
  const first = await emu.calls();
  const cpu1 = operator.cpuSeconds();
  const afterSync = await memory(operator);
  // A hot loop or a busy poll would show here: nothing is due for an hour after a full sync.
  await sleep(opts.idleSeconds * 1000);
  const idleCpuPct = ((operator.cpuSeconds() - cpu1) / opts.idleSeconds) * 100;
  const steady = await memory(operator);
  // The gateway rate limit bounds the first sync: all its calls but the burst at RATE per second.
  const boundMs = (Math.max(0, first.total - BURST) / RATE) * 1000;
  rows.push(
    ['first sync', 'start-up (spawn → caches synced, /readyz)', ms(operator.startupMs)],
    ['first sync', `all ${N} Ready (from spawn)`, `${secs(syncMs)} (${round(N / (syncMs / 1000), 1)}/s)`],
    [
      'first sync',
      `rate-limit bound (${first.total} calls − burst ${BURST}) / ${RATE}/s`,
      boundMs > 0
        ? `${secs(boundMs)}; measured / bound = ${round(syncMs / boundMs)}`
        : 'none (burst covers every call)',
    ],
    [
      'first sync',
      'gateway calls / writes per resource',
      `${round(first.total / N)} / ${round(first.writes / N)}`,
    ],
    ['first sync', 'calls per resource by operation', fmtCounts(perUnit(first.counts, N))],
    [
      'first sync',
      'CPU: operator / benchmark / emulator',
      `${cpu1.toFixed(1)} s / ${syncBenchCpu.toFixed(1)} s / ${emu.cpuSeconds().toFixed(1)} s`,
    ],
    ['first sync', 'RSS at start-up / peak (VmHWM)', `${mib(startMem.rss)} / ${mib(afterSync.peakRss)}`],
    ['steady', `idle CPU over ${opts.idleSeconds} s`, `${idleCpuPct.toFixed(2)} % of a core`],
    [
      'steady',
      'RSS / heap used / heap total',
      `${mib(steady.rss)} / ${mib(steady.heapUsed)} / ${mib(steady.heapTotal)}`,
    ],
    ['steady', 'peak / steady RSS', String(round(afterSync.peakRss / steady.rss))],
    ['steady', 'external / array buffers', `${mib(steady.external)}`],
  );
  figures.firstSync = {
    startupMs: Math.round(operator.startupMs),
    allReadyMs: Math.round(syncMs),
    resourcesPerSecond: round(N / (syncMs / 1000), 1),
    rateLimitBoundMs: Math.round(boundMs),
    ratioToBound: boundMs > 0 ? round(syncMs / boundMs) : null,
    gatewayCalls: first.total,
    writes: first.writes,
    callsPerResource: round(first.total / N),
    writesPerResource: round(first.writes / N),
    callsByOperation: first.counts,
    operatorCpuSeconds: round(cpu1, 1),
    benchCpuSeconds: round(syncBenchCpu, 1),
    emulatorCpuSeconds: round(emu.cpuSeconds(), 1),
    startupRssBytes: startMem.rss,
    peakRssBytes: afterSync.peakRss,
  };
  figures.steady = {
    idleCpuPercent: round(idleCpuPct, 2),
    ...steady,
    peakToSteady: round(afterSync.peakRss / steady.rss),
  };

  // ---------- 3. restart ----------
  const exitMs = await operator.stop();
  operator = undefined;
  await emu.resetCalls();
  const gets0 = await apiserverRequests(plane, 'secrets', 'GET');
  benchCpu = ownCpuSeconds();
  const respawnedAt = performance.now();
  operator = await spawn();
  console.log(`• operator restarted (pid ${operator.pid}), caches synced after ${ms(operator.startupMs)}`);
  const [reconciledMs] = await timed(`wait until ${N} resources are reconciled once`, () =>
    waitReconciled(operator!, N, respawnedAt, syncTimeoutMs),
  );
  const restartBenchCpu = ownCpuSeconds() - benchCpu;
  const second = await emu.calls();
  const secretGets = (await apiserverRequests(plane, 'secrets', 'GET')) - gets0;
  const cpu2 = operator.cpuSeconds();
  // Idle once settled: the first idle figure follows the sync at once and includes V8's collections
  // of its garbage. Here nothing is due (all N reconciled, the next verify in an hour): let the heap
  // settle for T seconds, then measure T more. What remains is periodic work (watches, timers).
  await sleep(opts.idleSeconds * 1000);
  const settledCpu = operator.cpuSeconds();
  await sleep(opts.idleSeconds * 1000);
  const settledIdlePct = ((operator.cpuSeconds() - settledCpu) / opts.idleSeconds) * 100;
  const mem2 = await memory(operator);
  rows.push(
    ['restart', 'SIGTERM → exit', ms(exitMs)],
    ['restart', 'start-up (spawn → caches synced)', ms(operator.startupMs)],
    ['restart', `all ${N} reconciled (from spawn)`, secs(reconciledMs)],
    ['restart', 'gateway calls / writes / Secret GETs', `${second.total} / ${second.writes} / ${secretGets}`],
    ['restart', 'CPU: operator / benchmark', `${cpu2.toFixed(1)} s / ${restartBenchCpu.toFixed(1)} s`],
    [
      'restart',
      `idle CPU over ${opts.idleSeconds} s, after ${opts.idleSeconds} s to settle`,
      `${settledIdlePct.toFixed(2)} % of a core`,
    ],
    ['restart', 'RSS / peak / heap used', `${mib(mem2.rss)} / ${mib(mem2.peakRss)} / ${mib(mem2.heapUsed)}`],
  );
  figures.restart = {
    exitMs: Math.round(exitMs),
    startupMs: Math.round(operator.startupMs),
    allReconciledMs: Math.round(reconciledMs),
    gatewayCalls: second.total,
    writes: second.writes,
    secretGets,
    operatorCpuSeconds: round(cpu2, 1),
    benchCpuSeconds: round(restartBenchCpu, 1),
    settledIdleCpuPercent: round(settledIdlePct, 2),
    ...mem2,
  };

  // ---------- 4. renewals, 5. with cloud latency ----------
  const targets: Target[] = domainSet.map((d, i) => ({ resource: resourceName(i), secret: i, domains: [d] }));
  if (opts.renewals > 0) {
    const [plain] = await timed(`${opts.renewals} renewals, one at a time, ${renewalGapMs} ms apart`, () =>
      renewMany(k, emu, w, targets, ca, opts.renewals, 0, renewalGapMs),
    );
    renewalFigures(rows, figures, 'renewal', 'renewal', plain, 0);
    if (opts.latencyMs > 0) {
      await emu.setFaults({ latencyMs: opts.latencyMs });
      const [slow] = await timed(`${opts.renewals} renewals with ${opts.latencyMs} ms gateway latency`, () =>
        renewMany(k, emu, w, targets, ca, opts.renewals, 1, renewalGapMs),
      );
      await emu.resetFaults();
      renewalFigures(
        rows,
        figures,
        `renewal +${opts.latencyMs} ms`,
        'renewalWithLatency',
        slow,
        opts.latencyMs,
      );
    }
  }

  // ---------- 6. Shared mode ----------
  if (S > 0) {
    const pairs = Array.from({ length: S }, (_, j) => [domains[N + 2 * j]!, domains[N + 2 * j + 1]!]);
    await emu.resetCalls();
    await timed(`create ${S} Shared-mode resources (2 domains each) and wait until Ready`, async () => {
      await createSharedResources(k, pairs, N, seed, emu.url, ca);
      await waitAllReady(w, operator!, N + S, performance.now(), 120_000 + (S * 10_000) / RATE);
    });
    const shared = await emu.calls();
    rows.push(
      [
        'Shared mode',
        'gateway calls / writes per first sync',
        `${round(shared.total / S)} / ${round(shared.writes / S)}`,
      ],
      ['Shared mode', 'calls per first sync by operation', fmtCounts(perUnit(shared.counts, S))],
    );
    figures.sharedFirstSync = {
      callsPerResource: round(shared.total / S),
      writesPerResource: round(shared.writes / S),
      callsByOperation: perUnit(shared.counts, S),
    };
    const sharedTargets = pairs.map((p, j) => ({ resource: sharedName(j), secret: N + j, domains: p }));
    const [renewed] = await timed(`${S} Shared-mode renewals`, () =>
      renewMany(k, emu, w, sharedTargets, ca, S, 0, renewalGapMs),
    );
    renewalFigures(rows, figures, 'Shared renewal', 'sharedRenewal', renewed, 0);
  }
  const mem3 = await memory(operator);
  rows.push([
    'after renewals',
    'RSS / peak / heap used',
    `${mib(mem3.rss)} / ${mib(mem3.peakRss)} / ${mib(mem3.heapUsed)}`,
  ]);
  figures.afterRenewals = mem3;

  // ---------- 7. what the resources cost: the same operator on an empty namespace ----------
  await operator.stop();
  operator = await startOperatorProcess({
    namespace: 'bench-empty',
    kubeconfigPath: plane.kubeconfigPath,
    concurrency: opts.concurrency,
    extraArgs,
    nodeArgs,
    env: runtime.env,
    ...(main ? { main } : {}), // compiled like the others: from source it pays ~17 MiB more
  });
  await sleep(3000);
  const empty = await memory(operator);
  const perResource = (a: number, b: number) => Math.round((a - b) / N);
  rows.push(
    [
      'per resource',
      'empty-namespace operator RSS / heap used',
      `${mib(empty.rss)} / ${mib(empty.heapUsed)}`,
    ],
    [
      'per resource',
      'bytes per resource: RSS / heap used (steady − empty) / N',
      `${perResource(steady.rss, empty.rss)} / ${perResource(steady.heapUsed, empty.heapUsed)}`,
    ],
  );
  figures.perResource = {
    empty,
    rssBytes: perResource(steady.rss, empty.rss),
    heapUsedBytes: perResource(steady.heapUsed, empty.heapUsed),
  };

  console.log('\nResults');
  printTable(rows);
  console.log(`\nBENCH ${JSON.stringify(figures)}`);
} catch (err) {
  console.error(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  if (operator) await operator.stop().catch(() => {});
  await cleanup();
}
