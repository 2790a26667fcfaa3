// Least privilege, proven on the real API server: the RBAC objects read from deploy/ are bound to a
// ServiceAccount, and the operator running as that ServiceAccount (leader election on) takes a
// GatewayDomainCertificate to Ready end to end. Then each rule is taken away in turn, and the
// operator says so — a condition, a log line naming the 403, or not becoming ready — never silently.
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningOperator, startOperator } from '../../src/operator.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import {
  adminKubeConfig,
  createNamespace,
  kubectl,
  serviceAccountKubeConfig,
  waitFor,
} from '../support/kube.ts';
import { DEPLOY, find, kustomize, type PolicyRule, REPO } from '../support/manifests.ts';
import {
  createGdc,
  domainSpec,
  eventsFor,
  type FixtureBase,
  fixtureBase,
  fixtureSeed,
  getGdc,
  installCrds,
  putCredentials,
  putTlsSecret,
  testOperatorConfig,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { spawnNode } from './process.ts';

const SA = 'apig-cert-sync';
let ns: string;
let emulator: Emulator;
let saKubeConfig: KubeConfig;
let f: FixtureBase;
let clusterRules: PolicyRule[];
let leaseRules: PolicyRule[];
let running: RunningOperator | undefined;
const clusterRoleName = () => `apig-cert-sync-${ns}`;

interface Line {
  msg?: string;
  level?: string;
  resource?: string;
  // biome-ignore lint/suspicious/noExplicitAny: log lines are free-form JSON
  [k: string]: any;
}

/** Applies the ClusterRole and the leader-election Role with these rules (apply replaces the lists). */
async function setRules(cluster: PolicyRule[], lease: PolicyRule[]): Promise<void> {
  const items = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterRoleName() },
      rules: cluster,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'apig-cert-sync-leader-election', namespace: ns },
      rules: lease,
    },
  ];
  await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
}

async function canI(verb: string, resource: string, name?: string, subresource?: string): Promise<boolean> {
  const args = [
    'auth',
    'can-i',
    verb,
    name ? `${resource}/${name}` : resource,
    '-n',
    ns,
    `--as=system:serviceaccount:${ns}:${SA}`,
    ...(subresource ? [`--subresource=${subresource}`] : []),
  ];
  return kubectl(args).then(
    () => true,
    () => false,
  );
}

/** Rules minus one verb (or a whole rule when no verb is left). */
function without(rules: PolicyRule[], resource: string, verb: string): PolicyRule[] {
  return rules
    .map((r) => (r.resources?.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
    .filter((r) => r.verbs.length > 0);
}

async function runOperator(): Promise<{ op: RunningOperator; logs: Line[] }> {
  const logs: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) logs.push(JSON.parse(l) as Line);
      cb();
    },
  });
  const cfg = testOperatorConfig(ns, {
    leaderElect: true,
    leaderElectionNamespace: ns,
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 300,
    shutdownTimeoutMs: 3000,
    identity: `rbac-${ns}`,
  });
  running = await startOperator(cfg, createLogger('debug', sink), saKubeConfig);
  return { op: running, logs };
}

async function stopOperator(): Promise<void> {
  await running?.stop('case done');
  running = undefined;
}

const forbidden = (l: Line) => /\b403\b/.test(JSON.stringify(l));
const waitForLine = (logs: Line[], what: string, pred: (l: Line) => boolean, timeoutMs = 15_000) =>
  waitFor(what, () => logs.find(pred), { timeoutMs, intervalMs: 50 });
const readyOf = async (name: string) =>
  (await getGdc(f, name))?.status?.conditions?.find((c) => c.type === 'Ready');

