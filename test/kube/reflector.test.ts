// The watch machinery against the real API server, through a proxy that cuts and freezes
// connections: every change is seen, whatever happens to the stream.
import type { KubernetesObject } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Reflector } from '../../src/kube/reflector.ts';
import { adminKubeConfig, createNamespace, kubectl, onEachRequest, waitFor } from '../support/kube.ts';
import { kubeConfigVia, proxyToApiServer, type TcpProxy } from '../support/tcp-proxy.ts';

let proxy: TcpProxy;
let ns: string;
let core: CoreV1Api;
const logs: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(s) });

beforeAll(async () => {
  proxy = await proxyToApiServer();
  ns = await createNamespace('reflector');
  core = adminKubeConfig().makeApiClient(CoreV1Api);
});
afterAll(async () => proxy?.close());

const put = (name: string, value: string) =>
  core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { value } } });

/** Compacts etcd's history up to now through its JSON gateway, so older resourceVersions are gone. */
async function compactEtcd(): Promise<void> {
  const etcd = inject('etcdUrl');
  const res = await fetch(`${etcd}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: 'AA==' }) });
  const revision = ((await res.json()) as { header: { revision: string } }).header.revision;
  const c = await fetch(`${etcd}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision, physical: true }),
  });
  expect(c.status).toBe(200);
}

function start(
  timing: { watchTimeoutSeconds?: number; stallGraceMs?: number } = {},
  kubeConfig = kubeConfigVia(proxy),
) {
  const seen: string[] = [];
  const r = new Reflector<{ value: string }>({
    kubeConfig,
    path: `/api/v1/namespaces/${ns}/configmaps`,
    labelSelector: '',
    transform: (o: KubernetesObject) => ({ value: (o as { data?: { value?: string } }).data?.value ?? '' }),
    onChange: (type, key) => seen.push(`${type} ${key}`),
    logger,
    ...timing,
    backoffInitialMs: 100,
    backoffMaxMs: 500,
  });
  r.start();
  return { r, seen };
}

describe('Reflector', () => {
  it('lists, then follows changes; survives cut connections', async () => {
    await put('before', '1');
    const { r, seen } = start();
    await r.waitForSync();
    expect(r.store.get(`${ns}/before`)).toEqual({ value: '1' });
    await put('after', '2');
    await waitFor('ADDED after', () => seen.includes(`ADDED ${ns}/after`));

    proxy.cut();
    await put('after-cut', '3');
    await waitFor('ADDED after-cut', () => seen.includes(`ADDED ${ns}/after-cut`), { timeoutMs: 10_000 });
    await r.stop();
  });

  it('re-watches over the same connection when the server ends a watch (no TLS handshake each time)', async () => {
    let watches = 0;
    const kubeConfig = onEachRequest(kubeConfigVia(proxy), (_method, url) => {
      if (url.searchParams.get('watch') === 'true') watches++;
    });
    // The server ends each watch after 1–1.5 s.
    const { r, seen } = start({ watchTimeoutSeconds: 1 }, kubeConfig);
    await r.waitForSync();
    await put('probe-reuse', '0'); // the watch is established once this arrives
    await waitFor('probe', () => seen.includes(`ADDED ${ns}/probe-reuse`));
    const [connectionsBefore, watchesBefore] = [proxy.connections(), watches];
    await waitFor('three more watches', () => watches >= watchesBefore + 3, { timeoutMs: 20_000 });
    await put('after-rewatches', '1');
    await waitFor('ADDED after-rewatches', () => seen.includes(`ADDED ${ns}/after-rewatches`));
    expect(proxy.connections()).toBe(connectionsBefore);
    await r.stop();
  });

  it('detects a silently stalled watch and restarts it', async () => {
    // The server ends each watch after 2–3 s; one still silent 1.5 s later is stalled.
    const { r, seen } = start({ watchTimeoutSeconds: 2, stallGraceMs: 1500 });
    await r.waitForSync();
    await put('probe-stall', '0'); // the watch is established once this arrives
    await waitFor('probe', () => seen.includes(`ADDED ${ns}/probe-stall`));
    const connectionsBefore = proxy.connections();
    proxy.freeze();
    await put('during-stall', '4');
    await waitFor('ADDED during-stall', () => seen.includes(`ADDED ${ns}/during-stall`), {
      timeoutMs: 15_000,
    });
    expect(proxy.connections()).toBeGreaterThan(connectionsBefore);
    await r.stop();
  });

  it('is unhealthy while it cannot list or watch, and backs off from the bottom after recovering', async () => {
    const { r, seen } = start({ watchTimeoutSeconds: 2, stallGraceMs: 1500 });
    await r.waitForSync();
    expect(r.healthy()).toBe(true);
    proxy.block(true);
    proxy.cut();
    await waitFor('unhealthy', () => !r.healthy(), { timeoutMs: 15_000 });
    expect(r.hasSynced()).toBe(true); // synced once, but not able to sync now: readiness says so
    proxy.block(false);
    await waitFor('healthy again', () => r.healthy(), { timeoutMs: 15_000 });
    await new Promise((res) => setTimeout(res, 500)); // a watch is open, no event has arrived on it
    const mark = logs.length;
    proxy.cut();
    await put('after-second-cut', '7');
    await waitFor('ADDED after-second-cut', () => seen.includes(`ADDED ${ns}/after-second-cut`), {
      timeoutMs: 15_000,
    });
    // The first failure after a success waits at most the initial backoff (100 ms), not the grown one.
    const retries = logs
      .slice(mark)
      .map((l) => JSON.parse(l) as { msg: string; retryInMs?: number })
      .filter((l) => l.msg.startsWith('list/watch failed'));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]?.retryInMs).toBeLessThanOrEqual(100);
    await r.stop();
  });

  it('metadata only: lists and watches without the data, and sees a data change as a new resourceVersion', async () => {
    await put('meta-before', 'x'.repeat(4096));
    const seen: string[] = [];
    const r = new Reflector<{ rv: string; keys: string[] }>({
      kubeConfig: kubeConfigVia(proxy),
      path: `/api/v1/namespaces/${ns}/configmaps`,
      metadataOnly: true,
      transform: (o: KubernetesObject) => ({ rv: o.metadata?.resourceVersion ?? '', keys: Object.keys(o) }),
      onChange: (type, key) => seen.push(`${type} ${key}`),
      logger,
    });
    r.start();
    await r.waitForSync();
    const listed = r.store.get(`${ns}/meta-before`);
    expect(listed?.rv).toMatch(/^\d+$/);
    expect(listed?.keys).not.toContain('data');
    await core.replaceNamespacedConfigMap({
      name: 'meta-before',
      namespace: ns,
      body: { metadata: { name: 'meta-before' }, data: { value: 'y' } },
    });
    await waitFor('MODIFIED meta-before', () => seen.includes(`MODIFIED ${ns}/meta-before`));
    const watched = r.store.get(`${ns}/meta-before`);
    expect(watched?.keys).not.toContain('data');
    expect(Number(watched?.rv)).toBeGreaterThan(Number(listed?.rv));
    await r.stop();
  });

  it('resumes from an expired resourceVersion and reports deletions it missed', async () => {
    await put('doomed', '5');
    const { r, seen } = start();
    await r.waitForSync();
    expect(r.store.has(`${ns}/doomed`)).toBe(true);
    await put('probe-410', '0');
    await waitFor('probe', () => seen.includes(`ADDED ${ns}/probe-410`));
    // The stream goes down; meanwhile the object is deleted, etcd is compacted and our resourceVersion
    // is one the API server no longer has. Whether it answers 410 (→ relist) or replays what it still
    // knows, the deletion must reach the store.
    proxy.block(true);
    proxy.cut();
    await core.deleteNamespacedConfigMap({ name: 'doomed', namespace: ns });
    await compactEtcd(); // what kube-apiserver does every 5 minutes
    // Older than both the watch cache and etcd's compacted history, as after a long partition.
    (r as unknown as { resourceVersion: string }).resourceVersion = '2';
    await new Promise((res) => setTimeout(res, 300));
    expect(seen).not.toContain(`DELETED ${ns}/doomed`);
    proxy.block(false);
    await waitFor('DELETED doomed', () => seen.includes(`DELETED ${ns}/doomed`), { timeoutMs: 15_000 });
    expect(r.store.has(`${ns}/doomed`)).toBe(false);
    await r.stop();
  });
});

