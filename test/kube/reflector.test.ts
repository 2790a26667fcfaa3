// The watch machinery against the real API server, through a proxy that cuts and freezes
// connections: every change is seen, whatever happens to the stream.
import type { KubernetesObject } from '@kubernetes/client-node';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Reflector } from '../../src/kube/reflector.ts';
import { adminKubeConfig, createNamespace, waitFor } from '../support/kube.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let proxy: TcpProxy;
let ns: string;
let core: CoreV1Api;
const logs: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(s) });

function viaProxy(): KubeConfig {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  if (!cluster || !user) throw new Error('admin kubeconfig incomplete');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server: proxy.url }],
    users: [user],
    contexts: [{ name: 'p', cluster: cluster.name, user: user.name }],
    currentContext: 'p',
  });
  return kc;
}

beforeAll(async () => {
  const server = adminKubeConfig().getCurrentCluster()?.server;
  proxy = await startTcpProxy(new URL(server ?? ''));
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

function start(stallTimeoutMs = 60_000) {
  const seen: string[] = [];
  const r = new Reflector<{ value: string }>({
    kubeConfig: viaProxy(),
    path: `/api/v1/namespaces/${ns}/configmaps`,
    labelSelector: '',
    transform: (o: KubernetesObject) => ({ value: (o as { data?: { value?: string } }).data?.value ?? '' }),
    onChange: (type, key) => seen.push(`${type} ${key}`),
    logger,
    stallTimeoutMs,
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

  it('detects a silently stalled watch and restarts it', async () => {
    const { r, seen } = start(1500);
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
