// The status writer and the bridge that covers our own writes until the watch delivers them, against
// the real API server: the cached object the reconciler hands in is updated in place, and the bridge
// must still learn of the write (it decides by comparing the cache's version with the write's).
import { beforeAll, describe, expect, it } from 'vitest';
import { type GatewayDomainCertificate, GROUP, VERSION } from '../../src/api/v1alpha1.ts';
import { WrittenStatus } from '../../src/controller/written-status.ts';
import { kubeRequest } from '../../src/kube/http.ts';
import { gdcPath, KubeStatusWriter } from '../../src/kube/resources.ts';
import { adminKubeConfig, createNamespace } from '../support/kube.ts';
import { installCrds } from '../support/operator.ts';

let ns: string;
beforeAll(async () => {
  await installCrds();
  ns = await createNamespace('status-writer');
});

async function create(name: string): Promise<GatewayDomainCertificate> {
  return kubeRequest<GatewayDomainCertificate>(adminKubeConfig(), gdcPath(ns), {
    method: 'POST',
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'GatewayDomainCertificate',
      metadata: { name },
      spec: {
        secretName: 'tls',
        credentialsSecretRef: { name: 'creds' },
        gateway: {
          service: 'apig',
          region: 'cn-north-4',
          projectId: '0123456789abcdef0123456789abcdef',
          instanceId: '0123456789abcdef0123456789abcdef',
          domain: 'shop.example.com',
        },
      },
    },
  });
}

describe('KubeStatusWriter + WrittenStatus', () => {
  it('bridges a write of the cached object itself until the watch delivers it', async () => {
    const cached = await create('bridge');
    const store = new Map([[`${ns}/bridge`, cached]]);
    const bridge = new WrittenStatus((key) => store.get(key)?.metadata.resourceVersion);
    const writer = new KubeStatusWriter(adminKubeConfig(), (w) => bridge.remember(w));
    const readAt = cached.metadata.resourceVersion;

    await writer.patchStatus(cached, { secretDigest: 'first' });
    // The cached object was updated in place, and the bridge holds the write the watch has not delivered.
    expect(cached.metadata.resourceVersion).not.toBe(readAt);
    expect(bridge.size).toBe(1);

    // The watch delivers the write as a new object: the bridge lets go.
    const delivered = { ...cached, metadata: { ...cached.metadata } };
    store.set(`${ns}/bridge`, delivered);
    bridge.caughtUp(`${ns}/bridge`, delivered);
    expect(bridge.size).toBe(0);
  });

  it('keeps nothing when the watch delivered the write before its answer came back', async () => {
    const cached = await create('raced');
    const store = new Map<string, GatewayDomainCertificate>([[`${ns}/raced`, cached]]);
    const bridge = new WrittenStatus((key) => store.get(key)?.metadata.resourceVersion);
    const writer = new KubeStatusWriter(adminKubeConfig(), (w) => {
      store.set(`${ns}/raced`, w); // the watch event came first
      bridge.caughtUp(`${ns}/raced`, w);
      bridge.remember(w);
    });
    await writer.patchStatus(cached, { secretDigest: 'first' });
    expect(bridge.size).toBe(0);
  });
});
