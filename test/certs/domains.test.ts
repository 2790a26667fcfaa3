import { describe, expect, it } from 'vitest';
import { nameMatchesDomain, uncoveredDomains } from '../../src/certs/index.ts';

describe('nameMatchesDomain (RFC 6125)', () => {
  it.each([
    ['a.example.com', 'a.example.com', true],
    ['A.Example.COM', 'a.example.com', true],
    ['a.example.com', 'A.EXAMPLE.com.', true],
    ['a.example.com', 'b.example.com', false],
    ['a.example.com', 'example.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.EXAMPLE.com', 'Api.example.COM', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'a.example.org', false],
    ['*.example.com', 'aexample.com', false],
    ['*.b.example.com', 'a.b.example.com', true],
    ['*.b.example.com', 'a.example.com', false],
    // Only a whole left-most label may be a wildcard.
    ['a*.example.com', 'ab.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['a.*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false],
    ['*', 'localhost', false],
    // A wildcard domain on the gateway is covered by the same wildcard, not by a broader one.
    ['*.example.com', '*.example.com', true],
    ['*.com', '*.example.com', false],
    ['a.example.com', '*.example.com', false],
    // Internationalised names compare in punycode.
    ['xn--mnchen-3ya.example.com', 'münchen.example.com', true],
    ['*.example.com', 'münchen.example.com', true],
  ])('%s covers %s: %s', (name, domain, expected) => {
    expect(nameMatchesDomain(name, domain)).toBe(expected);
  });
});

describe('uncoveredDomains', () => {
  it('uses DNS SANs and ignores the CN when SANs exist', () => {
    const cert = { dnsNames: ['a.example.com', '*.w.example.com'], commonName: 'cn.example.com' };
    expect(
      uncoveredDomains(cert, ['a.example.com', 'x.w.example.com', 'cn.example.com', 'w.example.com']),
    ).toEqual(['cn.example.com', 'w.example.com']);
  });

  it('falls back to the CN only when there are no DNS SANs', () => {
    expect(uncoveredDomains({ dnsNames: [], commonName: 'cn.example.com' }, ['CN.example.com'])).toEqual([]);
    expect(uncoveredDomains({ dnsNames: [], commonName: undefined }, ['a.example.com'])).toEqual([
      'a.example.com',
    ]);
  });

  it('has nothing to check for no domains', () => {
    expect(uncoveredDomains({ dnsNames: [], commonName: undefined }, [])).toEqual([]);
  });
});
