// cert-manager objects in tests: Issuers, Certificates, renewals the way `cmctl renew` triggers them,
// and deletion with the CertificateRequests a garbage collector would have removed.
import { X509Certificate } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import { waitFor } from './kube.ts';
import type { FixtureBase } from './operator.ts';

const CM = { group: 'cert-manager.io', version: 'v1' } as const;

export interface CmCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface CmCertificate {
  apiVersion: string;
  kind: 'Certificate';
  metadata: { name: string; namespace: string; generation?: number; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: cert-manager's spec is large; tests set the fields they need
  spec: Record<string, any>;
  status?: { conditions?: CmCondition[]; revision?: number; notAfter?: string };
}

const condition = (c: CmCertificate, type: string) => c.status?.conditions?.find((x) => x.type === type);

export async function createIssuer(
  f: FixtureBase,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await f.custom.createNamespacedCustomObject({
    ...CM,
    namespace: f.ns,
    plural: 'issuers',
    body: { apiVersion: `${CM.group}/${CM.version}`, kind: 'Issuer', metadata: { name }, spec },
  });
}

export async function createCertificate(
  f: FixtureBase,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): Promise<void> {
  await f.custom.createNamespacedCustomObject({
    ...CM,
    namespace: f.ns,
    plural: 'certificates',
    body: {
      apiVersion: `${CM.group}/${CM.version}`,
      kind: 'Certificate',
      metadata: { name, annotations },
      spec,
    },
  });
}

export async function getCertificate(f: FixtureBase, name: string): Promise<CmCertificate> {
  return (await f.custom.getNamespacedCustomObject({
    ...CM,
    namespace: f.ns,
    plural: 'certificates',
    name,
  })) as CmCertificate;
}

export async function patchCertificateSpec(
  f: FixtureBase,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await f.custom.patchNamespacedCustomObject(
    { ...CM, namespace: f.ns, plural: 'certificates', name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
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

/** Decimal serial of the leaf (first certificate of tls.crt): the form the gateway and our status use. */
export function leafSerial(secret: V1Secret): string {
  const leaf = chainOf(secretText(secret, 'tls.crt'))[0];
  if (!leaf) throw new Error(`Secret ${secret.metadata?.name} has no certificate in tls.crt`);
  return BigInt(`0x${leaf.serialNumber}`).toString(10);
}

export interface Issued {
  certificate: CmCertificate;
  secret: V1Secret;
  serial: string;
}

/**
 * Waits until the Certificate is Ready at `revision` or later with no issuance in progress, and
 * returns it with its Secret and the Secret's leaf serial.
 */
export async function waitIssued(
  f: FixtureBase,
  name: string,
  revision = 1,
  timeoutMs = 90_000,
): Promise<Issued> {
  return waitFor(
    `Certificate ${f.ns}/${name} Ready at revision ≥ ${revision}`,
    async () => {
      const certificate = await getCertificate(f, name);
      const ready = condition(certificate, 'Ready')?.status === 'True';
      const issuing = condition(certificate, 'Issuing')?.status === 'True';
      if (!ready || issuing || (certificate.status?.revision ?? 0) < revision) return undefined;
      const secret = await f.core.readNamespacedSecret({
        name: certificate.spec.secretName,
        namespace: f.ns,
      });
      return { certificate, secret, serial: leafSerial(secret) };
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * What `cmctl renew` does: sets the Issuing condition True with reason ManuallyTriggered on the status
 * subresource. Returns the revision the renewal will produce.
 */
export async function renewCertificate(f: FixtureBase, name: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const c = await getCertificate(f, name);
    const conditions = (c.status?.conditions ?? []).filter((x) => x.type !== 'Issuing');
    conditions.push({
      type: 'Issuing',
      status: 'True',
      reason: 'ManuallyTriggered',
      message: 'Certificate re-issuance manually triggered',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      observedGeneration: c.metadata.generation,
    });
    try {
      await f.custom.replaceNamespacedCustomObjectStatus({
        ...CM,
        namespace: f.ns,
        plural: 'certificates',
        name,
        body: { ...c, status: { ...c.status, conditions } },
      });
      return (c.status?.revision ?? 0) + 1;
    } catch (err) {
      // 409: cert-manager wrote the status in between; read it again, as cmctl would be re-run.
      if ((err as { code?: number }).code !== 409 || attempt >= 5) throw err;
    }
  }
}

/** Deletes a Certificate and its CertificateRequests (the test control plane has no garbage collector). */
export async function deleteCertificate(f: FixtureBase, name: string): Promise<void> {
  await f.custom.deleteNamespacedCustomObject({ ...CM, namespace: f.ns, plural: 'certificates', name });
  const list = (await f.custom.listNamespacedCustomObject({
    ...CM,
    namespace: f.ns,
    plural: 'certificaterequests',
  })) as {
    items: Array<{ metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string }> } }>;
  };
  for (const cr of list.items) {
    if (!cr.metadata.ownerReferences?.some((o) => o.kind === 'Certificate' && o.name === name)) continue;
    await f.custom.deleteNamespacedCustomObject({
      ...CM,
      namespace: f.ns,
      plural: 'certificaterequests',
      name: cr.metadata.name,
    });
  }
}
