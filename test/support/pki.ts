// In-process test PKI: builds X.509 v3 certificates with a tiny DER writer and signs them with
// node:crypto, so tests get RSA and ECDSA (which node-forge cannot sign) without the openssl CLI.
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';

export type KeyType = 'rsa' | 'ec';
export type KeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

/** A certificate with its key. Any certificate issued with `isCA: true` (or from createCA) can issue. */
export interface TestCertificate {
  certPem: string;
  /** Private key PEM in the requested format (PKCS#8 unless asked otherwise). */
  keyPem: string;
  /** Serial as the gateway shows it: decimal, no leading zeros. */
  serialNumber: string;
  /** Serial as uppercase hex, as node's X509Certificate shows it. */
  serialHex: string;
  cert: X509Certificate;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyType: KeyType;
  commonName: string;
  isCA: boolean;
  /** DER of the subject Name, used as the issuer Name of the certificates this one signs. */
  subjectDer: Buffer;
  subjectKeyId: Buffer;
}

export type TestCA = TestCertificate;

export type Serial = bigint | string;

export interface CreateCAOptions {
  commonName?: string;
  keyType?: KeyType;
  keyFormat?: KeyFormat;
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: Serial;
  /** Reuse a specific key pair (e.g. to make two certificates share a key). */
  privateKey?: KeyObject;
}

export interface IssueOptions {
  ca: TestCertificate;
  dnsNames: string[];
  commonName?: string;
  /** Default 'ec' (fast); 'rsa' draws from a small per-process pool of 2048-bit keys. */
  keyType?: KeyType;
  keyFormat?: KeyFormat;
  notBefore?: Date;
  notAfter?: Date;
  /** bigint, or hex string (optionally with colons / 0x). Default: random 16 bytes. */
  serialNumber?: Serial;
  isCA?: boolean;
  organization?: string;
  /** Reuse a specific key pair instead of a fresh/pooled one. */
  privateKey?: KeyObject;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------- keys ----------

// RSA-2048 generation costs ~50–300 ms; a small round-robin pool keeps suites fast while consecutive
// certificates still get different keys (so key-mismatch tests stay meaningful).
const RSA_POOL_SIZE = 4;
const rsaPool: KeyObject[] = [];
let rsaNext = 0;

/** A private key: fresh P-256 for 'ec', the next pooled RSA-2048 key for 'rsa'. */
export function generateKey(keyType: KeyType): KeyObject {
  if (keyType === 'ec') {
    return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  }
  const i = rsaNext++ % RSA_POOL_SIZE;
  let key = rsaPool[i];
  if (!key) {
    key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    rsaPool[i] = key;
  }
  return key;
}

/** A brand new RSA key outside the pool (slow; use only when a key must be unique). */
export function generateFreshRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Export a private key in a given PEM format; with a passphrase, an encrypted PKCS#8 PEM. */
export function exportKey(privateKey: KeyObject, format: KeyFormat = 'pkcs8', passphrase?: string): string {
  const kind = privateKey.asymmetricKeyType;
  if (passphrase !== undefined) {
    return privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  }
  if (format === 'pkcs1' && kind !== 'rsa') throw new Error('PKCS#1 is only for RSA keys');
  if (format === 'sec1' && kind !== 'ec') throw new Error('SEC1 is only for EC keys');
  return privateKey.export({ type: format, format: 'pem' }) as string;
}

// ---------- tiny DER writer ----------

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const NULL = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function integer(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]); // keep it positive
  return tlv(0x02, b);
}

// X.509: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(digits.slice(2), 'ascii'));
  return tlv(0x18, Buffer.from(digits, 'ascii'));
}

function name(commonName: string, organization?: string): Buffer {
  const rdns = [];
  if (organization) rdns.push(set(seq(oid('2.5.4.10'), utf8(organization))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(commonName))));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

// KeyUsage bits: 0 digitalSignature, 2 keyEncipherment, 5 keyCertSign, 6 cRLSign.
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const b of bits) byte |= 0x80 >> b;
  let unused = 0;
  while (unused < 8 && !(byte & (1 << unused))) unused++;
  return bitString(Buffer.from([byte]), unused);
}

const SIG_ALG: Record<KeyType, Buffer> = {
  rsa: seq(oid('1.2.840.113549.1.1.11'), NULL), // sha256WithRSAEncryption
  ec: seq(oid('1.2.840.10045.4.3.2')), // ecdsa-with-SHA256 (no parameters)
};

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function parseSerial(s: Serial | undefined): bigint {
  if (typeof s === 'bigint') return s;
  if (typeof s === 'string') return BigInt(`0x${s.replace(/^0x/i, '').replace(/:/g, '')}`);
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, and always 16 bytes long
  return BigInt(`0x${b.toString('hex')}`);
}

function keyTypeOf(key: KeyObject): KeyType {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'ec') return t;
  throw new Error(`unsupported key type ${t}`);
}

// ---------- certificate building ----------

