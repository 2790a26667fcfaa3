import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  inspectCertificate,
  PemError,
  parseCertificateChain,
  parsePemBlocks,
} from '../../src/certs/index.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

const rsaCA = createCA({ keyType: 'rsa', commonName: 'Example RSA CA' });
const ecCA = createCA({ keyType: 'ec', commonName: 'Example EC CA' });

describe('parseCertificateChain', () => {
  const leaf = issueCertificate({ ca: ecCA, dnsNames: ['a.example.com'] });

  it('parses every certificate in order, ignoring text between blocks and CRLF line ends', () => {
    const text = `subject=CN=a.example.com\r\n${leaf.certPem.replace(/\n/g, '\r\n')}issuer=x\n${ecCA.certPem}`;
    const chain = parseCertificateChain(text);
    expect(chain.map((c) => c.subject)).toEqual(['CN=a.example.com', 'CN=Example EC CA']);
  });

  it.each([
    ['empty', '', /empty/],
    ['whitespace', ' \n ', /empty/],
    ['garbage', 'not a certificate at all', /no PEM certificate/],
    ['a key instead of a certificate', leaf.keyPem, /PRIVATE KEY, only CERTIFICATE/],
    ['a key after the certificate', leaf.certPem + leaf.keyPem, /block 2 is a PRIVATE KEY/],
    ['a corrupted body', leaf.certPem.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), /could not be parsed/],
    ['bad base64', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', /not valid base64/],
    ['a truncated block', leaf.certPem + leaf.certPem.slice(0, 200), /truncated/],
    ['mismatched labels', leaf.certPem.replace('END CERTIFICATE', 'END X509 CRL'), /ends as/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseCertificateChain(text)).toThrow(PemError);
    expect(() => parseCertificateChain(text)).toThrow(message);
  });

  it('never repeats block contents in its errors', () => {
    try {
      parseCertificateChain(leaf.certPem + leaf.keyPem);
      expect.unreachable();
    } catch (err) {
      const body = leaf.keyPem.split('\n')[1]!;
      expect(String(err)).not.toContain(body);
    }
  });

  it('reads legacy PEM headers', () => {
    const blocks = parsePemBlocks(
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n',
    );
    expect(blocks[0]!.headers['Proc-Type']).toBe('4,ENCRYPTED');
  });
});

describe('inspectCertificate', () => {
  it('reports what the gateway shows for an RSA certificate', () => {
    const serial = 219450666855693268010130472645821723203n;
    const leaf = issueCertificate({
      ca: rsaCA,
      dnsNames: ['www.company.com', '*.api.company.com'],
      commonName: 'www.company.com',
      organization: 'Company',
      keyType: 'rsa',
      serialNumber: serial,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2030-08-04T07:41:19Z'),
    });
    const info = inspectCertificate(leaf.cert);
    expect(info).toMatchObject({
      serialNumber: '219450666855693268010130472645821723203',
      serialHex: serial.toString(16).toUpperCase(),
      dnsNames: ['www.company.com', '*.api.company.com'],
      commonName: 'www.company.com',
      organization: ['Company'],
      issuer: 'Example RSA CA',
      subject: 'CN=www.company.com, O=Company',
      signatureAlgorithm: 'SHA256-RSA',
      keyAlgorithm: 'RSA',
      isCA: false,
    });
    expect(info.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(info.notAfter.toISOString()).toBe('2030-08-04T07:41:19.000Z');
    expect(info.sha256Fingerprint).toBe(createHash('sha256').update(leaf.cert.raw).digest('hex'));
    expect(info.sha256Fingerprint).toBe(leaf.cert.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('reports ECC keys and ECDSA signatures', () => {
    const leaf = issueCertificate({ ca: ecCA, dnsNames: ['a.example.com'], keyType: 'ec' });
    const info = inspectCertificate(leaf.cert);
    expect(info.keyAlgorithm).toBe('ECC');
    expect(info.signatureAlgorithm).toBe('ECDSA-SHA256');
    expect(info.issuer).toBe('Example EC CA');
    expect(inspectCertificate(ecCA.cert).isCA).toBe(true);
  });

  it('drops leading zeros from the decimal serial', () => {
    const leaf = issueCertificate({ ca: ecCA, dnsNames: ['a.example.com'], serialNumber: '00000001' });
    expect(inspectCertificate(leaf.cert).serialNumber).toBe('1');
    const high = issueCertificate({ ca: ecCA, dnsNames: ['a.example.com'], serialNumber: 'FF' });
    // DER needs a 00 pad byte for a high-bit serial; it is not part of the number.
    expect(inspectCertificate(high.cert)).toMatchObject({ serialNumber: '255', serialHex: 'FF' });
  });

  it('decodes names with commas, quotes and non-ASCII characters literally', () => {
    const leaf = issueCertificate({
      ca: ecCA,
      dnsNames: [],
      commonName: 'Zürich, "main" site',
    });
    const info = inspectCertificate(leaf.cert);
    expect(info.commonName).toBe('Zürich, "main" site');
    expect(info.dnsNames).toEqual([]);
  });
});
