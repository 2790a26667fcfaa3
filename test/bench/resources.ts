// The Kubernetes objects the benchmark creates: one namespace, the credentials Secret, a TLS Secret
// and a GatewayDomainCertificate per domain, and unrelated Opaque Secrets the operator must not hold.
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type GatewayDomainCertificate, GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import type { Seed } from '../emulator/seed.ts';
import { issueCertificate, type TestCA, tlsSecretData } from '../support/pki.ts';
import { mapLimit } from './pool.ts';
import type { BenchDomain } from './seed.ts';

const IN_FLIGHT = 16;
export const CREDENTIALS = 'huawei-credentials';

export const resourceName = (i: number) => `gdc-${i}`;
const tlsName = (i: number) => `tls-${i}`;

export interface Kube {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  ns: string;
}

export async function createNamespaceAndCredentials(k: Kube, seed: Seed): Promise<void> {
  await k.core.createNamespace({ body: { metadata: { name: k.ns } } });
  const c = seed.credentials;
  await k.core.createNamespacedSecret({
    namespace: k.ns,
    body: {
      metadata: { name: CREDENTIALS },
      type: 'Opaque',
      stringData: { accessKey: c.accessKey, secretKey: c.secretKey },
    },
  });
}

function tlsSecret(i: number, domain: string, ca: TestCA) {
  const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
  const body = {
    metadata: { name: tlsName(i) },
    type: 'kubernetes.io/tls',
    stringData: { ...tlsSecretData(leaf, ca) },
  };
  return { body, serial: leaf.serialNumber };
}

/** Creates the TLS Secrets; returns each one's leaf serial (decimal). */
export function createTlsSecrets(k: Kube, domains: BenchDomain[], ca: TestCA): Promise<string[]> {
  return mapLimit(domains.length, IN_FLIGHT, async (i) => {
    const s = tlsSecret(i, domains[i]!.name, ca);
    await k.core.createNamespacedSecret({ namespace: k.ns, body: s.body });
    return s.serial;
  });
}

/** Replaces TLS Secret i with a fresh certificate, as cert-manager does on renewal; returns the new serial. */
export async function renewTlsSecret(k: Kube, i: number, domain: string, ca: TestCA): Promise<string> {
  const s = tlsSecret(i, domain, ca);
  await k.core.replaceNamespacedSecret({ name: tlsName(i), namespace: k.ns, body: s.body });
  return s.serial;
}

export async function createResources(
  k: Kube,
  domains: BenchDomain[],
  seed: Seed,
  endpoint: string,
): Promise<void> {
  await mapLimit(domains.length, IN_FLIGHT, (i) =>
    k.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: k.ns,
      plural: PLURAL,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'GatewayDomainCertificate',
        metadata: { name: resourceName(i) },
        spec: {
          secretName: tlsName(i),
          mode: 'Domain',
          gateway: {
            service: 'apig',
            endpoint,
            iamEndpoint: endpoint,
            projectId: seed.projectId,
            instanceId: domains[i]!.instanceId,
            domain: domains[i]!.name,
          },
          credentialsSecretRef: { name: CREDENTIALS },
        },
      },
    }),
  );
}

/** Opaque Secrets of about 8 KiB each that no resource names. */
export async function createOpaqueSecrets(k: Kube, m: number): Promise<void> {
  await mapLimit(m, IN_FLIGHT, (i) =>
    k.core.createNamespacedSecret({
      namespace: k.ns,
      body: {
        metadata: { name: `unrelated-${i}` },
        type: 'Opaque',
        data: { blob: randomBytes(8192).toString('base64') },
      },
    }),
  );
}

export async function listResources(k: Kube): Promise<GatewayDomainCertificate[]> {
  const list = (await k.custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: k.ns,
    plural: PLURAL,
  })) as { items: GatewayDomainCertificate[] };
  return list.items;
}

export async function getResource(k: Kube, i: number): Promise<GatewayDomainCertificate> {
  return (await k.custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: k.ns,
    plural: PLURAL,
    name: resourceName(i),
  })) as GatewayDomainCertificate;
}

export const isReady = (g: GatewayDomainCertificate) =>
  g.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
