import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { compactResource, intern } from '../../src/kube/compact.ts';

// As the API server sends it: times are strings on the wire.
const compact = (o: object) => compactResource(structuredClone(o) as unknown as KubernetesObject);

const resource = (i: number) => ({
  apiVersion: 'apig-cert-sync.io/v1alpha1',
  kind: 'GatewayDomainCertificate',
  metadata: {
    name: `gdc-${i}`,
    namespace: 'team-a',
    uid: `uid-${i}`,
    resourceVersion: String(100 + i),
    generation: 2,
    creationTimestamp: '2026-12-02T15:26:47Z',
    finalizers: ['apig-cert-sync.io/finalizer'],
    labels: { app: 'shop' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"a big":"copy of the spec"}',
      'example.com/owner': 'team-a',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
    ownerReferences: [],
  },
  spec: {
    secretName: `tls-${i}`,
    mode: 'Domain',
    gateway: {
      service: 'apig',
      endpoint: 'https://apig.example',
      projectId: 'p1',
      instanceId: 'gw1',
      domain: `d${i}.example.com`,
    },
    credentialsSecretRef: { name: 'creds' },
  },
  status: {
    observedGeneration: 2,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        observedGeneration: 2,
        lastTransitionTime: 't',
        reason: 'Synced',
        message: 'ok',
      },
    ],
    certificate: { id: 'c1', serialNumber: '42', issuer: 'CA', dnsNames: [`d${i}.example.com`] },
    domains: [
      { id: 'd1', name: `d${i}.example.com`, instanceId: 'gw1', groupId: 'g1', minSslVersion: 'TLSv1.2' },
    ],
    failures: 0,
  },
});

describe('compactResource: the cached shape of a GatewayDomainCertificate', () => {
  it('keeps everything the operator reads and drops managedFields, ownerReferences and last-applied-configuration', () => {
    const original = resource(1);
    const cached = compact(original);
    const { managedFields: _m, ownerReferences: _o, annotations, ...metadata } = original.metadata;
    const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...kept } = annotations;
    // toStrictEqual: no field added as undefined, none lost.
    expect(cached).toStrictEqual({ ...original, metadata: { ...metadata, annotations: kept } });
  });

  it('leaves absent fields absent (a resource without status, a spec without optional parts)', () => {
    const bare = {
      apiVersion: 'apig-cert-sync.io/v1alpha1',
      kind: 'GatewayDomainCertificate',
      metadata: { name: 'x', namespace: 'ns' },
      spec: {
        secretName: 's',
        gateway: { service: 'apig', projectId: 'p' },
        credentialsSecretRef: { name: 'c' },
      },
    };
    expect(compact(bare)).toStrictEqual(bare);
  });

  it('intern returns one shared copy per value and passes undefined through', () => {
    const a = ['https://apig.', 'example'].join('');
    expect(intern(a)).toBe(intern('https://apig.example'));
    expect(intern(undefined)).toBeUndefined();
  });
});
