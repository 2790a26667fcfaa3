import { createPrivateKey, X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  contentDigest,
  MAX_NOT_AFTER,
  type PrepareInput,
  type PrepareResult,
  prepareBundle,
  toPem,
} from '../../src/certs/index.ts';
import {
  createCA,
  exportKey,
  issueCertificate,
  type KeyFormat,
  type KeyType,
  type TestCertificate,
  tlsSecretData,
} from '../support/pki.ts';

const DAY = 86_400_000;
const now = new Date();
const roots: Record<KeyType, TestCertificate> = {
  rsa: createCA({ keyType: 'rsa' }),
  ec: createCA({ keyType: 'ec' }),
};

function leafOf(keyType: KeyType, opts: Partial<Parameters<typeof issueCertificate>[0]> = {}) {
  return issueCertificate({
    ca: roots[keyType],
    dnsNames: ['api.example.com', '*.apps.example.com'],
    keyType,
    ...opts,
  });
}

function prepare(leaf: TestCertificate, input: Partial<PrepareInput> = {}): PrepareResult {
  return prepareBundle({
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    domains: ['api.example.com'],
    now,
    ...input,
  });
}

function expectFailure(result: PrepareResult, reason: string, message?: RegExp) {
  if (result.ok) throw new Error(`expected ${reason}, got success`);
  expect(result.reason).toBe(reason);
  if (message) expect(result.message).toMatch(message);
  return result.message;
}

const FORMATS: Record<KeyType, KeyFormat[]> = { rsa: ['pkcs1', 'pkcs8'], ec: ['sec1', 'pkcs8'] };

describe('prepareBundle: accepted input', () => {
  for (const keyType of ['rsa', 'ec'] as const) {
    for (const keyFormat of FORMATS[keyType]) {
      it(`accepts ${keyType} with a ${keyFormat} key and normalises the key to PKCS#8`, () => {
        const leaf = leafOf(keyType, { keyFormat });
        const result = prepare(leaf, { domains: ['api.example.com', 'shop.apps.example.com'] });
        if (!result.ok) throw new Error(result.message);
        const { bundle } = result;
        expect(bundle.algorithm).toBe(keyType === 'rsa' ? 'RSA' : 'ECC');
        expect(bundle.privateKeyPkcs8Pem).toMatch(
          /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/,
        );
        expect(createPrivateKey(bundle.privateKeyPkcs8Pem).equals(leaf.privateKey)).toBe(true);
        expect(bundle.certChainPem).toBe(leaf.certPem);
        expect(bundle.leaf.serialNumber).toBe(leaf.serialNumber);
        expect(bundle.leaf.dnsNames).toEqual(['api.example.com', '*.apps.example.com']);
        expect(bundle.chain).toHaveLength(1);
        expect(bundle.reordered).toBe(false);
      });
    }
  }

  it('keeps a cert-manager chain leaf first and leaves ca.crt out of it', () => {
    const inter = issueCertificate({
      ca: roots.rsa,
      dnsNames: [],
      isCA: true,
      commonName: 'Inter',
      keyType: 'ec',
    });
    const leaf = issueCertificate({
      ca: inter,
      dnsNames: ['api.example.com'],
      keyType: 'rsa',
      keyFormat: 'pkcs1',
    });
    const data = tlsSecretData(leaf, roots.rsa, { intermediates: [inter] });
    const result = prepareBundle({
      certPem: data['tls.crt'],
      keyPem: data['tls.key'],
      caPem: data['ca.crt'],
      domains: ['api.example.com'],
      now,
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.certChainPem).toBe(leaf.certPem + inter.certPem);
    expect(result.bundle.chain.map((c) => c.commonName)).toEqual(['api.example.com', 'Inter']);
    expect(result.bundle.leaf.issuer).toBe('Inter');
  });

  it('normalises PEM layout: CRLF, long lines, surrounding text, one newline per block', () => {
    const leaf = leafOf('ec');
    const b64 = leaf.cert.raw.toString('base64');
    const messy = `Bag Attributes\r\n-----BEGIN CERTIFICATE-----\r\n${b64}\r\n-----END CERTIFICATE-----\r\n\r\n\r\n`;
    const result = prepare(leaf, { certPem: messy });
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.certChainPem).toBe(leaf.certPem);
    expect(new X509Certificate(result.bundle.certChainPem).raw.equals(leaf.cert.raw)).toBe(true);
  });

  it('reorders a reversed chain silently', () => {
    const inter = issueCertificate({ ca: roots.ec, dnsNames: [], isCA: true, commonName: 'Inter' });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['api.example.com'] });
    const result = prepare(leaf, { certPem: roots.ec.certPem + inter.certPem + leaf.certPem });
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.certChainPem).toBe(leaf.certPem + inter.certPem + roots.ec.certPem);
    expect(result.bundle.reordered).toBe(true);
  });

  it('reorders a CA certificate placed before the leaf, and drops a repeated certificate', () => {
    const inter = issueCertificate({
      ca: roots.rsa,
      dnsNames: [],
      isCA: true,
      commonName: 'Inter',
      keyType: 'rsa',
    });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['api.example.com'], keyType: 'rsa' });
    const result = prepare(leaf, { certPem: inter.certPem + leaf.certPem + inter.certPem });
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.certChainPem).toBe(leaf.certPem + inter.certPem);
  });

  it('accepts a leaf valid until exactly 2038-01-19T03:14:07Z', () => {
    const leaf = leafOf('ec', { notAfter: MAX_NOT_AFTER });
    expect(prepare(leaf).ok).toBe(true);
  });

  it('covers domains case-insensitively and with one-label wildcards', () => {
    const leaf = leafOf('ec');
    expect(prepare(leaf, { domains: ['API.Example.com', 'x.APPS.example.com'] }).ok).toBe(true);
  });
});

