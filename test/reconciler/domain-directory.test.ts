// Name → id lookups are shared per gateway: N resources on one gateway list its API groups once.
import { describe, expect, it } from 'vitest';
import type { FoundDomain, GatewayClient } from '../../src/gateway/index.ts';
import { DomainDirectory } from '../../src/reconciler/domain-directory.ts';

function fakeClient(domains: string[], failFirst = false) {
  let calls = 0;
  const client = {
    async listDomains(): Promise<FoundDomain[]> {
      calls++;
      if (failFirst && calls === 1) throw new Error('gateway down');
      return domains.map((name, i) => ({
        groupId: 'g',
        domainId: `d${i}`,
        domain: { id: `d${i}`, domain: name },
      }));
    },
  } as unknown as GatewayClient;
  return { client, calls: () => calls };
}

describe('DomainDirectory', () => {
  it('answers many lookups on one gateway from one listing', async () => {
    const { client, calls } = fakeClient(['a.example.com', 'B.example.com']);
    const dir = new DomainDirectory();
    const found = await Promise.all(
      ['a.example.com', 'b.example.com.', 'a.example.com'].map((n) => dir.find(client, 'i1', n)),
    );
    expect(found.map((f) => f?.domainId)).toEqual(['d0', 'd1', 'd0']);
    expect(calls()).toBe(1);
    await dir.find(client, 'i2', 'a.example.com'); // another gateway has its own listing
    expect(calls()).toBe(2);
  });

  it('lists again after the TTL, and at once for a name missing from an older listing', async () => {
    let now = 0;
    const { client, calls } = fakeClient(['a.example.com']);
    const dir = new DomainDirectory(60_000, () => now);
    await dir.find(client, 'i1', 'a.example.com');
    now = 1_000;
    expect(await dir.find(client, 'i1', 'new.example.com')).toBeUndefined();
    expect(calls()).toBe(1); // a 1 s old listing is trusted
    now = 10_000;
    await dir.find(client, 'i1', 'new.example.com');
    expect(calls()).toBe(2); // 10 s old: look once more
    now = 80_000;
    await dir.find(client, 'i1', 'a.example.com');
    expect(calls()).toBe(3); // expired
  });

  it('does not cache a failed listing', async () => {
    const { client, calls } = fakeClient(['a.example.com'], true);
    const dir = new DomainDirectory();
    await expect(dir.find(client, 'i1', 'a.example.com')).rejects.toThrow('gateway down');
    expect((await dir.find(client, 'i1', 'a.example.com'))?.domainId).toBe('d0');
    expect(calls()).toBe(2);
  });
});
