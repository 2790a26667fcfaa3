import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCA,
  exportKey,
  generateKey,
  issueCertificate,
  type KeyType,
  tlsSecretData,
  tlsSecretDataBase64,
} from '../support/pki.ts';

const KEY_TYPES: KeyType[] = ['rsa', 'ec'];

describe('test PKI', () => {
  for (const caType of KEY_TYPES) {
    for (const leafType of KEY_TYPES) {
      it(`issues a ${leafType} leaf from a ${caType} CA that node parses and verifies`, () => {
        const ca = createCA({ keyType: caType, commonName: `CA ${caType}` });
        const leaf = issueCertificate({
          ca,
          dnsNames: ['a.example.com', '*.b.example.com'],
          keyType: leafType,
        });
        const x = new X509Certificate(leaf.certPem);

        expect(ca.cert.verify(ca.publicKey)).toBe(true);
        expect(x.verify(ca.publicKey)).toBe(true);
        expect(x.checkIssued(ca.cert)).toBe(true);
        expect(x.verify(createCA({ keyType: caType }).publicKey)).toBe(false);
        expect(ca.cert.ca).toBe(true);
        expect(x.ca).toBe(false);
        expect(x.subjectAltName).toBe('DNS:a.example.com, DNS:*.b.example.com');
        expect(x.issuer).toBe(`CN=CA ${caType}`);
        expect(x.publicKey.asymmetricKeyType).toBe(leafType);
        expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
        expect(x.signatureAlgorithm).toBe(caType === 'rsa' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256');
      });
    }
  }

  it('issues intermediates that can themselves issue', () => {
    const root = createCA();
    const inter = issueCertificate({
      ca: root,
      dnsNames: [],
      isCA: true,
      commonName: 'Inter',
      keyType: 'rsa',
    });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['x.example.com'] });
    expect(inter.cert.ca).toBe(true);
    expect(inter.cert.verify(root.publicKey)).toBe(true);
    expect(leaf.cert.verify(inter.publicKey)).toBe(true);
    expect(leaf.cert.issuer).toBe('CN=Inter');
  });

  it('reports the serial in decimal and accepts bigint or hex serials', () => {
    const ca = createCA();
    const fromHex = issueCertificate({ ca, dnsNames: ['a.example.com'], serialNumber: '00:FF:01' });
    expect(fromHex.serialNumber).toBe('65281');
    expect(fromHex.cert.serialNumber).toBe('FF01');
    const big = 219450666855693268010130472645821723203n;
    const fromBig = issueCertificate({ ca, dnsNames: ['a.example.com'], serialNumber: big });
    expect(fromBig.serialNumber).toBe(big.toString());
    expect(BigInt(`0x${fromBig.cert.serialNumber}`)).toBe(big);
    const a = issueCertificate({ ca, dnsNames: ['a.example.com'], keyType: 'rsa' });
    const b = issueCertificate({ ca, dnsNames: ['a.example.com'], keyType: 'rsa' });
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.serialNumber).toMatch(/^[1-9][0-9]*$/);
  });

  it('encodes dates before 2050 as UTCTime and later ones as GeneralizedTime', () => {
    const ca = createCA({ notAfter: new Date('2070-01-01T00:00:00Z') });
    const cases = [
      new Date('2038-01-19T03:14:08Z'),
      new Date('2049-12-31T23:59:59Z'),
      new Date('2050-01-01T00:00:00Z'),
      new Date('2065-06-30T12:00:00Z'),
    ];
    for (const notAfter of cases) {
      const leaf = issueCertificate({ ca, dnsNames: ['a.example.com'], notAfter });
      expect(leaf.cert.validToDate.toISOString()).toBe(notAfter.toISOString());
      // Tag 0x17 UTCTime "YYMMDD...", 0x18 GeneralizedTime "YYYYMMDD...".
      const der = leaf.cert.raw.toString('latin1');
      const year = String(notAfter.getUTCFullYear());
      expect(der.includes(`\x18\x0f${year}`)).toBe(notAfter.getUTCFullYear() >= 2050);
      expect(leaf.cert.verify(ca.publicKey)).toBe(true);
    }
  });

  it('writes keys in PKCS#8, PKCS#1 and SEC1', () => {
    const ca = createCA();
    const rsa1 = issueCertificate({ ca, dnsNames: ['a'], keyType: 'rsa', keyFormat: 'pkcs1' });
    const ec1 = issueCertificate({ ca, dnsNames: ['a'], keyType: 'ec', keyFormat: 'sec1' });
    const ec8 = issueCertificate({ ca, dnsNames: ['a'], keyType: 'ec' });
    expect(rsa1.keyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(ec1.keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(ec8.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    for (const c of [rsa1, ec1, ec8]) {
      expect(createPrivateKey(c.keyPem).equals(c.privateKey)).toBe(true);
    }
    expect(() => issueCertificate({ ca, dnsNames: ['a'], keyType: 'ec', keyFormat: 'pkcs1' })).toThrow(
      /PKCS#1/,
    );
    expect(exportKey(ec8.privateKey, 'pkcs8', 'pw')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  });

  it('gives consecutive RSA certificates different keys from the pool', () => {
    const keys = [generateKey('rsa'), generateKey('rsa')];
    expect(keys[0]!.equals(keys[1]!)).toBe(false);
  });

  it('lays out Secret data as cert-manager does', () => {
    const root = createCA({ commonName: 'Root' });
    const inter = issueCertificate({ ca: root, dnsNames: [], isCA: true, commonName: 'Inter' });
    const leaf = issueCertificate({ ca: inter, dnsNames: ['a.example.com'], keyFormat: 'sec1' });
    const data = tlsSecretData(leaf, root, { intermediates: [inter] });
    expect(data['tls.crt']).toBe(leaf.certPem + inter.certPem);
    expect(data['tls.key']).toBe(leaf.keyPem);
    expect(data['ca.crt']).toBe(root.certPem);
    const b64 = tlsSecretDataBase64(leaf, root);
    expect(Buffer.from(b64['tls.crt'], 'base64').toString()).toBe(leaf.certPem);
  });
});
