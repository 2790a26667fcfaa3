// Private key parsing and normalisation to PKCS#8 (the form the gateway's examples use).
// cert-manager writes PKCS#1 (RSA) or SEC1 (EC) by default. Messages never include key bytes.
import { createPrivateKey, createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { PemError, parsePemBlocks } from './pem.ts';

export type ParsedKey = { ok: true; key: KeyObject; pkcs8Pem: string } | { ok: false; message: string };

const KEY_FORMATS: Record<string, 'pkcs8' | 'pkcs1' | 'sec1'> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

export function parsePrivateKey(pem: string): ParsedKey {
  if (!pem.trim()) return { ok: false, message: 'the private key is empty' };
  let blocks: ReturnType<typeof parsePemBlocks>;
  try {
    blocks = parsePemBlocks(pem);
  } catch (err) {
    // PemError messages carry labels and positions only.
    const detail = err instanceof PemError ? `: ${err.message}` : '';
    return { ok: false, message: `the private key is not valid PEM${detail}` };
  }
  // `openssl ecparam -genkey` prepends an EC PARAMETERS block, and combined PEM files carry the
  // certificate too; neither adds anything the key lacks.
  const relevant = blocks.filter((b) => b.label !== 'EC PARAMETERS' && b.label !== 'CERTIFICATE');
  if (
    relevant.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || b.headers['Proc-Type']?.includes('ENCRYPTED'))
  ) {
    return {
      ok: false,
      message: 'the private key is encrypted; provide it unencrypted (cert-manager never encrypts tls.key)',
    };
  }
  if (relevant.length !== 1) {
    const found = relevant.length === 0 ? 'none' : relevant.map((b) => b.label).join(', ');
    return { ok: false, message: `expected exactly one PEM private key block, found ${found}` };
  }
  const block = relevant[0]!;
  const format = KEY_FORMATS[block.label];
  if (!format) {
    return {
      ok: false,
      message: `a ${block.label} block is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)`,
    };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: 'der', type: format });
  } catch {
    return {
      ok: false,
      message: `the ${block.label} block could not be parsed as a ${format.toUpperCase()} key`,
    };
  }
  const kind = key.asymmetricKeyType;
  if (kind !== 'rsa' && kind !== 'ec') {
    return { ok: false, message: `unsupported private key type ${kind}; the gateway takes RSA or ECC keys` };
  }
  return { ok: true, key, pkcs8Pem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** Human description of a key without any key material: `RSA 2048-bit`, `EC prime256v1`. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return `RSA ${d?.modulusLength ?? '?'}-bit`;
  }
  if (key.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? '?'}`;
  return String(key.asymmetricKeyType);
}

/** True when the private key is the one whose public half the certificate carries (SPKI DER compare). */
export function keyMatchesCertificate(key: KeyObject, cert: X509Certificate): boolean {
  const pub = createPublicKey(key);
  if (
    pub.export({ type: 'spki', format: 'der' }).equals(cert.publicKey.export({ type: 'spki', format: 'der' }))
  ) {
    return true;
  }
  // Same key, different encoding (e.g. a compressed EC point in the certificate): compare the numbers.
  if (pub.asymmetricKeyType !== cert.publicKey.asymmetricKeyType) return false;
  try {
    const a = pub.export({ format: 'jwk' });
    const b = cert.publicKey.export({ format: 'jwk' });
    return a.n === b.n && a.e === b.e && a.crv === b.crv && a.x === b.x && a.y === b.y;
  } catch {
    return false;
  }
}
