// High availability with real processes, as two replicas of the Deployment run: `node src/main.ts
// --leader-elect=true` twice against the real API server and the gateway emulator. Only the leader
// reconciles; kill -9 of the leader mid-upload hands over within the lease duration without a second
// upload; SIGTERM releases the Lease so the standby takes over at once; shutdown drains in-flight work.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallEntry, type Emulator, startEmulator } from '../emulator/server.ts';
import { adminKubeConfig, createNamespace, kubeconfigPath, kubectl, waitFor } from '../support/kube.ts';
import { REPO } from '../support/manifests.ts';
import {
  createGdc,
  domainSpec,
  type FixtureBase,
  fixtureBase,
  installCrds,
  putCredentials,
  putTlsSecret,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { type NodeProcess, spawnNode } from './process.ts';

// Long enough that "waited for the lease" and "took over at once" stay seconds apart on a busy machine.
const LEASE_MS = 6000;
const RETRY_MS = 500;
const LEASE_NAME = 'apig-cert-sync-leader';

let ns: string;
let emulator: Emulator;
let f: FixtureBase;
const procs: NodeProcess[] = [];
let onCall: (c: CallEntry) => void = () => {};

function replica(name: string): NodeProcess {
  const p = spawnNode(
    name,
    [
      'src/main.ts',
      '--leader-elect=true',
      `--lease-duration=${LEASE_MS / 1000}`,
      '--renew-deadline=3',
      `--retry-period=${RETRY_MS / 1000}`,
      `--namespaces=${ns}`,
      `--leader-election-namespace=${ns}`,
      '--allow-insecure-http=true',
      '--allowed-endpoint-networks=127.0.0.0/8',
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--backoff-base=0.2',
      '--backoff-max=2',
    ],
    { cwd: REPO, env: { PATH: process.env.PATH, KUBECONFIG: kubeconfigPath(), POD_NAME: name } },
  );
  procs.push(p);
  return p;
}

const started = (p: NodeProcess) => p.waitForLog('apig-cert-sync started', 30_000);
const leads = (p: NodeProcess, timeoutMs = 20_000) => p.waitForLog('became leader', timeoutMs);
const reconciled = (p: NodeProcess) => p.logs.filter((l) => typeof l.resource === 'string');

async function reconcileCount(p: NodeProcess): Promise<number> {
  const { metrics } = await started(p);
  const text = await (await fetch(`${metrics}/metrics`)).text();
  return [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

async function lease() {
  return (
    await adminKubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: LEASE_NAME, namespace: ns })
  ).spec;
}
const leaseHolder = async () => (await lease())?.holderIdentity ?? undefined;
const leaseRenewTime = async () => new Date((await lease())?.renewTime ?? 0).getTime();

const domainId = (name: string) =>
  emulator.seed.gateways[0]?.groups.flatMap((g) => g.domains).find((d) => d.name === name)?.id ?? '';
const uploadsTo = (domain: string) =>
  emulator
    .calls()
    .calls.filter((c) => c.operation === 'UploadDomainCertificate' && c.path.includes(domainId(domain)));

beforeAll(async () => {
  await installCrds();
  ns = await createNamespace('failover');
  emulator = await startEmulator({ onCall: (c) => onCall(c) });
  f = fixtureBase(ns, emulator);
  await putCredentials(f);
  const ca = createCA({ commonName: 'failover CA', keyType: 'ec' });
  const dnsNames = ['shop.example.com', 'api.example.com', 'pay.example.com'];
  await putTlsSecret(f, 'site-tls', issueCertificate({ ca, dnsNames, keyType: 'ec' }), ca);
});

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await emulator?.close();
});

