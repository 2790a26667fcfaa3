// End-to-end fixture: the real API server (global setup), the gateway emulator, and the operator
// running in-process against both, scoped to one fresh namespace so test files never interfere.
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api, CustomObjectsApi, EventsV1Api } from '@kubernetes/client-node';
import type { GatewayDomainCertificate, GatewayDomainCertificateSpec } from '../../src/api/v1alpha1.ts';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { loadConfig, type OperatorConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningOperator, startOperator } from '../../src/operator.ts';
import { defaultSeed, type Seed } from '../emulator/seed.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { adminKubeConfig, createNamespace, kubectl, waitFor } from './kube.ts';
import type { TestCA, TestCertificate } from './pki.ts';
import { tlsSecretData } from './pki.ts';

const CRDS = resolve(import.meta.dirname, '../../crds');

export async function installCrds(): Promise<void> {
  await kubectl(['apply', '-f', CRDS]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${PLURAL}.${GROUP}`]);
}

/** A namespace, an emulator and clients: what the helpers below need. */
export interface FixtureBase {
  ns: string;
  emulator: Emulator;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

/** For tests that run the operator their own way (other RBAC, separate processes). */
export function fixtureBase(ns: string, emulator: Emulator): FixtureBase {
  const admin = adminKubeConfig();
  return {
    ns,
    emulator,
    core: admin.makeApiClient(CoreV1Api),
    custom: admin.makeApiClient(CustomObjectsApi),
  };
}

export interface Fixture extends FixtureBase {
  operator: RunningOperator;
  logs: string[];
  startOperator(overrides?: Partial<OperatorConfig>): Promise<RunningOperator>;
  stop(): Promise<void>;
}

/**
 * The emulator's default seed plus spare domains t01…t15.example.org on every gateway, so each test
 * can own a domain (two resources naming one domain is a DomainConflict by design).
 */
export function fixtureSeed(): Seed {
  const seed = defaultSeed();
  for (const [gi, gw] of seed.gateways.entries()) {
    for (let g = 0; g < 3; g++) {
      const hex = (n: number) => n.toString(16).padStart(2, '0');
      gw.groups.push({
        id: `fe${hex(gi)}${hex(g)}`.padEnd(32, '0'),
        name: `spare_group_${g}`,
        domains: Array.from({ length: 5 }, (_, d) => ({
          id: `fd${hex(gi)}${hex(g)}${hex(d)}`.padEnd(32, '0'),
          name: `t${String(g * 5 + d + 1).padStart(2, '0')}.example.org`,
        })),
      });
    }
  }
  return seed;
}

/** Operator settings for tests: one namespace, ephemeral ports, the plain-HTTP emulator, fast backoff. */
export function testOperatorConfig(ns: string, overrides: Partial<OperatorConfig> = {}): OperatorConfig {
  return {
    ...loadConfig([], {}),
    namespaces: [ns],
    metricsAddress: '127.0.0.1:0',
    probeAddress: '127.0.0.1:0',
    allowInsecureHttp: true,
    allowedEndpointNetworks: ['127.0.0.0/8'], // the emulator listens on loopback
    backoffBaseMs: 200,
    backoffMaxMs: 2000,
    ...overrides,
  };
}

export async function startFixture(overrides: Partial<OperatorConfig> = {}): Promise<Fixture> {
  await installCrds();
  const ns = await createNamespace('e2e');
  const emulator = await startEmulator({ seed: fixtureSeed() });
  const kc = adminKubeConfig();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const start = async (more: Partial<OperatorConfig> = {}) => {
    const cfg = testOperatorConfig(ns, { logLevel: 'debug', identity: `test-${ns}`, ...overrides, ...more });
    return startOperator(cfg, createLogger(cfg.logLevel, sink), kc);
  };
  const fixture: Fixture = {
    ns,
    emulator,
    operator: await start(),
    logs,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    async startOperator(more) {
      fixture.operator = await start(more);
      return fixture.operator;
    },
    async stop() {
      await fixture.operator.stop('test done');
      await emulator.close();
    },
  };
  return fixture;
}

export async function putTlsSecret(
  f: FixtureBase,
  name: string,
  leaf: TestCertificate,
  ca: TestCA,
  extra: Record<string, string> = {},
  meta: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): Promise<void> {
  const stringData = { ...tlsSecretData(leaf, ca), ...extra };
  const body = { metadata: { name, namespace: f.ns, ...meta }, type: 'kubernetes.io/tls', stringData };
  try {
    await f.core.replaceNamespacedSecret({ name, namespace: f.ns, body });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await f.core.createNamespacedSecret({ namespace: f.ns, body });
  }
}

export async function putRawTlsSecret(
  f: FixtureBase,
  name: string,
  stringData: Record<string, string>,
): Promise<void> {
  await f.core.createNamespacedSecret({
    namespace: f.ns,
    body: { metadata: { name, namespace: f.ns }, type: 'kubernetes.io/tls', stringData },
  });
}

export async function putCredentials(
  f: FixtureBase,
  name = 'huawei-credentials',
  kind: 'aksk' | 'password' | 'temporary' = 'aksk',
  tamper?: Record<string, string>,
): Promise<void> {
  const c = f.emulator.seed.credentials;
  const stringData: Record<string, string> =
    kind === 'aksk'
      ? { accessKey: c.accessKey, secretKey: c.secretKey }
      : kind === 'temporary'
        ? {
            accessKey: c.temporary.accessKey,
            secretKey: c.temporary.secretKey,
            securityToken: c.temporary.securityToken,
          }
        : { username: c.iam.username, password: c.iam.password, domainName: c.iam.domainName };
  await f.core.createNamespacedSecret({
    namespace: f.ns,
    body: { metadata: { name, namespace: f.ns }, type: 'Opaque', stringData: { ...stringData, ...tamper } },
  });
}

export function gateway(f: FixtureBase, index = 0) {
  const gw = f.emulator.seed.gateways[index];
  if (!gw) throw new Error(`no gateway ${index} in the seed`);
  return gw;
}

/** A Domain-mode spec for the first gateway of the seed, against the emulator. */
export function domainSpec(
  f: FixtureBase,
  domain: string,
  more: Partial<GatewayDomainCertificateSpec> = {},
): GatewayDomainCertificateSpec {
  return {
    secretName: 'site-tls',
    gateway: {
      service: 'apig',
      endpoint: f.emulator.url,
      iamEndpoint: f.emulator.url,
      projectId: f.emulator.seed.projectId,
      instanceId: gateway(f).id,
      domain,
    },
    credentialsSecretRef: { name: 'huawei-credentials' },
    ...more,
  };
}

export async function createGdc(
  f: FixtureBase,
  name: string,
  spec: GatewayDomainCertificateSpec,
): Promise<GatewayDomainCertificate> {
  return f.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: f.ns,
    plural: PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'GatewayDomainCertificate', metadata: { name }, spec },
  });
}

export async function getGdc(f: FixtureBase, name: string): Promise<GatewayDomainCertificate | undefined> {
  try {
    return (await f.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: f.ns,
      plural: PLURAL,
      name,
    })) as GatewayDomainCertificate;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Waits until the Ready condition has `reason` (and, optionally, the status passes `check`). */
export async function waitForReason(
  f: FixtureBase,
  name: string,
  reason: string,
  check: (g: GatewayDomainCertificate) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<GatewayDomainCertificate> {
  return waitFor(
    `${f.ns}/${name} Ready reason ${reason}`,
    async () => {
      const g = await getGdc(f, name);
      const ready = g?.status?.conditions?.find((c) => c.type === 'Ready');
      return g && ready?.reason === reason && check(g) ? g : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Waits until `name` is Synced with `serial` bound (a renewal reached the gateway). */
export function waitForSerial(
  f: FixtureBase,
  name: string,
  serial: string,
  timeoutMs = 60_000,
): Promise<GatewayDomainCertificate> {
  return waitForReason(f, name, 'Synced', (g) => g.status?.certificate?.serialNumber === serial, timeoutMs);
}

export async function eventsFor(
  f: FixtureBase,
  name: string,
): Promise<Array<{ reason?: string; note?: string; type?: string }>> {
  const list = await adminKubeConfig()
    .makeApiClient(EventsV1Api)
    .listNamespacedEvent({ namespace: f.ns, fieldSelector: `regarding.name=${name}` });
  return list.items.map((e) => ({ reason: e.reason, note: e.note, type: e.type }));
}

type EventSummary = Awaited<ReturnType<typeof eventsFor>>[number];

/** Waits for an Event about `name` that passes `check`. Events are written in the background, so one
 * may land after the status that caused it: reading them once right after the status is a race. */
export function waitForEvent(
  f: FixtureBase,
  name: string,
  check: (e: EventSummary) => boolean,
  timeoutMs = 30_000,
): Promise<EventSummary> {
  return waitFor(`an Event about ${f.ns}/${name}`, async () => (await eventsFor(f, name)).find(check), {
    timeoutMs,
    intervalMs: 200,
  });
}

export function servedSerial(
  f: FixtureBase,
  domainName: string,
  instanceId = gateway(f).id,
): string | undefined {
  return f.emulator.state.domains.find((d) => d.url_domain === domainName && d.instance_id === instanceId)
    ?.certificate?.serial_number;
}
