// Recognise "the same certificate and key as last time" without keeping either.
import { createHash } from 'node:crypto';

/** SHA-256 (lowercase hex) over the normalised chain and PKCS#8 key; NUL never occurs in PEM, so it separates. */
export function contentDigest(certChainPem: string, privateKeyPkcs8Pem: string): string {
  return createHash('sha256').update(certChainPem).update('\0').update(privateKeyPkcs8Pem).digest('hex');
}
