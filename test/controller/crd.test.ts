// The schema rejects bad specs at `kubectl apply` time, before the operator ever sees them.
import { beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, kubectl } from '../support/kube.ts';
import { installCrds } from '../support/operator.ts';

let ns: string;
beforeAll(async () => {
  await installCrds();
  ns = await createNamespace('crd');
});

const base = {
  secretName: 'site-tls',
  gateway: {
    service: 'apig',
    region: 'ap-southeast-1',
    projectId: 'p1',
    instanceId: 'i1',
    domain: 'shop.example.com',
  },
  credentialsSecretRef: { name: 'creds' },
};

async function apply(spec: unknown): Promise<string> {
  const doc = {
    apiVersion: 'apig-cert-sync.io/v1alpha1',
    kind: 'GatewayDomainCertificate',
    metadata: { name: 'x', namespace: ns },
    spec,
  };
  try {
    await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(doc) });
    return 'accepted';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

describe('GatewayDomainCertificate schema', () => {
  it('accepts a minimal Domain spec and fills defaults', async () => {
    expect(await apply(base)).toBe('accepted');
  });

  const rejected: Array<[string, unknown, RegExp]> = [
    [
      'an unknown service',
      { ...base, gateway: { ...base.gateway, service: 'elb' } },
      /Unsupported value: "elb"/,
    ],
    [
      'neither endpoint nor region',
      { ...base, gateway: { ...base.gateway, region: undefined } },
      /set spec.gateway.endpoint or spec.gateway.region/,
    ],
    [
      'both domain and domainId',
      { ...base, gateway: { ...base.gateway, domainId: 'd1', groupId: 'g1' } },
      /exactly one of spec.gateway.domainId and spec.gateway.domain/,
    ],
    [
      'a domainId without groupId',
      { ...base, gateway: { ...base.gateway, domain: undefined, domainId: 'd1' } },
      /domainId needs spec.gateway.groupId/,
    ],
    ['Shared without domains', { ...base, mode: 'Shared' }, /mode Shared needs spec.domains/],
    [
      'domains in Domain mode',
      { ...base, domains: [{ name: 'a.example.com', instanceIds: ['i1'] }] },
      /only for mode Shared/,
    ],
    [
      'a certificate name breaking the gateway rule',
      { ...base, certificateName: '1-bad' },
      /certificateName/,
    ],
    [
      'a namespace on the credentials reference',
      { ...base, credentialsSecretRef: { name: 'c', namespace: 'other' } },
      /unknown field "spec.credentialsSecretRef.namespace"/,
    ],
    ['a malformed verifyInterval', { ...base, verifyInterval: 'hourly' }, /verifyInterval/],
    ['an unknown deletion policy', { ...base, deletionPolicy: 'Delete' }, /Unsupported value: "Delete"/],
  ];
  for (const [what, spec, message] of rejected) {
    it(`rejects ${what}`, async () => {
      expect(await apply(spec)).toMatch(message);
    });
  }
});
