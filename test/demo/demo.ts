// `npm run demo`: the whole job on one machine. A real kube-apiserver, the gateway emulator, the
// operator; a certificate pushed, renewed, and the renewed serial read back from the gateway.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type GatewayDomainCertificate, GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startOperator } from '../../src/operator.ts';
import { startControlPlane } from '../controlplane/controlplane.ts';
import { startEmulator } from '../emulator/server.ts';
import { createCA, issueCertificate, tlsSecretData } from '../support/pki.ts';

const run = promisify(execFile);
const steps: Array<{ step: string; ms: number }> = [];
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  process.stdout.write(`• ${name} … `);
  const out = await fn();
  const ms = Math.round(performance.now() - t);
  steps.push({ step: name, ms });
  console.log(`${ms} ms`);
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cp = await step('start etcd + kube-apiserver (v1.34)', () => startControlPlane());
const emulator = await startEmulator();
let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
try {
  const kubectl = (...args: string[]) =>
    run(cp.kubectlPath, args, { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath } });
  await step('apply the CRD with kubectl', async () => {
    await kubectl('apply', '-f', resolve(import.meta.dirname, '../../crds'));
    await kubectl('wait', '--for=condition=Established', `crd/${PLURAL}.${GROUP}`, '--timeout=60s');
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ns = 'demo';
  const gw = emulator.seed.gateways[0];
  if (!gw) throw new Error('emulator seed has no gateway');
  const domain = 'shop.example.com';

  operator = await step('start the operator (emulated gateway)', () =>
    startOperator(
      {
        ...loadConfig([], {}),
        namespaces: [ns],
        metricsAddress: '127.0.0.1:0',
        probeAddress: '127.0.0.1:0',
        allowInsecureHttp: true,
      },
      createLogger('warn'),
      kc,
    ),
  );
  const ca = createCA({ commonName: 'Demo Issuer CA', keyType: 'ec' });
  await step('create namespace, TLS Secret (as cert-manager writes it) and credentials', async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'rsa', keyFormat: 'pkcs1' });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'shop-tls' },
        type: 'kubernetes.io/tls',
        stringData: { ...tlsSecretData(leaf, ca) },
      },
    });
    const c = emulator.seed.credentials;
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'huawei-credentials' },
        stringData: { accessKey: c.accessKey, secretKey: c.secretKey },
      },
    });
  });
  const get = async () =>
    (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: PLURAL,
      name: 'shop',
    })) as GatewayDomainCertificate;
  const readyWith = (pred: (g: GatewayDomainCertificate) => boolean) => async () => {
    const g = await get();
    return g.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' && pred(g)
      ? g
      : undefined;
  };
  const served = () =>
    emulator.state.domains.find((d) => d.url_domain === domain && d.instance_id === gw.id)?.certificate;

  await step('create the GatewayDomainCertificate', () =>
    custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: PLURAL,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'GatewayDomainCertificate',
        metadata: { name: 'shop' },
        spec: {
          secretName: 'shop-tls',
          gateway: {
            service: 'apig',
            endpoint: emulator.url,
            projectId: emulator.seed.projectId,
            instanceId: gw.id,
            domain,
          },
          credentialsSecretRef: { name: 'huawei-credentials' },
        },
      },
    }),
  );
  const first = await step('wait until Ready (pushed, read back, status written)', () =>
    until(
      'Ready',
      readyWith(() => true),
    ),
  );
  console.log(
    `  serial ${first.status?.certificate?.serialNumber}; gateway serves ${served()?.serial_number}`,
  );
  console.log((await kubectl('get', 'gdc', '-n', ns)).stdout.replace(/^/gm, '  '));

  emulator.resetCalls();
  const renewed = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec', keyFormat: 'sec1' });
  const renewedAt = performance.now();
  await step('renew: cert-manager writes a new certificate to the Secret', () =>
    core.replaceNamespacedSecret({
      name: 'shop-tls',
      namespace: ns,
      body: {
        metadata: { name: 'shop-tls' },
        type: 'kubernetes.io/tls',
        stringData: { ...tlsSecretData(renewed, ca) },
      },
    }),
  );
  const second = await step('wait until the renewed serial is bound and verified', () =>
    until(
      'renewed',
      readyWith((g) => g.status?.certificate?.serialNumber === renewed.serialNumber),
    ),
  );
  const reaction = Math.round(performance.now() - renewedAt);
  const calls = emulator.calls();
  console.log((await kubectl('get', 'gdc', '-n', ns)).stdout.replace(/^/gm, '  '));

  console.log('\nSummary');
  for (const s of steps) console.log(`  ${String(s.ms).padStart(6)} ms  ${s.step}`);
  console.log(`  first serial     ${first.status?.certificate?.serialNumber}`);
  console.log(
    `  renewed serial   ${second.status?.certificate?.serialNumber} (bound at the gateway: ${served()?.serial_number})`,
  );
  console.log(`  renewal reaction ${reaction} ms from Secret update to verified binding`);
  console.log(`  gateway calls for the renewal: ${JSON.stringify(calls.counts)} (${calls.writes} writes)`);
  if (served()?.serial_number !== renewed.serialNumber)
    throw new Error('the gateway does not serve the renewed serial');
  console.log('\nDemo OK');
} finally {
  await operator?.stop('demo done');
  await emulator.close();
  await cp.stop();
}