beforeAll(async () => {
  await installCrds();
  ns = await createNamespace('rbac');
  const base = await kustomize(DEPLOY);
  clusterRules = find(base, 'ClusterRole').rules;
  leaseRules = find(base, 'Role', 'apig-cert-sync-leader-election').rules;
  await setRules(clusterRules, leaseRules);
  const bind = (kind: string, name: string, roleKind: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: kind === 'RoleBinding' ? { name, namespace: ns } : { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: SA, namespace: ns }],
  });
  await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        bind('ClusterRoleBinding', clusterRoleName(), 'ClusterRole'),
        bind('RoleBinding', 'apig-cert-sync-leader-election', 'Role'),
      ],
    }),
  });
  saKubeConfig = await serviceAccountKubeConfig(ns, SA);
  emulator = await startEmulator({ seed: fixtureSeed() });
  f = fixtureBase(ns, emulator);
  await putCredentials(f);
  const ca = createCA({ commonName: 'rbac CA', keyType: 'ec' });
  // Each resource below owns its domain (two naming one domain would be a DomainConflict).
  const domains = ['shop.example.com', '*.example.org'];
  await putTlsSecret(f, 'site-tls', issueCertificate({ ca, dnsNames: domains, keyType: 'ec' }), ca);
  await waitFor('RBAC in force', () => canI('patch', 'gatewaydomaincertificates.apig-cert-sync.io'));
});

afterEach(stopOperator);

afterAll(async () => {
  await stopOperator();
  await emulator?.close();
  if (ns)
    await kubectl(['delete', 'clusterrole,clusterrolebinding', clusterRoleName(), '--ignore-not-found']);
});

describe('the RBAC in deploy/', () => {
  it('is enough: the operator as its ServiceAccount syncs, records Events, leads, and removes its finalizer', async () => {
    const { logs } = await runOperator();
    await waitForLine(logs, 'leadership', (l) => l.msg === 'became leader');
    await createGdc(f, 'shop', domainSpec(f, 'shop.example.com', { deletionPolicy: 'Detach' }));
    const synced = await waitForReason(f, 'shop', 'Synced');
    expect(synced.metadata.finalizers).toContain(`${GROUP}/finalizer`);
    await waitFor('Synced event', async () =>
      (await eventsFor(f, 'shop')).some((e) => e.reason === 'Synced'),
    );
    const lease = await adminKubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: loadConfig([], {}).leaderElectionId, namespace: ns });
    expect(lease.spec?.holderIdentity).toBe(`rbac-${ns}`);

    // A repeated Event is aggregated by patching the first one (events patch).
    await createGdc(f, 'lonely', { ...domainSpec(f, 't01.example.org'), secretName: 'no-such-secret' });
    await waitForReason(f, 'lonely', 'SecretNotFound');
    await waitFor('first event', async () => (await eventsFor(f, 'lonely')).length === 1);
    await kubectl(['annotate', 'gdc', 'lonely', '-n', ns, 'touch=1']);
    await waitFor('event series', async () => {
      const list = await kubectl(['get', 'events.events.k8s.io', '-n', ns, '-o', 'json']);
      const items = JSON.parse(list.stdout).items as Array<{
        regarding: { name: string };
        series?: { count: number };
      }>;
      return items.find((e) => e.regarding.name === 'lonely')?.series?.count === 2;
    });

    // Deletion with Detach: the operator unbinds, deletes its certificate and patches its finalizer away.
    const certName = synced.status?.certificate?.name;
    await f.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: PLURAL,
      name: 'shop',
    });
    await waitFor('shop gone', async () => (await getGdc(f, 'shop')) === undefined);
    expect(emulator.state.certificates.filter((c) => c.name === certName)).toEqual([]);
    expect(logs.filter(forbidden)).toEqual([]);
    await stopOperator();
  });
});