describe('two operator processes with leader election', () => {
  let leader: NodeProcess;
  let standby: NodeProcess;

  it('only the leader reconciles; the standby keeps warm caches and stays ready', async () => {
    const [a, b] = [replica('op-a'), replica('op-b')];
    await Promise.all([started(a), started(b)]);
    leader = await Promise.any([leads(a).then(() => a), leads(b).then(() => b)]);
    standby = leader === a ? b : a;
    expect(await leaseHolder()).toBe(leader.name);

    await createGdc(f, 'shop', domainSpec(f, 'shop.example.com'));
    await waitForReason(f, 'shop', 'Synced');
    expect(await reconcileCount(leader)).toBeGreaterThan(0);
    expect(await reconcileCount(standby)).toBe(0);
    expect(reconciled(standby)).toEqual([]);
    expect(standby.logs.some((l) => l.msg === 'became leader')).toBe(false);
    const { probes } = await started(standby);
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
  });

  it('kill -9 of the leader mid-work: the standby takes over within the lease duration, with no second upload', async () => {
    let killedAt = 0;
    onCall = (c) => {
      // The upload has landed at the gateway; the leader dies before it can write status.
      if (c.operation === 'UploadDomainCertificate' && killedAt === 0) {
        leader.kill('SIGKILL');
        killedAt = performance.now();
        emulator.setFaults({ latencyMs: 0 });
      }
    };
    emulator.setFaults({ latencyMs: 1500 });
    await createGdc(f, 'api', domainSpec(f, 'api.example.com'));
    const dead = await leader.exited;
    expect(dead.signal).toBe('SIGKILL');
    onCall = () => {};
    const replacement = replica('op-c'); // as the Deployment would
    const lastRenew = await leaseRenewTime();
    const took = await leads(standby, LEASE_MS * 3);
    const takeoverMs = took.at - killedAt;
    console.log(`[failover] kill -9 → standby leads in ${Math.round(takeoverMs)} ms (lease ${LEASE_MS} ms)`);
    // It waited for the dead leader's lease to expire: the standby cannot have seen the last renewal
    // before it was written, so it leads a full lease after it at the earliest (clock of one machine).
    expect(Date.parse(took.time) - lastRenew).toBeGreaterThanOrEqual(LEASE_MS - 20);
    // And not much longer: a few retry periods, with seconds of slack for a busy API server.
    expect(takeoverMs).toBeLessThan(2 * LEASE_MS);

    const synced = await waitForReason(f, 'api', 'Synced', () => true, 15_000);
    console.log(`[failover] kill -9 → Synced in ${Math.round(performance.now() - killedAt)} ms`);
    expect(synced.status?.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(/^adopted:/);
    expect(uploadsTo('api.example.com')).toHaveLength(1);
    expect(
      emulator.state.certificates.filter((c) => c.name === synced.status?.certificate?.name),
    ).toHaveLength(1);
    leader = standby;
    standby = replacement;
  });

  it('SIGTERM: the leader releases the Lease and the standby takes over at once', async () => {
    await started(standby);
    const sent = performance.now();
    leader.kill('SIGTERM');
    const took = await leads(standby, LEASE_MS * 3);
    const exit = await leader.exited;
    const takeoverMs = took.at - sent;
    console.log(`[failover] SIGTERM → standby leads in ${Math.round(takeoverMs)} ms (lease ${LEASE_MS} ms)`);
    expect(exit.code).toBe(0);
    const released = leader.logs.find((l) => l.msg === 'released leader lease');
    expect(released).toBeDefined();
    // At its next poll after the release (how long the process took to drain is load, not behaviour);
    // waiting for the lease to run out instead would take most of LEASE_MS.
    expect(took.at - released!.at).toBeLessThan(LEASE_MS / 2);
    expect(await leaseHolder()).toBe(standby.name);
    leader = standby;
    standby = replica('op-d');
  });

  it('SIGTERM during a reconcile: in-flight work ends within 30 s, before the Lease changes hands', async () => {
    await started(standby);
    let sent = 0;
    onCall = (c) => {
      if (sent === 0 && c.path.includes('/instances/')) {
        leader.kill('SIGTERM');
        sent = performance.now();
      }
    };
    emulator.setFaults({ latencyMs: 1500 });
    await createGdc(f, 'pay', domainSpec(f, 'pay.example.com'));
    const exit = await leader.exited;
    onCall = () => {};
    emulator.setFaults({ latencyMs: 0 });
    const shutdownMs = exit.at - sent;
    console.log(`[failover] SIGTERM with work in flight → exit in ${Math.round(shutdownMs)} ms`);
    expect(exit.code).toBe(0);
    expect(shutdownMs).toBeLessThan(30_000);
    // Either the draining leader finished the reconcile (its Synced Event says so) or it said it gave up.
    const abandoned = leader.logs.some((l) => /abandoned/.test(String(l.msg)));
    const finishedBy = async () => {
      const { stdout } = await kubectl(['get', 'events.events.k8s.io', '-n', ns, '-o', 'json']);
      const items = JSON.parse(stdout).items as Array<{
        regarding: { name: string };
        reason: string;
        reportingInstance: string;
      }>;
      return items.find((e) => e.regarding.name === 'pay' && e.reason === 'Synced')?.reportingInstance;
    };
    const released = leader.logs.find((l) => l.msg === 'released leader lease');
    const took = await leads(standby, LEASE_MS * 3);
    expect(released).toBeDefined();
    expect(took.at).toBeGreaterThanOrEqual(released!.at);

    const synced = await waitForReason(f, 'pay', 'Synced', () => true, 15_000);
    const by = await waitFor('Synced event', finishedBy);
    console.log(
      `[failover] in-flight reconcile ${by === leader.name ? 'finished by the draining leader' : 'abandoned and redone by the new one'}`,
    );
    expect(by === leader.name || (abandoned && by === standby.name)).toBe(true);
    expect(uploadsTo('pay.example.com')).toHaveLength(1);
    expect(
      emulator.state.certificates.filter((c) => c.name === synced.status?.certificate?.name),
    ).toHaveLength(1);
    await waitFor('standby reconciled', async () => (await reconcileCount(standby)) > 0);
  });
});
