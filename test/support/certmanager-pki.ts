// The issuers cert-manager tests and the demo use: SelfSigned, a root CA issued by it, and an
// intermediate CA issued by the root (CA issuers over cert-manager's own Certificates, as users chain
// them).
import { createCertificate, createIssuer, waitIssued } from './certmanager-objects.ts';
import type { FixtureBase } from './operator.ts';

export const ROOT_CN = 'apig-cert-sync test root';
export const INTERMEDIATE_CN = 'apig-cert-sync test intermediate';

/** A CA Certificate issued by `issuer`, and a CA Issuer of the same name over its Secret. */
async function caIssuer(f: FixtureBase, name: string, commonName: string, issuer: string): Promise<void> {
  await createCertificate(f, name, {
    isCA: true,
    commonName,
    secretName: `${name}-tls`,
    privateKey: { algorithm: 'ECDSA', size: 256 },
    issuerRef: { name: issuer, kind: 'Issuer' },
  });
  // Generous: on a starved machine cert-manager's per-item backoff (5 s doubling) can follow a conflict.
  await waitIssued(f, name, 1, 180_000);
  await createIssuer(f, name, { ca: { secretName: `${name}-tls` } });
}

/** Issuers selfsigned and root-ca, and intermediate-ca unless `intermediate` is false. */
export async function createIssuers(f: FixtureBase, { intermediate = true } = {}): Promise<void> {
  await createIssuer(f, 'selfsigned', { selfSigned: {} });
  await caIssuer(f, 'root-ca', ROOT_CN, 'selfsigned');
  if (intermediate) await caIssuer(f, 'intermediate-ca', INTERMEDIATE_CN, 'root-ca');
}