describe('without one rule the operator fails clearly', () => {
  it('gatewaydomaincertificates/status patch: an error log naming the 403, and no Ready condition', async () => {
    await setRules(without(clusterRules, 'gatewaydomaincertificates/status', 'patch'), leaseRules);
    await waitFor(
      'rule gone',
      async () => !(await canI('patch', 'gatewaydomaincertificates.apig-cert-sync.io', 'x', 'status')),
    );
    const { logs } = await runOperator();
    await createGdc(f, 'nostatus', domainSpec(f, 't02.example.org'));
    const line = await waitForLine(
      logs,
      '403 on status',
      (l) => l.level === 'error' && l.resource === `${ns}/nostatus` && forbidden(l),
    );
    expect(line.msg).toBe('reconcile failed unexpectedly; retrying with backoff');
    expect(JSON.stringify(line)).toMatch(/nostatus\/status: 403 Forbidden/);
    expect(await readyOf('nostatus')).toBeUndefined();
    await stopOperator();
  });

  it('secrets get: the Ready condition is False and its message names the 403', async () => {
    await setRules(without(clusterRules, 'secrets', 'get'), leaseRules);
    await waitFor('rule gone', async () => !(await canI('get', 'secrets', 'site-tls')));
    await runOperator();
    await createGdc(f, 'nosecret', domainSpec(f, 't03.example.org'));
    const ready = await waitFor('Ready False', async () => {
      const r = await readyOf('nosecret');
      return r?.status === 'False' ? r : undefined;
    });
    expect(ready.message).toMatch(/secrets\/site-tls: 403 Forbidden/);
    await stopOperator();
  });

  it('gatewaydomaincertificates patch: the finalizer cannot be set, an error log names the 403', async () => {
    await setRules(without(clusterRules, 'gatewaydomaincertificates', 'patch'), leaseRules);
    await waitFor(
      'rule gone',
      async () => !(await canI('patch', 'gatewaydomaincertificates.apig-cert-sync.io')),
    );
    const { logs } = await runOperator();
    await createGdc(f, 'nofinalizer', domainSpec(f, 't04.example.org', { deletionPolicy: 'Detach' }));
    const line = await waitForLine(
      logs,
      '403 on finalizer',
      (l) => l.resource === `${ns}/nofinalizer` && forbidden(l),
    );
    expect(line.level).toBe('error');
    expect((await getGdc(f, 'nofinalizer'))?.metadata.finalizers ?? []).toEqual([]);
    await stopOperator();
  });

  it('events create: the resource still syncs, and each lost Event is logged with the 403', async () => {
    await setRules(without(clusterRules, 'events', 'create'), leaseRules);
    await waitFor('rule gone', async () => !(await canI('create', 'events.events.k8s.io')));
    const { logs } = await runOperator();
    await createGdc(f, 'noevents', {
      ...domainSpec(f, 't05.example.org'),
      certificateName: 'noevents_cert',
    });
    await waitForReason(f, 'noevents', 'Synced');
    const line = await waitForLine(
      logs,
      'lost event',
      (l) => l.msg === 'could not record event' && l.resource === `${ns}/noevents` && forbidden(l),
    );
    expect(line).toMatchObject({ level: 'warn', reason: 'Synced' });
    await stopOperator();
  });

  it('events patch: a repeated Event is logged as lost with the 403', async () => {
    await setRules(without(clusterRules, 'events', 'patch'), leaseRules);
    await waitFor('rule gone', async () => !(await canI('patch', 'events.events.k8s.io')));
    const { logs } = await runOperator();
    await createGdc(f, 'repeat', { ...domainSpec(f, 't06.example.org'), secretName: 'missing-too' });
    await waitForReason(f, 'repeat', 'SecretNotFound');
    await waitFor('first event', async () => (await eventsFor(f, 'repeat')).length === 1);
    await kubectl(['annotate', 'gdc', 'repeat', '-n', ns, 'touch=1']);
    await waitForLine(logs, 'lost repeat', (l) => l.msg === 'could not record event' && forbidden(l));
    await stopOperator();
  });

  it('leases: never leads, reconciles nothing, and logs the 403 on the Lease', async () => {
    await setRules(clusterRules, []);
    await waitFor('rule gone', async () => !(await canI('create', 'leases.coordination.k8s.io')));
    const { logs } = await runOperator();
    await createGdc(f, 'nolease', domainSpec(f, 't07.example.org'));
    const line = await waitForLine(
      logs,
      'lease 403',
      (l) => l.msg === 'leader lease request failed' && l.code === 403,
    );
    expect(line.level).toBe('warn');
    await new Promise((r) => setTimeout(r, 1500));
    expect(logs.some((l) => l.msg === 'became leader')).toBe(false);
    expect(
      await readyOf('nolease'),
      JSON.stringify(logs.filter((l) => l.resource?.endsWith('nolease'))),
    ).toBeUndefined();
    await stopOperator();
  });

  it('certificates (cert-manager.io) is optional: ready, one line naming the 403, Secrets judged on content', async () => {
    await setRules(
      without(without(clusterRules, 'certificates', 'list'), 'certificates', 'watch'),
      leaseRules,
    );
    await waitFor('rule gone', async () => !(await canI('list', 'certificates.cert-manager.io')));
    const { logs, op } = await runOperator();
    const line = await waitForLine(logs, 'optional 403', (l) =>
      /optional resource not permitted/.test(l.msg ?? ''),
    );
    expect(line).toMatchObject({
      level: 'info',
      path: `/apis/cert-manager.io/v1/namespaces/${ns}/certificates`,
    });
    expect((await fetch(`${op.probeUrl}/readyz`)).status).toBe(200);
    await createGdc(f, 'nocm', domainSpec(f, 't08.example.org'));
    await waitForReason(f, 'nocm', 'Synced');
    expect((await fetch(`${op.probeUrl}/readyz`)).status).toBe(200);
    // Logged once, not per attempt; never a warning or an error.
    expect(logs.filter((l) => /optional resource/.test(l.msg ?? ''))).toHaveLength(1);
    expect(logs.filter((l) => l.level !== 'info' && l.level !== 'debug' && forbidden(l))).toEqual([]);
  });

  it('secrets watch: the list still fills the cache, and every failed watch is logged', async () => {
    await setRules(without(clusterRules, 'secrets', 'watch'), leaseRules);
    await waitFor('rule gone', async () => !(await canI('watch', 'secrets')));
    const { logs, op } = await runOperator();
    const line = await waitForLine(
      logs,
      'watch failure',
      (l) => l.msg === 'list/watch failed; retrying with backoff',
    );
    expect(line).toMatchObject({
      level: 'warn',
      path: `/api/v1/namespaces/${ns}/secrets`,
      err: expect.stringMatching(/Forbidden/),
    });
    // Listed once, but it cannot keep the cache current: not ready, and it stays so (no flapping).
    await waitFor('/readyz 503', async () => (await fetch(`${op.probeUrl}/readyz`)).status === 503, {
      timeoutMs: 30_000,
    });
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await fetch(`${op.probeUrl}/readyz`)).status).toBe(503);
    }
  });

  it('secrets list: caches never sync, /readyz stays 503, and the log names the 403', async () => {
    await setRules(without(clusterRules, 'secrets', 'list'), leaseRules);
    await waitFor('rule gone', async () => !(await canI('list', 'secrets')));
    // startOperator waits for the caches, so this case runs as a process (with a known probe port).
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const kubeconfig = join(tmpdir(), `apig-rbac-${ns}.kubeconfig`);
    writeFileSync(kubeconfig, saKubeConfig.exportConfig(), { mode: 0o600 });
    const p = spawnNode(
      'no-list',
      [
        'src/main.ts',
        `--namespaces=${ns}`,
        '--metrics-bind-address=127.0.0.1:0',
        `--health-probe-bind-address=127.0.0.1:${port}`,
      ],
      { cwd: REPO, env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig } },
    );
    try {
      const line = await p.waitForLog(
        (l) => l.msg === 'list/watch failed; retrying with backoff' && forbidden(l),
      );
      expect(line.path).toBe(`/api/v1/namespaces/${ns}/secrets`);
      expect(line.err).toMatch(/403 Forbidden/);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      expect(p.logs.some((l) => l.msg === 'apig-cert-sync started')).toBe(false);
    } finally {
      p.kill('SIGKILL');
      await p.exited;
      rmSync(kubeconfig, { force: true });
    }
  });
});