describe('an optional Reflector (another project CRD the operator can live without)', () => {
  it('is synced and healthy while its API is not installed, logs that once, and picks it up once installed', async () => {
    // A group of its own, so no other test file (cert-manager's CRDs) decides whether it exists.
    const group = `${ns}.optional.example.com`;
    const path = `/apis/${group}/v1/namespaces/${ns}/widgets`;
    const seen: string[] = [];
    const r = new Reflector<{ name: string }>({
      kubeConfig: adminKubeConfig(),
      path,
      transform: (o) => ({ name: o.metadata?.name ?? '' }),
      onChange: (type, key) => seen.push(`${type} ${key}`),
      logger,
      backoffInitialMs: 100,
      backoffMaxMs: 500,
      optional: { recheckMs: 300 },
    });
    const mark = logs.length;
    r.start();
    await r.waitForSync();
    expect(r.healthy()).toBe(true);
    expect(r.unavailable()).toBe(true);
    await new Promise((res) => setTimeout(res, 1_500)); // several rechecks
    expect(r.healthy()).toBe(true);
    const lines = () =>
      logs.slice(mark).map((l) => JSON.parse(l) as { msg: string; status?: number; level: number });
    expect(lines().filter((l) => l.msg.startsWith('optional resource not installed'))).toHaveLength(1);
    expect(lines().filter((l) => l.msg.startsWith('list/watch failed'))).toEqual([]);

    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
    try {
      await kubectl(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=60s']);
      const widget = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1', namespace: ns } };
      await waitFor('widget created', () =>
        kubectl(['apply', '-f', '-'], { input: JSON.stringify(widget) }).then(
          () => true,
          () => undefined,
        ),
      );
      await waitFor('ADDED w1', () => seen.includes(`ADDED ${ns}/w1`), { timeoutMs: 30_000 });
      await waitFor('watching', () => !r.unavailable(), { timeoutMs: 30_000 });
      expect(r.healthy()).toBe(true);
    } finally {
      await kubectl(['delete', 'crd', `widgets.${group}`, '--ignore-not-found']);
    }
    // Uninstalled again: what it held is gone, and it stays healthy.
    await waitFor('DELETED w1', () => seen.includes(`DELETED ${ns}/w1`), { timeoutMs: 30_000 });
    await waitFor('unavailable again', () => r.unavailable(), { timeoutMs: 30_000 });
    expect(r.healthy()).toBe(true);
    await r.stop();
  });
});
