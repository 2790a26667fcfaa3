// What a reconcile may take instead of reading a Secret: only what matches the watch's digest now,
// a handed-over TLS Secret only once, and never more than a bounded number.
import { describe, expect, it } from 'vitest';
import { SecretReads } from '../../src/controller/secret-reads.ts';

const read = (digest: string) => ({ data: { 'tls.crt': 'c', 'tls.key': 'k' }, digest });

describe('SecretReads', () => {
  it('hands a watched Secret over once, and only while the cache still has that digest', () => {
    const r = new SecretReads();
    r.offer('ns/a', read('d1'));
    expect(r.take('ns/a', 'd2')).toBeUndefined(); // a newer version arrived since: read it
    r.offer('ns/a', read('d1'));
    expect(r.take('ns/a', 'd1')?.digest).toBe('d1');
    expect(r.take('ns/a', 'd1')).toBeUndefined();
    expect(r.take('ns/a', undefined)).toBeUndefined();
  });

  it('drops handovers nobody took: after 30 s, and beyond 64 at once', () => {
    const r = new SecretReads();
    r.offer('ns/old', read('d'), 0);
    expect(r.take('ns/old', 'd', 30_001)).toBeUndefined();
    for (let i = 0; i < 100; i++) r.offer(`ns/s${i}`, read('d'), 1000);
    expect(r.take('ns/s0', 'd', 1000)).toBeUndefined();
    expect(r.take('ns/s99', 'd', 1000)?.digest).toBe('d');
    expect((r as unknown as { handoffs: Map<string, unknown> }).handoffs.size).toBeLessThanOrEqual(64);
  });

  it('serves a credentials Secret again only while its digest is unchanged', () => {
    const r = new SecretReads();
    r.rememberCredentials('ns/creds', { data: { accessKey: 'a', secretKey: 's' }, digest: 'c1' });
    expect(r.credentialsFor('ns/creds', 'c1')?.data.accessKey).toBe('a');
    expect(r.credentialsFor('ns/creds', 'c2')).toBeUndefined(); // rotated: read the new one
    expect(r.credentialsFor('ns/creds', 'c1')).toBeUndefined(); // and the old one is gone
  });
});
