// The Kubernetes objects the benchmark creates: one namespace, the credentials Secret, a TLS Secret
// and a GatewayDomainCertificate per domain, and unrelated Opaque Secrets the operator must not hold.
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type GatewayDomainCertificate, GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { kubeRequest } from '../../src/kube/http.ts';
import { secretsPath } from '../../src/kube/resources.ts';
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
  /** For kubeRequest's kept-alive connection pool (client-node opens a connection per request). */
  kc: KubeConfig;
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

function tlsSecret(i: number, dnsNames: string[], ca: TestCA) {
  const leaf = issueCertificate({ ca, dnsNames, keyType: 'ec' });
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
    const s = tlsSecret(i, [domains[i]!.name], ca);
    await k.core.createNamespacedSecret({ namespace: k.ns, body: s.body });
    return s.serial;
  });
}

/**
 * A renewal of TLS Secret i, as cert-manager does it: the new certificate and key are made first, and
 * `write()` replaces the Secret over a connection already open — so a timer around `write()` measures
 * the renewal from the moment the Secret changes, not key generation or a TLS handshake.
 */
export async function prepareRenewal(
  k: Kube,
  i: number,
  dnsNames: string[],
  ca: TestCA,
): Promise<{ serial: string; write: () => Promise<void> }> {
  const s = tlsSecret(i, dnsNames, ca);
  const path = secretsPath(k.ns, tlsName(i));
  // Opens (or keeps alive) the pooled connection the write then uses; not a Secret read, so the API
  // server's Secret GET counter stays the operator's alone.
  await kubeRequest(k.kc, '/version');
  return {
    serial: s.serial,
    write: async () => {
      await kubeRequest(k.kc, path, {
        method: 'PUT',
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          ...s.body,
          metadata: { ...s.body.metadata, namespace: k.ns },
        },
      });
    },
  };
}

export async function createResources(
  k: Kube,
  domains: BenchDomain[],
  seed: Seed,
  endpoint: string,
): Promise<void> {
  await mapLimit(domains.length, IN_FLIGHT, (i) =>
    createGdc(k, resourceName(i), {
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
    }),
  );
}

function createGdc(k: Kube, name: string, spec: GatewayDomainCertificate['spec']) {
  return k.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: k.ns,
    plural: PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'GatewayDomainCertificate', metadata: { name }, spec },
  });
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

type ResourcePage = {
  items: GatewayDomainCertificate[];
  metadata?: { resourceVersion?: string; continue?: string };
};

/** One page of 500 resources (a whole list of 10,000 at once is a big answer to hold). */
export async function listResourcesPage(k: Kube, cont: string | undefined): Promise<ResourcePage> {
  return (await k.custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: k.ns,
    plural: PLURAL,
    limit: 500,
    ...(cont ? { _continue: cont } : {}),
  })) as ResourcePage;
}

/**
 * Shared-mode resources `shared-j` (j < count), each pushing one certificate to a pair of domains on
 * the two gateways; their TLS Secrets are tls-(offset + j). Returns each one's domain names.
 */
export async function createSharedResources(
  k: Kube,
  pairs: BenchDomain[][],
  offset: number,
  seed: Seed,
  endpoint: string,
  ca: TestCA,
): Promise<void> {
  await mapLimit(pairs.length, IN_FLIGHT, async (j) => {
    const pair = pairs[j]!;
    const s = tlsSecret(
      offset + j,
      pair.map((d) => d.name),
      ca,
    );
    await k.core.createNamespacedSecret({ namespace: k.ns, body: s.body });
    await createGdc(k, sharedName(j), {
      secretName: tlsName(offset + j),
      mode: 'Shared',
      gateway: { service: 'apig', endpoint, iamEndpoint: endpoint, projectId: seed.projectId },
      domains: pair.map((d) => ({ name: d.name, instanceIds: [d.instanceId] })),
      credentialsSecretRef: { name: CREDENTIALS },
    });
  });
}

export const sharedName = (j: number) => `shared-${j}`;

export const isReady = (g: GatewayDomainCertificate) =>
  g.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
