// What the gateway derives from an uploaded certificate, and the checks it makes before accepting it.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { errors } from './errors.ts';

export interface CertInfo {
  common_name: string;
  san: string[];
  version: number;
  organization: string[];
  organizational_unit: string[];
  locality: string[];
  state: string[];
  country: string[];
  not_before: string;
  not_after: string;
  /** Decimal, as in page 000. */
  serial_number: string;
  /** Issuer common name(s), as in page 000. */
  issuer: string[];
  signature_algorithm: string;
  algorithm_type: 'RSA' | 'ECC';
}

// Names as Go's crypto/x509 prints them: page 000's "SHA256-RSA" is exactly Go's string, and the
// same table names ECDSA signatures "ECDSA-SHA256".
const SIG_ALGS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.113549.1.1.10': 'SHA256-RSAPSS',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.3.101.112': 'Ed25519',
};

/** 2038-01-19T03:14:07Z: the gateway refuses certificates valid past it (APIG.3148). */
export const MAX_NOT_AFTER = Date.UTC(2038, 0, 19, 3, 14, 7);

/** `2030-08-04T07:41:19Z`: ISO without milliseconds, as on page 000. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block in order; throws APIG.2106 when there is none or one does not parse. */
export function parseChain(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw errors.badCert(`${field} holds no PEM certificate`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw errors.badCert(`${field} does not parse`);
    }
  });
}

export function parseKey(pem: string): KeyObject {
  try {
    // Encrypted keys fail here too: the gateway wants the key in clear.
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw errors.badCert('private_key does not parse');
  }
}

/** Node prints names as `KEY=value` lines; values may be JSON-quoted when they hold special characters. */
function nameParts(text: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of (text ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    let value = line.slice(i + 1);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        /* keep as printed */
      }
    }
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

export function dnsNames(cert: X509Certificate): string[] {
  const out: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^DNS:(.*)$/.exec(part.trim());
    if (m?.[1]) out.push(m[1].replace(/^"|"$/g, ''));
  }
  return out;
}

// X.509 version lives in TBSCertificate's optional [0] field; absent means v1.
function x509Version(der: Buffer): number {
  // Certificate SEQUENCE -> TBSCertificate SEQUENCE -> first element.
  let i = 1;
  const skipLen = () => {
    const b = der[i++]!;
    if (b & 0x80) i += b & 0x7f;
  };
  skipLen();
  i++; // TBSCertificate tag
  skipLen();
  if (der[i] !== 0xa0) return 1;
  // [0] { INTEGER v }: tag, len, 0x02, 0x01, v
  return (der[i + 4] ?? 0) + 1;
}

export function describe(cert: X509Certificate): CertInfo {
  const subject = nameParts(cert.subject);
  const issuer = nameParts(cert.issuer);
  const kind = cert.publicKey.asymmetricKeyType;
  return {
    common_name: subject.get('CN')?.[0] ?? '',
    san: dnsNames(cert),
    version: x509Version(cert.raw),
    organization: subject.get('O') ?? [],
    organizational_unit: subject.get('OU') ?? [],
    locality: subject.get('L') ?? [],
    state: subject.get('ST') ?? [],
    country: subject.get('C') ?? [],
    not_before: isoSeconds(cert.validFromDate),
    not_after: isoSeconds(cert.validToDate),
    serial_number: BigInt(`0x${cert.serialNumber}`).toString(10),
    issuer: issuer.get('CN') ?? [],
    signature_algorithm: SIG_ALGS[cert.signatureAlgorithmOid] ?? cert.signatureAlgorithm ?? 'UNKNOWN',
    algorithm_type: kind === 'ec' ? 'ECC' : 'RSA',
  };
}

/** RFC 6125 style: `*` stands for exactly one left-most label. */
export function covers(san: string[], domain: string): boolean {
  const d = domain.toLowerCase();
  return san.some((raw) => {
    const s = raw.toLowerCase();
    if (!s.startsWith('*.')) return s === d;
    const dot = d.indexOf('.');
    return dot > 0 && d.slice(dot) === s.slice(1);
  });
}

export interface ValidatedCert {
  info: CertInfo;
  leaf: X509Certificate;
}

/** The checks the gateway makes on upload, in the order it reports them. */
export function validateCertificate(certPem: string, keyPem: string, now = Date.now()): ValidatedCert {
  const chain = parseChain(certPem, 'cert_content');
  const key = parseKey(keyPem);
  const leaf = chain[0]!;
  // Order first: an intermediate-first chain is reported as out of order, not as "no SAN".
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) throw errors.chainOrder();
  }
  const info = describe(leaf);
  if (info.san.length === 0) throw errors.noSan();
  if (!leaf.checkPrivateKey(key)) throw errors.keyMismatch();
  if (leaf.validToDate.getTime() < now) throw errors.expired();
  if (leaf.validToDate.getTime() > MAX_NOT_AFTER) throw errors.tooLate();
  return { info, leaf };
}