describe('prepareBundle: refused input', () => {
  const ecLeaf = leafOf('ec', { keyFormat: 'sec1' });
  const rsaLeaf = leafOf('rsa', { keyFormat: 'pkcs1' });

  it.each([
    ['empty', ''],
    ['garbage', 'hello'],
    ['a private key', ecLeaf.keyPem],
    ['a CSR', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'],
  ])('InvalidCertificate for %s tls.crt', (_name, certPem) => {
    expectFailure(prepare(ecLeaf, { certPem }), 'InvalidCertificate', /^tls\.crt: /);
  });

  it('InvalidCertificate for an unparseable ca.crt', () => {
    expectFailure(prepare(ecLeaf, { caPem: 'nope' }), 'InvalidCertificate', /^ca\.crt: /);
  });

  it.each([
    ['empty', '', /empty/],
    ['garbage', 'hello', /found none/],
    ['only a certificate', ecLeaf.certPem, /found none/],
    [
      'a public key',
      ecLeaf.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      /PUBLIC KEY block is not/,
    ],
    ['two keys', ecLeaf.keyPem + rsaLeaf.keyPem, /exactly one/],
    ['a corrupted key', rsaLeaf.keyPem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA'), /could not be parsed/],
  ])('InvalidKey for %s tls.key', (_name, keyPem, message) => {
    expectFailure(prepare(ecLeaf, { keyPem }), 'InvalidKey', message);
  });

  it('InvalidKey with a clear message for encrypted keys (PKCS#8 and legacy)', () => {
    const pkcs8 = exportKey(ecLeaf.privateKey, 'pkcs8', 'secret');
    expectFailure(prepare(ecLeaf, { keyPem: pkcs8 }), 'InvalidKey', /encrypted/);
    const legacy = rsaLeaf.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-128-cbc',
      passphrase: 'secret',
    }) as string;
    expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
    expectFailure(prepare(rsaLeaf, { keyPem: legacy }), 'InvalidKey', /encrypted/);
  });

  it('accepts an EC key preceded by EC PARAMETERS, as openssl ecparam writes it', () => {
    const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    expect(prepare(ecLeaf, { keyPem: params + ecLeaf.keyPem }).ok).toBe(true);
  });

  it('accepts a combined PEM (certificate and key) as tls.key', () => {
    expect(prepare(rsaLeaf, { keyPem: rsaLeaf.certPem + rsaLeaf.keyPem }).ok).toBe(true);
  });

  for (const keyType of ['rsa', 'ec'] as const) {
    it(`KeyMismatch for another ${keyType} key of the same type`, () => {
      const leaf = keyType === 'rsa' ? rsaLeaf : ecLeaf;
      const other = leafOf(keyType);
      expect(other.privateKey.equals(leaf.privateKey)).toBe(false);
      const message = expectFailure(prepare(leaf, { keyPem: other.keyPem }), 'KeyMismatch');
      expect(message).toContain(leaf.serialNumber);
      expect(message).toContain('"api.example.com"');
    });
  }

  it('KeyMismatch names both key types when RSA and EC are mixed', () => {
    expectFailure(prepare(rsaLeaf, { keyPem: ecLeaf.keyPem }), 'KeyMismatch', /EC prime256v1.*RSA 2048-bit/);
  });

  it('KeyMismatch when the key belongs to the CA, not the leaf', () => {
    expectFailure(prepare(ecLeaf, { keyPem: roots.ec.keyPem }), 'KeyMismatch');
  });

  for (const keyType of ['rsa', 'ec'] as const) {
    it(`Expired for a ${keyType} leaf past notAfter, with the date`, () => {
      const leaf = leafOf(keyType, {
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2025-03-01T12:00:00Z'),
      });
      expectFailure(prepare(leaf), 'Expired', /expired at 2025-03-01T12:00:00Z/);
    });
  }

  it('Expired exactly at notAfter, valid one second before', () => {
    const leaf = leafOf('ec', { notAfter: new Date(Math.floor(now.getTime() / 1000) * 1000 + 60_000) });
    expectFailure(prepare(leaf, { now: leaf.cert.validToDate }), 'Expired');
    expect(prepare(leaf, { now: new Date(leaf.cert.validToDate.getTime() - 1000) }).ok).toBe(true);
  });

  it('NotYetValid before notBefore', () => {
    const leaf = leafOf('rsa', {
      notBefore: new Date(now.getTime() + DAY),
      notAfter: new Date(now.getTime() + 90 * DAY),
    });
    expectFailure(prepare(leaf), 'NotYetValid', /not valid before \d{4}-\d\d-\d\dT/);
  });

  it('ValidityTooLong for a leaf valid past 2038-01-19T03:14:07Z (APIG.3148)', () => {
    const leaf = leafOf('ec', { notAfter: new Date('2038-01-19T03:14:08Z') });
    expectFailure(prepare(leaf), 'ValidityTooLong', /2038-01-19T03:14:08Z.*APIG\.3148/);
    const far = leafOf('rsa', { notAfter: new Date('2055-01-01T00:00:00Z') });
    expectFailure(prepare(far), 'ValidityTooLong', /2055-01-01T00:00:00Z/);
  });

  it('DomainNotCovered names the domain and lists the SANs', () => {
    const message = expectFailure(
      prepare(ecLeaf, { domains: ['api.example.com', 'a.b.apps.example.com', 'apps.example.com'] }),
      'DomainNotCovered',
    );
    expect(message).toBe(
      'the certificate "api.example.com" does not cover domains a.b.apps.example.com, apps.example.com; ' +
        'its DNS names are api.example.com, *.apps.example.com',
    );
  });

  it('DomainNotCovered ignores the CN when SANs exist, and uses it when there are none', () => {
    const withSans = leafOf('ec', { commonName: 'cn.example.com', dnsNames: ['other.example.com'] });
    expectFailure(
      prepare(withSans, { domains: ['cn.example.com'] }),
      'DomainNotCovered',
      /other\.example\.com/,
    );
    const cnOnly = leafOf('ec', { commonName: 'cn.example.com', dnsNames: [] });
    expect(prepare(cnOnly, { domains: ['cn.example.com'] }).ok).toBe(true);
    expectFailure(
      prepare(cnOnly, { domains: ['x.example.com'] }),
      'DomainNotCovered',
      /common name is cn\.example\.com/,
    );
  });

  it('ChainOrder when the certificates are not one chain', () => {
    const inter = issueCertificate({ ca: roots.ec, dnsNames: [], isCA: true, commonName: 'Inter' });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['api.example.com'] });
    // Root without the intermediate: two unrelated certificates.
    expectFailure(
      prepare(leaf, { certPem: leaf.certPem + roots.ec.certPem }),
      'ChainOrder',
      /no single leaf/,
    );
    // An unrelated intermediate after the leaf.
    const stranger = issueCertificate({ ca: roots.rsa, dnsNames: [], isCA: true, commonName: 'Stranger' });
    expectFailure(
      prepare(leaf, { certPem: leaf.certPem + inter.certPem + stranger.certPem }),
      'ChainOrder',
      /Stranger/,
    );
    // Same names, different keys: names line up but the signature does not verify.
    const impostor = issueCertificate({ ca: roots.ec, dnsNames: [], isCA: true, commonName: 'Inter' });
    expectFailure(prepare(leaf, { certPem: leaf.certPem + impostor.certPem }), 'ChainOrder');
  });

  it('ChainOrder when a signature in the chain does not verify', () => {
    const inter = issueCertificate({
      ca: roots.rsa,
      dnsNames: [],
      isCA: true,
      commonName: 'Inter',
      keyType: 'rsa',
    });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['api.example.com'] });
    const der = Buffer.from(leaf.cert.raw);
    der[der.length - 1]! ^= 0x01; // last signature byte: still parses, no longer verifies
    const tampered = toPem('CERTIFICATE', der);
    expect(new X509Certificate(tampered).checkIssued(inter.cert)).toBe(true);
    expect(prepare(leaf, { certPem: leaf.certPem + inter.certPem }).ok).toBe(true);
    expectFailure(prepare(leaf, { certPem: tampered + inter.certPem }), 'ChainOrder');
  });
});