interface BuildInput {
  subjectCN: string;
  organization?: string;
  dnsNames: string[];
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
  serial: bigint;
  key: KeyObject;
  keyFormat: KeyFormat;
  issuer?: TestCertificate; // undefined: self-signed
}

function build(input: BuildInput): TestCertificate {
  const { key } = input;
  const keyType = keyTypeOf(key);
  const publicKey = createPublicKey(key);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subjectKeyId = createHash('sha1').update(spki).digest();
  const subjectDer = name(input.subjectCN, input.organization);

  const signerKey = input.issuer ? input.issuer.privateKey : key;
  const signerType = keyTypeOf(signerKey);
  const issuerDer = input.issuer ? input.issuer.subjectDer : subjectDer;
  const authorityKeyId = input.issuer ? input.issuer.subjectKeyId : subjectKeyId;

  const exts: Buffer[] = [
    extension('2.5.29.19', true, input.isCA ? seq(bool(true)) : seq()),
    extension('2.5.29.15', true, keyUsage(input.isCA ? [0, 5, 6] : keyType === 'rsa' ? [0, 2] : [0])),
  ];
  if (!input.isCA) exts.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))));
  if (input.dnsNames.length > 0) {
    // GeneralName dNSName is [2] IMPLICIT IA5String.
    const names = input.dnsNames.map((n) => tlv(0x82, Buffer.from(n, 'ascii')));
    exts.push(extension('2.5.29.17', false, seq(...names)));
  }
  exts.push(extension('2.5.29.14', false, octets(subjectKeyId)));
  exts.push(extension('2.5.29.35', false, seq(tlv(0x80, authorityKeyId))));

  const tbs = seq(
    tlv(0xa0, integer(2n)), // v3
    integer(input.serial),
    SIG_ALG[signerType],
    issuerDer,
    seq(time(input.notBefore), time(input.notAfter)),
    subjectDer,
    spki,
    tlv(0xa3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, signerKey);
  const der = seq(tbs, SIG_ALG[signerType], bitString(signature));
  const certPem = toPem('CERTIFICATE', der);

  return {
    certPem,
    keyPem: exportKey(key, input.keyFormat),
    serialNumber: input.serial.toString(10),
    serialHex: input.serial.toString(16).toUpperCase(),
    cert: new X509Certificate(der),
    privateKey: key,
    publicKey,
    keyType,
    commonName: input.subjectCN,
    isCA: input.isCA,
    subjectDer,
    subjectKeyId,
  };
}

/** A self-signed CA (default: EC P-256, valid from 1 h ago for 5 years). */
export function createCA(opts: CreateCAOptions = {}): TestCA {
  const now = Date.now();
  const key = opts.privateKey ?? generateKey(opts.keyType ?? 'ec');
  return build({
    subjectCN: opts.commonName ?? 'Test Root CA',
    dnsNames: [],
    isCA: true,
    notBefore: opts.notBefore ?? new Date(now - HOUR),
    notAfter: opts.notAfter ?? new Date(now + 5 * 365 * DAY),
    serial: parseSerial(opts.serialNumber),
    key,
    keyFormat: opts.keyFormat ?? 'pkcs8',
  });
}

/** A certificate signed by `ca` (default: leaf, EC P-256, valid from 1 h ago for 90 days). */
export function issueCertificate(opts: IssueOptions): TestCertificate {
  const now = Date.now();
  const isCA = opts.isCA ?? false;
  const key = opts.privateKey ?? generateKey(opts.keyType ?? 'ec');
  return build({
    subjectCN: opts.commonName ?? opts.dnsNames[0] ?? (isCA ? 'Test Intermediate CA' : 'test'),
    ...(opts.organization ? { organization: opts.organization } : {}),
    dnsNames: opts.dnsNames,
    isCA,
    notBefore: opts.notBefore ?? new Date(now - HOUR),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    serial: parseSerial(opts.serialNumber),
    key,
    keyFormat: opts.keyFormat ?? 'pkcs8',
    issuer: opts.ca,
  });
}

export interface TlsSecretData {
  'tls.crt': string;
  'tls.key': string;
  'ca.crt': string;
}

/** Secret data as cert-manager writes it: tls.crt = leaf then intermediates; ca.crt = the issuing CA. */
export function tlsSecretData(
  leaf: TestCertificate,
  ca: TestCertificate,
  opts: { intermediates?: TestCertificate[] } = {},
): TlsSecretData {
  const chain = [leaf, ...(opts.intermediates ?? [])].map((c) => c.certPem).join('');
  return { 'tls.crt': chain, 'tls.key': leaf.keyPem, 'ca.crt': ca.certPem };
}

/** Same data base64-encoded, as it appears in a Secret's `data` field. */
export function tlsSecretDataBase64(
  leaf: TestCertificate,
  ca: TestCertificate,
  opts: { intermediates?: TestCertificate[] } = {},
): TlsSecretData {
  const d = tlsSecretData(leaf, ca, opts);
  const b = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return { 'tls.crt': b(d['tls.crt']), 'tls.key': b(d['tls.key']), 'ca.crt': b(d['ca.crt']) };
}
