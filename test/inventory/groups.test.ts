// Which gateways the periodic inventory lists, and with which resource's credentials.
import { describe, expect, it } from 'vitest';
import type { GatewayDomainCertificate, GatewayDomainCertificateSpec } from '../../src/api/v1alpha1.ts';
import { inventoryGroups } from '../../src/inventory/periodic.ts';

const gdc = (ns: string, name: string, spec: Partial<GatewayDomainCertificateSpec>, deleting = false) =>
  ({
    apiVersion: 'apig-cert-sync.io/v1alpha1',
    kind: 'GatewayDomainCertificate',
    metadata: { namespace: ns, name, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: {
      secretName: 's',
      credentialsSecretRef: { name: 'creds' },
      gateway: { service: 'apig', region: 'r1', projectId: 'p1' },
      ...spec,
    },
  }) as unknown as GatewayDomainCertificate;

describe('inventory groups', () => {
  it('lists Domain and Shared mode instances per account, once each, skipping resources being deleted', () => {
    const groups = inventoryGroups([
      gdc('a', 'one', { gateway: { service: 'apig', region: 'r1', projectId: 'p1', instanceId: 'gw1' } }),
      gdc('a', 'two', { gateway: { service: 'apig', region: 'r1', projectId: 'p1', instanceId: 'gw1' } }),
      gdc('a', 'shared', {
        mode: 'Shared',
        domains: [{ name: 'x.example.com', instanceIds: ['gw2', 'gw1'] }],
      }),
      gdc('b', 'other-ns', {
        gateway: { service: 'apig', region: 'r1', projectId: 'p1', instanceId: 'gw1' },
      }),
      gdc(
        'a',
        'gone',
        { gateway: { service: 'apig', region: 'r1', projectId: 'p1', instanceId: 'gw9' } },
        true,
      ),
    ]);
    expect(groups.map((g) => [g.resource.metadata.namespace, g.instanceIds])).toEqual([
      ['a', ['gw1', 'gw2']],
      ['b', ['gw1']],
    ]);
  });
});
