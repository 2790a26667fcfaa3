// What the cert-manager test files share: one operator fixture and one cert-manager process per file,
// the issuers (SelfSigned, a root CA issued by it, an intermediate CA issued by the root: CA issuers over
// cert-manager's own Certificates, as users chain them), and an emulator per scenario, so each
// scenario's gateway call log is its own while scenarios run concurrently.
import { X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator } from '../emulator/server.ts';
import { type CertManager, installCertManagerCrds, startCertManager } from '../support/certmanager.ts';
import { createCertificate, createIssuer, waitIssued } from '../support/certmanager-objects.ts';
import {
  type Fixture,
  type FixtureBase,
  fixtureSeed,
  putCredentials,
  startFixture,
} from '../support/operator.ts';

export const ROOT_CN = 'apig-cert-sync test root';
export const INTERMEDIATE_CN = 'apig-cert-sync test intermediate';

export async function createIssuers(f: FixtureBase): Promise<void> {
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

export function secretText(secret: V1Secret, key: string): string {
  return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
}

/** The certificates of a PEM bundle, in order. */
export function chainOf(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );
}

export interface Suite {
  f: Fixture;
  cm: CertManager;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled before the first test. */
export function certManagerSuite(): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.f = await startFixture();
    await installCertManagerCrds();
    suite.cm = await startCertManager(suite.f.ns);
    await putCredentials(suite.f);
    await createIssuers(suite.f);
  }, 240_000);
  afterAll(async () => {
    await suite.cm?.stop();
    await suite.f?.stop();
  });
  return suite;
}

/** Runs `fn` with the suite's namespace and operator but a gateway emulator of its own. */
export async function withEmulator<T>(f: Fixture, fn: (v: FixtureBase) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ seed: fixtureSeed() });
  try {
    return await fn({ ns: f.ns, core: f.core, custom: f.custom, emulator });
  } finally {
    await emulator.close();
  }
}
