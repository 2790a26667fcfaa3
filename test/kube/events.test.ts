import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EventRecorder, type Regarding, truncateNote } from '../../src/kube/events.ts';
import { adminKubeConfig, createNamespace, kubectl } from '../support/kube.ts';

function recorder(kubeConfig = adminKubeConfig(), extra: { maxCached?: number; timeoutMs?: number } = {}) {
  const warnings: Array<{ obj: object; msg: string }> = [];
  const rec = new EventRecorder({
    kubeConfig,
    reportingInstance: 'apig-cert-sync-7d9f-abcde',
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...extra,
  });
  return { rec, warnings };
}

async function configMap(namespace: string, name = 'subject'): Promise<Regarding> {
  const cm = await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedConfigMap({ namespace, body: { metadata: { name } } });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name,
    namespace,
    uid: cm.metadata!.uid!,
    resourceVersion: cm.metadata!.resourceVersion!,
  };
}

// Raw JSON through kubectl, so MicroTime strings are seen exactly as stored.
interface RawEvent {
  note: string;
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  [field: string]: unknown;
}

async function events(namespace: string): Promise<RawEvent[]> {
  const { stdout } = await kubectl(['get', 'events.v1.events.k8s.io', '-n', namespace, '-o', 'json']);
  return JSON.parse(stdout).items;
}

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event about the object', async () => {
    const ns = await createNamespace('ev');
    const obj = await configMap(ns);
    const { rec, warnings } = recorder();
    rec.event(obj, 'Warning', 'SyncFailed', 'Sync', 'APIG.0101: domain not found');
    await rec.flush();
    const [ev, ...rest] = await events(ns);
    expect(rest).toEqual([]);
    expect(ev).toMatchObject({
      type: 'Warning',
      reason: 'SyncFailed',
      action: 'Sync',
      note: 'APIG.0101: domain not found',
      reportingController: 'apig-cert-sync.io/controller',
      reportingInstance: 'apig-cert-sync-7d9f-abcde',
      regarding: { apiVersion: 'v1', kind: 'ConfigMap', name: 'subject', namespace: ns, uid: obj.uid },
    });
    expect(ev!.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(ev!.series).toBeUndefined();
    // kubectl describe shows it on the object, as a user would look for it.
    const { stdout } = await kubectl(['describe', 'configmap', 'subject', '-n', ns]);
    expect(stdout).toContain('APIG.0101: domain not found');
    expect(warnings).toEqual([]);
  });

  it('aggregates repeats into a series on one Event; a different note is a new Event', async () => {
    const ns = await createNamespace('ev');
    const obj = await configMap(ns);
    const { rec } = recorder();
    rec.event(obj, 'Normal', 'Synced', 'Upload', 'pushed certificate to 2 domains');
    await rec.flush();
    rec.event(obj, 'Normal', 'Synced', 'Upload', 'pushed certificate to 2 domains');
    await rec.flush();
    let list = await events(ns);
    expect(list).toHaveLength(1);
    expect(list[0]?.series?.count).toBe(2);
    expect(list[0]?.series?.lastObservedTime).toMatch(/\.\d{6}Z$/);

    // A burst while writes are in flight still lands on the same Event, with every occurrence counted.
    for (let i = 0; i < 25; i++)
      rec.event(obj, 'Normal', 'Synced', 'Upload', 'pushed certificate to 2 domains');
    rec.event(obj, 'Normal', 'Synced', 'Upload', 'pushed certificate to 3 domains');
    await rec.flush();
    list = await events(ns);
    expect(list).toHaveLength(2);
    const counts = list.map((e) => [e.note, e.series?.count]).sort();
    expect(counts).toEqual([
      ['pushed certificate to 2 domains', 27],
      ['pushed certificate to 3 domains', undefined],
    ]);
  });

  it('forgets the least recently used series beyond its cache size', async () => {
    const ns = await createNamespace('ev');
    const obj = await configMap(ns);
    const { rec } = recorder(adminKubeConfig(), { maxCached: 2 });
    for (const note of ['a', 'b', 'a', 'c', 'a', 'b']) {
      rec.event(obj, 'Normal', 'Synced', 'Upload', note);
      await rec.flush();
    }
    // 'b' was evicted by 'c' (a was used more recently), so the second 'b' starts a new Event.
    const notes = (await events(ns)).map((e) => `${e.note}${e.series ? `×${e.series.count}` : ''}`).sort();
    expect(notes).toEqual(['a×3', 'b', 'b', 'c']);
  });

  it('truncates notes to the 1024 bytes the API server accepts, on a character boundary', async () => {
    expect(truncateNote('x'.repeat(1024))).toHaveLength(1024);
    const cut = truncateNote('é'.repeat(600)); // 1200 bytes
    expect(Buffer.byteLength(cut)).toBe(1024);
    expect(cut).toBe('é'.repeat(512));
    // Byte 1024 falls inside a character: cut before it rather than leave half of it.
    expect(truncateNote(`a${'é'.repeat(600)}`)).toBe(`a${'é'.repeat(511)}`);
    expect(truncateNote('€'.repeat(400))).toBe('€'.repeat(341));

    const ns = await createNamespace('ev');
    const obj = await configMap(ns);
    const { rec, warnings } = recorder();
    rec.event(obj, 'Warning', 'SyncFailed', 'Sync', `ü${'ö'.repeat(2000)}`);
    await rec.flush();
    expect(warnings).toEqual([]);
    const [ev] = await events(ns);
    expect(Buffer.byteLength(ev!.note)).toBeLessThanOrEqual(1024);
    expect(ev!.note.startsWith('üöö')).toBe(true);
  });

  it('never throws to the caller: a missing namespace or unreachable server is logged and dropped', async () => {
    const { rec, warnings } = recorder();
    const ghost: Regarding = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'x',
      namespace: 'no-such-namespace',
      uid: 'u1',
      resourceVersion: '1',
    };
    expect(() => rec.event(ghost, 'Warning', 'SyncFailed', 'Sync', 'boom')).not.toThrow();
    await rec.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({ code: 404, reason: 'SyncFailed' });

    const dead = new KubeConfig();
    dead.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const down = recorder(dead, { timeoutMs: 500 });
    const t0 = performance.now();
    down.rec.event(ghost, 'Normal', 'Synced', 'Upload', 'ok');
    // Returns at once: the write is in the background and has not failed yet.
    expect(down.warnings).toHaveLength(0);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await down.rec.flush();
    expect(performance.now() - t0).toBeLessThan(10_000); // bounded: it gave up, it did not hang
    expect(down.warnings).toHaveLength(1);
  });
});
