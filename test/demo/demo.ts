// `npm run demo`: the whole job on one machine. A real kube-apiserver, the gateway emulator, the
// operator, and the real cert-manager when its test build is cached (else a hand-made Secret); a
// certificate pushed, renewed, and each renewed serial read back from the gateway, timed.

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
import { cachedGoTool } from '../support/gotool.ts';
import { type CertificateSource, handMadeSecret, realCertManager } from './certificates.ts';

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

const cmBin = cachedGoTool('cert-manager');
const cp = await step('start etcd + kube-apiserver (v1.34)', () => startControlPlane());
const emulator = await startEmulator();
let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
let source: CertificateSource | undefined;
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
        allowedEndpointNetworks: ['127.0.0.0/8'], // the emulator listens on loopback
      },
      createLogger(process.env.DEMO_LOG_LEVEL ?? 'warn'),
      kc,
    ),
  );
  await step('create namespace and credentials', async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const c = emulator.seed.credentials;
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'huawei-credentials' },
        stringData: { accessKey: c.accessKey, secretKey: c.secretKey },
      },
    });
  });
  const base = { ns, core, custom, emulator };
  source = cmBin
    ? realCertManager(
        base,
        { bin: cmBin, kubeconfig: cp.kubeconfigPath, kubectl: (a) => kubectl(...a) },
        'shop-tls',
        domain,
      )
    : handMadeSecret(base, 'shop-tls', domain);
  console.log(`  certificates from ${source.label}`);
  const issuing = source;
  const firstSerial = await step(issuing.setupStep, () => issuing.setup());
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
      readyWith((g) => g.status?.certificate?.serialNumber === firstSerial),
    ),
  );
  console.log(
    `  serial ${first.status?.certificate?.serialNumber}; gateway serves ${served()?.serial_number}`,
  );
  console.log((await kubectl('get', 'gdc', '-n', ns)).stdout.replace(/^/gm, '  '));

  // Each renewal timed from its trigger (cmctl renew, or the Secret replaced) to the verified binding.
  emulator.resetCalls();
  const issuedBefore = await issuing.issued?.();
  const latencies: number[] = [];
  let renewedSerial = firstSerial;
  await step(`renew ${issuing.renewals}× and wait until each new serial is bound and verified`, async () => {
    for (let i = 0; i < issuing.renewals; i++) {
      const t = performance.now();
      const serial = await issuing.renew();
      await until(
        `renewal ${i + 1} bound`,
        readyWith(
          (g) => g.status?.certificate?.serialNumber === serial && served()?.serial_number === serial,
        ),
      );
      latencies.push(Math.round(performance.now() - t));
      renewedSerial = serial;
    }
  });
  const calls = emulator.calls();
  const issuedAfter = await issuing.issued?.();
  console.log((await kubectl('get', 'gdc', '-n', ns)).stdout.replace(/^/gm, '  '));

  const sorted = [...latencies].sort((x, y) => x - y);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)];
  console.log('\nSummary');
  for (const s of steps) console.log(`  ${String(s.ms).padStart(6)} ms  ${s.step}`);
  console.log(`  certificates     ${issuing.label}`);
  console.log(`  first serial     ${first.status?.certificate?.serialNumber}`);
  console.log(`  renewed serial   ${renewedSerial} (bound at the gateway: ${served()?.serial_number})`);
  console.log(
    `  renewal → bound  p50 ${p50} ms, max ${sorted.at(-1)} ms over ${latencies.length} renewal(s) [${latencies.join(', ')}], from the trigger to the verified binding`,
  );
  console.log(
    `  gateway calls per renewal: ${(calls.total / latencies.length).toFixed(1)} (${(calls.writes / latencies.length).toFixed(1)} writes) ${JSON.stringify(calls.counts)}`,
  );
  if (issuedBefore !== undefined && issuedAfter !== undefined)
    console.log(
      `  cert-manager issued ${issuedAfter - issuedBefore} certificate(s) during the ${latencies.length} renewal(s) (revision ${issuedBefore} → ${issuedAfter})`,
    );
  if (served()?.serial_number !== renewedSerial)
    throw new Error('the gateway does not serve the renewed serial');
  console.log('\nDemo OK');
} finally {
  await operator?.stop('demo done');
  await source?.stop();
  await emulator.close();
  await cp.stop();
}
