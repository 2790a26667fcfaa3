// cert-manager's placeholder certificate: with `cert-manager.io/issue-temporary-certificate: "true"` on
// a Certificate, cert-manager writes a certificate signed by a throw-away CA named `cert-manager.local`
// into the Secret until the issuer delivers (subject serialNumber 1234567890; older releases used
// the certificate serial 0x1234567890). Nobody trusts it, so it must never reach a gateway. Judged
// on the content alone: a Secret not made by cert-manager is treated the same way.
import type { X509Certificate } from 'node:crypto';
import { parseCertificateChain } from './pem.ts';

const TEMPORARY_ISSUER_CN = 'cert-manager.local';

/** True when the first certificate of `certPem` is cert-manager's temporary one. */
export function isTemporaryCertificate(certPem: string): boolean {
  let leaf: X509Certificate | undefined;
  try {
    leaf = parseCertificateChain(certPem)[0];
  } catch {
    return false; // unparsable input is reported by the bundle checks, precisely
  }
  if (!leaf) return false;
  return leaf.issuer.split('\n').some((rdn) => rdn.trim() === `CN=${TEMPORARY_ISSUER_CN}`);
}
