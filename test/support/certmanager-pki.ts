// The issuers cert-manager tests and the demo use: SelfSigned, a root CA issued by it, and an
// intermediate CA issued by the root (CA issuers over cert-manager's own Certificates, as users chain
// them).
import { createCertificate, createIssuer, waitIssued } from './certmanager-objects.ts';
import type { FixtureBase } from './operator.ts';

export const ROOT_CN = 'apig-cert-sync test root';
export const INTERMEDIATE_CN = 'apig-cert-sync test intermediate';

/** Issuers selfsigned and root-ca, and intermediate-ca unless `intermediate` is false. */
export async function createIssuers(f: FixtureBase, { intermediate = true } = {}): Promise<void> {
  await createIssuer(f, 'selfsigned', { selfSigned: {} });
  await createCertificate(f, 'root-ca', {
    isCA: true,
    commonName: ROOT_CN,
    secretName: 'root-ca-tls',
    privateKey: { algorithm: 'ECDSA', size: 256 },
    issuerRef: { name: 'selfsigned', kind: 'Issuer' },
  });
  await waitIssued(f, 'root-ca');
  await createIssuer(f, 'root-ca', { ca: { secretName: 'root-ca-tls' } });
  if (!intermediate) return;
  await createCertificate(f, 'intermediate-ca', {
    isCA: true,
    commonName: INTERMEDIATE_CN,
    secretName: 'intermediate-ca-tls',
    privateKey: { algorithm: 'ECDSA', size: 256 },
    issuerRef: { name: 'root-ca', kind: 'Issuer' },
  });
  await waitIssued(f, 'intermediate-ca');
  await createIssuer(f, 'intermediate-ca', { ca: { secretName: 'intermediate-ca-tls' } });
}
