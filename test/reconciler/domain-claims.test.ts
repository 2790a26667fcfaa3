// Which resource holds a domain when several name it: the oldest, the same on every replica.
import { describe, expect, it } from 'vitest';
import type { GatewayDomainCertificate } from '../../src/api/v1alpha1.ts';
import { DomainClaims } from '../../src/controller/domain-claims.ts';

function gdc(name: string, created: string, domain: string, instanceId = 'i1'): GatewayDomainCertificate {
  return {
    apiVersion: 'apig-cert-sync.io/v1alpha1',
    kind: 'GatewayDomainCertificate',
    metadata: { name, namespace: 'ns', creationTimestamp: new Date(created) },
    spec: {
      secretName: 's',
      gateway: { service: 'apig', region: 'ap-southeast-1', projectId: 'p', instanceId, domain },
      credentialsSecretRef: { name: 'c' },
    },
  };
}

describe('DomainClaims', () => {
  it('gives the domain to the oldest claim and hands it on when that one goes', () => {
    const claims = new DomainClaims();
    expect(claims.update('ns/b', gdc('b', '2026-01-02', 'shop.example.com'))).toEqual([]);
    expect(claims.update('ns/a', gdc('a', '2026-01-01', 'Shop.example.com'))).toEqual(['ns/b']);
    expect(claims.holderOtherThan('ns/a')).toBeUndefined();
    expect(claims.holderOtherThan('ns/b')).toBe('ns/a');
    // A status write changes no claim and touches nobody.
    expect(claims.update('ns/a', gdc('a', '2026-01-01', 'shop.example.com'))).toEqual([]);
    expect(claims.update('ns/a', undefined)).toEqual(['ns/b']);
    expect(claims.holderOtherThan('ns/b')).toBeUndefined();
  });

  it('keeps the same name on different gateways apart', () => {
    const claims = new DomainClaims();
    claims.update('ns/a', gdc('a', '2026-01-01', 'www.example.com', 'i1'));
    claims.update('ns/b', gdc('b', '2026-01-02', 'www.example.com', 'i2'));
    expect(claims.holderOtherThan('ns/b')).toBeUndefined();
  });
});
