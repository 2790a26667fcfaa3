// Everything the operator checks before pushing a certificate and key to the gateway, so that
// predictable gateway rejections (APIG.2101/2102/2103/2104/2106/3148) become clear conditions instead.
import { inspect } from 'node:util';
import { orderChain } from './chain.ts';
import { certificateNames, uncoveredDomains } from './domains.ts';
import { type CertificateInfo, inspectCertificate } from './inspect.ts';
import { describeKey, keyMatchesCertificate, parsePrivateKey } from './key.ts';
import { PemError, parseCertificateChain, toPem } from './pem.ts';

export type BundleFailureReason =
  | 'InvalidCertificate'
  | 'InvalidKey'
  | 'KeyMismatch'
  | 'Expired'
  | 'NotYetValid'
  | 'ChainOrder'
  | 'DomainNotCovered'
  | 'ValidityTooLong';

export interface CertificateBundle {
  /** Leaf first, then each issuer; every block re-encoded with 64-column lines and one trailing newline. */
  certChainPem: string;
  privateKeyPkcs8Pem: string;
  leaf: CertificateInfo;
  /** The whole chain in order, leaf included (chain[0] is the leaf). */
  chain: CertificateInfo[];
  algorithm: 'RSA' | 'ECC';
  /** True when the input chain was out of order and has been put right. */
  reordered: boolean;
}

export type PrepareResult =
  | { ok: true; bundle: CertificateBundle }
  | { ok: false; reason: BundleFailureReason; message: string };

export interface PrepareInput {
  certPem: string;
  keyPem: string;
  /** Domains the certificate will be bound to; each must be covered by the leaf. */
  domains: string[];
  now?: Date;
  /** The issuing CA (cert-manager's ca.crt). Only checked to parse; never appended to the chain. */
  caPem?: string;
}

/** The gateway refuses certificates valid past the 32-bit time_t limit (APIG.3148). */
export const MAX_NOT_AFTER = new Date('2038-01-19T03:14:07Z');

const fail = (reason: BundleFailureReason, message: string): PrepareResult => ({
  ok: false,
  reason,
  message,
});
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

export function prepareBundle(input: PrepareInput): PrepareResult {
  try {
    return check(input);
  } catch {
    // Never throw at the reconciler, and never pass on an error text that might quote the input.
    return fail('InvalidCertificate', 'the certificate or key could not be checked (unexpected input)');
  }
}

function check(input: PrepareInput): PrepareResult {
  const now = input.now ?? new Date();

  let certs: ReturnType<typeof parseCertificateChain>;
  try {
    certs = parseCertificateChain(input.certPem);
  } catch (err) {
    const detail = err instanceof PemError ? err.message : 'the certificate could not be parsed';
    return fail('InvalidCertificate', `tls.crt: ${detail}`);
  }
  if (input.caPem?.trim()) {
    try {
      parseCertificateChain(input.caPem);
    } catch (err) {
      const detail = err instanceof PemError ? err.message : 'the CA certificate could not be parsed';
      return fail('InvalidCertificate', `ca.crt: ${detail}`);
    }
  }

  const parsedKey = parsePrivateKey(input.keyPem);
  if (!parsedKey.ok) return fail('InvalidKey', `tls.key: ${parsedKey.message}`);

  const chain = orderChain(certs);
  if (!chain.ok) return fail('ChainOrder', `tls.crt: ${chain.message}`);
  const leafCert = chain.ordered[0]!;

  let infos: CertificateInfo[];
  try {
    infos = chain.ordered.map(inspectCertificate);
  } catch {
    return fail(
      'InvalidCertificate',
      'tls.crt: a certificate could not be read (malformed subject or extensions)',
    );
  }
  const leaf = infos[0]!;
  const leafName = leaf.commonName ?? leaf.dnsNames[0] ?? leaf.subject;

  if (leaf.keyAlgorithm === 'OTHER') {
    return fail(
      'InvalidCertificate',
      `the certificate "${leafName}" has a ${leafCert.publicKey.asymmetricKeyType} key; the gateway takes RSA or ECC`,
    );
  }
  if (!keyMatchesCertificate(parsedKey.key, leafCert)) {
    return fail(
      'KeyMismatch',
      `tls.key (${describeKey(parsedKey.key)}) is not the private key of the certificate "${leafName}" ` +
        `(serial ${leaf.serialNumber}, ${describeKey(leafCert.publicKey)} public key)`,
    );
  }
  if (leaf.notAfter.getTime() <= now.getTime()) {
    return fail('Expired', `the certificate "${leafName}" expired at ${iso(leaf.notAfter)}`);
  }
  if (leaf.notBefore.getTime() > now.getTime()) {
    return fail('NotYetValid', `the certificate "${leafName}" is not valid before ${iso(leaf.notBefore)}`);
  }
  if (leaf.notAfter.getTime() > MAX_NOT_AFTER.getTime()) {
    return fail(
      'ValidityTooLong',
      `the certificate "${leafName}" is valid until ${iso(leaf.notAfter)}; the gateway refuses certificates ` +
        `valid after ${iso(MAX_NOT_AFTER)} (APIG.3148)`,
    );
  }
  const missing = uncoveredDomains(leaf, input.domains);
  if (missing.length > 0) {
    const names = certificateNames(leaf);
    const source = leaf.dnsNames.length > 0 ? 'its DNS names are' : 'it has no DNS names; its common name is';
    return fail(
      'DomainNotCovered',
      `the certificate "${leafName}" does not cover ${missing.length === 1 ? 'domain' : 'domains'} ` +
        `${missing.join(', ')}; ${names.length > 0 ? `${source} ${names.join(', ')}` : 'it names no domain at all'}`,
    );
  }

  const bundle: CertificateBundle = {
    certChainPem: chain.ordered.map((c) => toPem('CERTIFICATE', c.raw)).join(''),
    privateKeyPkcs8Pem: parsedKey.pkcs8Pem,
    leaf,
    chain: infos,
    algorithm: leaf.keyAlgorithm,
    reordered: chain.reordered,
  };
  return { ok: true, bundle: redactWhenPrinted(bundle) };
}

// A bundle that reaches a logger (JSON or util.inspect) shows the key as [REDACTED]; code that reads
// `bundle.privateKeyPkcs8Pem` still gets the key. Non-enumerable, so spreading drops the guard, not the key.
function redactWhenPrinted(bundle: CertificateBundle): CertificateBundle {
  const safe = () => ({ ...bundle, privateKeyPkcs8Pem: '[REDACTED]' });
  Object.defineProperty(bundle, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(bundle, inspect.custom, { value: () => safe(), enumerable: false });
  return bundle;
}
