import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { adminKubeConfig, createNamespace, kubectl, onEachRequest, waitFor } from '../support/kube.ts';

// Short leases keep the tests quick. Where a test bounds how soon something happens, it uses a lease
// long enough that the bound tells the behaviour apart with seconds of slack on a busy machine.
const timing = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 300 };
const long = { leaseDurationMs: 10_000, renewDeadlineMs: 7_500, retryPeriodMs: 300 };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function candidate(
  namespace: string,
  identity: string,
  extra: { kubeConfig?: KubeConfig; releaseOnCancel?: boolean; timing?: typeof timing } = {},
) {
  const seen = {
    started: 0,
    stopped: 0,
    status: [] as boolean[],
    leaders: [] as string[],
    signal: undefined as AbortSignal | undefined,
  };
  const elector = new LeaderElector({
    kubeConfig: adminKubeConfig(),
    namespace,
    name: 'apig-cert-sync',
    identity,
    ...timing,
    ...extra.timing,
    ...(extra.kubeConfig ? { kubeConfig: extra.kubeConfig } : {}),
    ...(extra.releaseOnCancel !== undefined ? { releaseOnCancel: extra.releaseOnCancel } : {}),
    onStartedLeading: (signal) => {
      seen.started++;
      seen.signal = signal;
    },
    onStoppedLeading: () => {
      seen.stopped++;
    },
    onNewLeader: (id) => seen.leaders.push(id),
    metrics: { masterStatus: (leading) => seen.status.push(leading) },
  });
  const done = elector.run();
  cleanups.push(() => elector.stop());
  return { elector, seen, done, identity };
}

async function leaseJson(namespace: string) {
  const { stdout } = await kubectl(['get', 'lease', 'apig-cert-sync', '-n', namespace, '-o', 'json']);
  return JSON.parse(stdout).spec as Record<string, unknown>;
}

// A TCP relay to the API server that can be made to swallow all traffic, like a network partition.
async function partitionableProxy(): Promise<{ kubeConfig: KubeConfig; partition(): void; server: Server }> {
  const admin = adminKubeConfig();
  const target = new URL(admin.getCurrentCluster()!.server);
  const sockets: Socket[] = [];
  let partitioned = false;
  const server = createServer((client) => {
    sockets.push(client);
    if (partitioned) return client.pause();
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(upstream);
    client.pipe(upstream).on('error', () => {});
    upstream.pipe(client).on('error', () => {});
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: admin.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: admin.users,
    contexts: admin.contexts,
    currentContext: admin.currentContext,
  });
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((ok) => server.close(ok));
  });
  return {
    kubeConfig,
    server,
    partition: () => {
      partitioned = true;
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
  };
}

