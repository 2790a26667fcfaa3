// Turns a parsed certificate into the facts the operator compares with what the gateway reports.
import { createHash, type X509Certificate } from 'node:crypto';
import { children, decodeOid, decodeString, readTlv, type Tlv } from './der.ts';

export type KeyAlgorithm = 'RSA' | 'ECC' | 'OTHER';

export interface CertificateInfo {
  /** Decimal, no leading zeros: the form the gateway's `serial_number` uses. */
  serialNumber: string;
  /** Uppercase hex without leading zeros. */
  serialHex: string;
  /** SHA-256 of the DER, lowercase hex without colons. */
  sha256Fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  commonName: string | undefined;
  organization: string[];
  /** Issuer CN, or the full issuer DN when it has no CN. */
  issuer: string;
  issuerOrganization: string[];
  /** Subject DN, e.g. `CN=a.example.com, O=Example`. */
  subject: string;
  /** Go/gateway naming, e.g. `SHA256-RSA`, `ECDSA-SHA256`; the dotted OID when unknown. */
  signatureAlgorithm: string;
  keyAlgorithm: KeyAlgorithm;
  isCA: boolean;
}

// Names as Go's crypto/x509 prints them, which is what the gateway reports (`SHA256-RSA`).
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.2.156.10197.1.501': 'SM2-SM3',
};

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

type Attribute = { type: string; value: string };

function readName(der: Uint8Array, name: Tlv): Attribute[] {
  const out: Attribute[] = [];
  for (const rdn of children(der, name)) {
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (!type || !value) continue;
      const id = decodeOid(der, type);
      out.push({ type: ATTRIBUTE_NAMES[id] ?? id, value: decodeString(der, value) });
    }
  }
  return out;
}

const formatDn = (attrs: Attribute[]) =>
  attrs
    .slice()
    .reverse() // RFC 4514 lists the most specific RDN first
    .map((a) => `${a.type}=${a.value}`)
    .join(', ');

const values = (attrs: Attribute[], type: string) => attrs.filter((a) => a.type === type).map((a) => a.value);

interface Parsed {
  subject: Attribute[];
  issuer: Attribute[];
  dnsNames: string[];
}

function parseTbs(der: Uint8Array): Parsed {
  const cert = readTlv(der, 0);
  const tbs = children(der, cert)[0];
  if (!tbs) throw new Error('certificate has no TBSCertificate');
  const fields = children(der, tbs);
  const v = fields[0]?.tag === 0xa0 ? 1 : 0; // optional explicit version
  const issuer = fields[v + 2];
  const subject = fields[v + 4];
  if (!issuer || !subject) throw new Error('certificate TBS is truncated');
  const dnsNames: string[] = [];
  const extsWrapper = fields.find((f) => f.tag === 0xa3);
  const exts = extsWrapper ? children(der, extsWrapper)[0] : undefined;
  for (const ext of exts ? children(der, exts) : []) {
    const parts = children(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (!id || !value || decodeOid(der, id) !== '2.5.29.17') continue;
    const san = readTlv(der, value.start, value.end);
    for (const gn of children(der, san)) {
      if (gn.tag === 0x82) dnsNames.push(Buffer.from(der.subarray(gn.start, gn.end)).toString('latin1'));
    }
  }
  return { subject: readName(der, subject), issuer: readName(der, issuer), dnsNames };
}

export function keyAlgorithmOf(type: string | undefined): KeyAlgorithm {
  if (type === 'rsa' || type === 'rsa-pss') return 'RSA';
  if (type === 'ec') return 'ECC';
  return 'OTHER';
}

export function inspectCertificate(x509: X509Certificate): CertificateInfo {
  const der = x509.raw;
  const { subject, issuer, dnsNames } = parseTbs(der);
  const serial = BigInt(`0x${x509.serialNumber}`);
  const oid = x509.signatureAlgorithmOid;
  const subjectCNs = values(subject, 'CN');
  const issuerCNs = values(issuer, 'CN');
  return {
    serialNumber: serial.toString(10),
    serialHex: serial.toString(16).toUpperCase(),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
    dnsNames,
    commonName: subjectCNs[subjectCNs.length - 1],
    organization: values(subject, 'O'),
    issuer: issuerCNs[issuerCNs.length - 1] ?? formatDn(issuer),
    issuerOrganization: values(issuer, 'O'),
    subject: formatDn(subject),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[oid] ?? oid,
    keyAlgorithm: keyAlgorithmOf(x509.publicKey.asymmetricKeyType),
    isCA: x509.ca,
  };
}
