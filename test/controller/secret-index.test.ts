import { describe, expect, it } from 'vitest';
import type { GatewayDomainCertificate } from '../../src/api/v1alpha1.ts';
import { SecretIndex } from '../../src/controller/watches.ts';

const gdc = (name: string, secretName: string, creds = 'creds') =>
  ({
    metadata: { name, namespace: 'ns' },
    spec: { secretName, credentialsSecretRef: { name: creds } },
  }) as unknown as GatewayDomainCertificate;

describe('SecretIndex: which resources a Secret change wakes', () => {
  it('tracks one and many users per Secret through changes and deletions', () => {
    const idx = new SecretIndex();
    idx.update('ns/a', gdc('a', 'tls-a'));
    idx.update('ns/b', gdc('b', 'tls-b'));
    expect(idx.users('ns/tls-a')).toEqual(['ns/a']);
    expect(idx.users('ns/creds').sort()).toEqual(['ns/a', 'ns/b']);
    idx.update('ns/a', gdc('a', 'tls-a')); // a status write: nothing changes
    expect(idx.users('ns/tls-a')).toEqual(['ns/a']);
    idx.update('ns/c', gdc('c', 'tls-a')); // a second user of tls-a
    expect(idx.users('ns/tls-a').sort()).toEqual(['ns/a', 'ns/c']);
    idx.update('ns/a', gdc('a', 'tls-new', 'other-creds')); // spec now names other Secrets
    expect(idx.users('ns/tls-a')).toEqual(['ns/c']);
    expect(idx.users('ns/tls-new')).toEqual(['ns/a']);
    expect(idx.users('ns/creds').sort()).toEqual(['ns/b', 'ns/c']);
    expect(idx.users('ns/other-creds')).toEqual(['ns/a']);
    for (const k of ['ns/a', 'ns/b', 'ns/c']) idx.update(k, undefined);
    for (const s of ['ns/tls-a', 'ns/tls-b', 'ns/tls-new', 'ns/creds', 'ns/other-creds'])
      expect(idx.users(s)).toEqual([]);
  });
});