describe('LeaderElector', () => {
  it('lets exactly one of two candidates lead, and hands over at once when the leader releases', async () => {
    const ns = await createNamespace('le');
    const a = candidate(ns, 'pod-a', { timing: long });
    const b = candidate(ns, 'pod-b', { timing: long });
    const leader = await waitFor('a leader', () => [a, b].find((c) => c.elector.isLeader()), {
      timeoutMs: 10_000,
    });
    const standby = leader === a ? b : a;
    // Over several renewals, never two leaders and the standby never starts.
    for (let i = 0; i < 20; i++) {
      expect([a, b].filter((c) => c.elector.isLeader())).toEqual([leader]);
      await sleep(50);
    }
    expect(standby.seen.started).toBe(0);
    expect(standby.seen.leaders).toEqual([leader.identity]);
    const before = await leaseJson(ns);
    expect(before).toMatchObject({
      holderIdentity: leader.identity,
      leaseDurationSeconds: 10,
      leaseTransitions: 0,
    });
    expect(before.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const t0 = performance.now();
    await leader.elector.stop();
    await leader.done;
    expect(leader.seen.signal?.aborted).toBe(true);
    expect(leader.seen.stopped).toBe(1);
    expect(leader.seen.status).toEqual([false, true, false]);
    await waitFor('standby to lead', () => standby.elector.isLeader(), { timeoutMs: 15_000, intervalMs: 10 });
    const handover = performance.now() - t0;
    // Polling every 300 ms (+20% jitter): well before the 10 s lease would have expired.
    expect(handover).toBeLessThan(5_000);
    expect(standby.seen.started).toBe(1);
    const after = await leaseJson(ns);
    expect(after).toMatchObject({ holderIdentity: standby.identity, leaseTransitions: 1 });
    expect(after.acquireTime).not.toBe(before.acquireTime);
    console.log(`[leader-election] handover after release: ${handover.toFixed(0)} ms`);
  });

  it('takes over from a leader that vanished without releasing, once its lease expires', async () => {
    const ns = await createNamespace('le');
    const a = candidate(ns, 'pod-a', { releaseOnCancel: false });
    await waitFor('a to lead', () => a.elector.isLeader(), { timeoutMs: 10_000 });
    const b = candidate(ns, 'pod-b');
    await waitFor('b to see a lead', () => b.seen.leaders.includes('pod-a'), { timeoutMs: 10_000 });
    expect(b.elector.isLeader()).toBe(false);
    const t0 = performance.now();
    await a.elector.stop(); // stops renewing; the lease stays held, as after a crash
    const held = await leaseJson(ns);
    expect(held.holderIdentity).toBe('pod-a');
    await waitFor('b to lead', () => b.elector.isLeader(), { timeoutMs: 15_000, intervalMs: 10 });
    const ledAt = Date.now();
    const takeover = performance.now() - t0;
    // Not before the lease ran out: b cannot have seen a's last renewal before a wrote it, so it may
    // lead 2 s after that renewal at the earliest (whatever the load did to b's polls).
    expect(ledAt - Date.parse(String(held.renewTime))).toBeGreaterThanOrEqual(2_000 - 20);
    // Lease + polls; the slack is for a busy API server, an unbounded wait would fail it.
    expect(takeover).toBeLessThan(2_000 + 6_000);
    expect((await leaseJson(ns)).leaseTransitions).toBe(1);
    console.log(`[leader-election] takeover after crash: ${takeover.toFixed(0)} ms`);
  });

  it('renews with one PUT per period while nobody else writes the lease, and reads it again when someone does', async () => {
    const ns = await createNamespace('le');
    // Every request the elector makes, seen where the client authenticates it (method and path).
    const requests: string[] = [];
    const kubeConfig = onEachRequest(adminKubeConfig(), (method, url) =>
      requests.push(`${method} ${url.pathname.split('/').pop()}`),
    );
    const a = candidate(ns, 'pod-a', { kubeConfig, timing: long });
    await waitFor('a to lead', () => a.elector.isLeader(), { timeoutMs: 10_000 });
    requests.length = 0;
    await waitFor('three renewals', () => requests.length >= 3, { timeoutMs: 20_000 });
    expect(requests.slice(0, 3)).toEqual(Array(3).fill('PUT apig-cert-sync'));

    // Another writer changes the lease without taking it (a patch: kubectl annotate): the stale PUT is
    // refused (409), the elector reads the lease and renews over it, and stays leader throughout.
    requests.length = 0;
    await kubectl(['annotate', 'lease', 'apig-cert-sync', '-n', ns, 'touched=yes']);
    await waitFor('a read after the refused renewal', () => requests.includes('GET apig-cert-sync'), {
      timeoutMs: 20_000,
    });
    const afterRead = () => requests.slice(requests.lastIndexOf('GET apig-cert-sync') + 1);
    await waitFor('renewals after the read', () => afterRead().length >= 2, { timeoutMs: 20_000 });
    // Back to PUTs alone once it has read the lease again.
    expect(afterRead().slice(0, 2)).toEqual(['PUT apig-cert-sync', 'PUT apig-cert-sync']);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.seen.stopped).toBe(0);
    expect(a.seen.leaders).toEqual(['pod-a']);
    const api = adminKubeConfig().makeApiClient(CoordinationV1Api);
    const after = await api.readNamespacedLease({ name: 'apig-cert-sync', namespace: ns });
    expect([after.spec?.holderIdentity, after.metadata?.annotations?.touched]).toEqual(['pod-a', 'yes']);
  });

  it('stops leading at once when someone else has taken the lease', async () => {
    const ns = await createNamespace('le');
    const a = candidate(ns, 'pod-a', { timing: long });
    await waitFor('a to lead', () => a.elector.isLeader(), { timeoutMs: 10_000 });
    const api = adminKubeConfig().makeApiClient(CoordinationV1Api);
    const lease = await api.readNamespacedLease({ name: 'apig-cert-sync', namespace: ns });
    const now = new V1MicroTime();
    const spec = {
      ...lease.spec,
      holderIdentity: 'intruder',
      leaseDurationSeconds: 60,
      acquireTime: now,
      renewTime: now,
    };
    await api.replaceNamespacedLease({ name: 'apig-cert-sync', namespace: ns, body: { ...lease, spec } });
    const t0 = performance.now();
    await a.done; // run() ends when leadership is lost
    // At its next poll, well before its 7.5 s renew deadline would have ended it.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.seen.signal?.aborted).toBe(true);
    expect(a.seen.stopped).toBe(1);
    expect(a.seen.leaders).toEqual(['pod-a', 'intruder']);
    expect((await leaseJson(ns)).holderIdentity).toBe('intruder'); // not released: it was not ours
  });

  it('stops leading within the renew deadline when the API server becomes unreachable', async () => {
    const ns = await createNamespace('le');
    const proxy = await partitionableProxy();
    // The lease outlasts the renew deadline by 4 s, so a late timer on a busy machine still steps a
    // down before b may lead.
    const split = { leaseDurationMs: 6_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 };
    const a = candidate(ns, 'pod-a', { kubeConfig: proxy.kubeConfig, timing: split });
    await waitFor('a to lead', () => a.elector.isLeader(), { timeoutMs: 10_000 });
    const b = candidate(ns, 'pod-b', { timing: split });
    await waitFor('b to see a lead', () => b.seen.leaders.includes('pod-a'), { timeoutMs: 10_000 });
    const t0 = performance.now();
    proxy.partition();
    await a.done;
    const stepDown = performance.now() - t0;
    expect(a.seen.stopped).toBe(1);
    expect(stepDown).toBeLessThan(split.renewDeadlineMs + 3_000);
    // a stepped down before its lease ran out for b, so there never were two leaders.
    expect(b.elector.isLeader()).toBe(false);
    await waitFor('b to lead', () => b.elector.isLeader(), { timeoutMs: 20_000, intervalMs: 10 });
    console.log(
      `[leader-election] partitioned leader stepped down after ${stepDown.toFixed(0)} ms, ` +
        `standby led after ${(performance.now() - t0).toFixed(0)} ms`,
    );
  });
});