describe('secrets stay secret', () => {
  const rsa = leafOf('rsa', { keyFormat: 'pkcs1' });
  const ec = leafOf('ec', { keyFormat: 'sec1' });

  /** Base64 lines of every representation of the key: the input PEM and its PKCS#8 form. */
  function keyFragments(leaf: TestCertificate): string[] {
    const pems = [leaf.keyPem, exportKey(leaf.privateKey, 'pkcs8')];
    return pems.flatMap((p) => p.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
  }

  it('no failure message contains key material', () => {
    const cases: PrepareInput[] = [];
    for (const leaf of [rsa, ec]) {
      const other = leaf === rsa ? ec : rsa;
      const base = { certPem: leaf.certPem, keyPem: leaf.keyPem, domains: ['api.example.com'], now };
      cases.push(
        { ...base, certPem: leaf.keyPem }, // key pasted into tls.crt
        { ...base, certPem: leaf.certPem + leaf.keyPem }, // key appended to the chain
        { ...base, keyPem: leaf.keyPem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA') }, // corrupted key
        { ...base, keyPem: leaf.keyPem.slice(0, -30) }, // truncated key
        { ...base, keyPem: leaf.keyPem.replace(/-----END [A-Z ]+-----/, '-----END CERTIFICATE-----') },
        { ...base, keyPem: leaf.keyPem + leaf.keyPem },
        { ...base, keyPem: other.keyPem, certPem: other.certPem, domains: ['nope.example.org'] },
        { ...base, certPem: other.certPem, caPem: leaf.keyPem },
        { ...base, certPem: other.certPem },
        { ...base, keyPem: leaf.certPem + leaf.keyPem.replace('PRIVATE KEY', 'PUBLIC KEY') },
      );
    }
    const fragments = [...keyFragments(rsa), ...keyFragments(ec)];
    for (const input of cases) {
      const result = prepareBundle(input);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      for (const fragment of fragments) expect(result.message).not.toContain(fragment);
    }
  });

  it('never throws, even for input that is not a string', () => {
    const bad = {
      certPem: undefined,
      keyPem: rsa.keyPem,
      domains: ['api.example.com'],
    } as unknown as PrepareInput;
    const result = prepareBundle(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) for (const fragment of keyFragments(rsa)) expect(result.message).not.toContain(fragment);
  });

  it('a bundle printed or serialised shows the key as [REDACTED]', () => {
    const result = prepare(ec);
    if (!result.ok) throw new Error(result.message);
    const printed = [JSON.stringify(result), inspect(result, { depth: 5 }), `${JSON.stringify({ result })}`];
    for (const text of printed) {
      expect(text).toContain('[REDACTED]');
      for (const fragment of keyFragments(ec)) expect(text).not.toContain(fragment);
    }
    // …while the code that uploads still reads the real key.
    expect(result.bundle.privateKeyPkcs8Pem).toContain('BEGIN PRIVATE KEY');
  });
});

describe('contentDigest', () => {
  it('is stable for the same content and differs when chain or key changes', () => {
    const leaf = leafOf('ec');
    const other = leafOf('ec');
    const a = prepare(leaf);
    const b = prepare(leaf, { keyPem: exportKey(leaf.privateKey, 'sec1') });
    if (!a.ok || !b.ok) throw new Error('expected success');
    const digest = contentDigest(a.bundle.certChainPem, a.bundle.privateKeyPkcs8Pem);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // Same key in another input format normalises to the same digest.
    expect(contentDigest(b.bundle.certChainPem, b.bundle.privateKeyPkcs8Pem)).toBe(digest);
    expect(contentDigest(other.certPem, a.bundle.privateKeyPkcs8Pem)).not.toBe(digest);
    expect(contentDigest(a.bundle.certChainPem, exportKey(other.privateKey))).not.toBe(digest);
    // The separator keeps (chain, key) pairs from colliding by shifting text across the boundary.
    expect(contentDigest('ab', 'c')).not.toBe(contentDigest('a', 'bc'));
  });
});
