// The chaos run: N resources (every fifth in Shared mode) renewed R times by two operator processes
// with leader election, while the gateway fails ~30 % of calls (5xx, throttling, dropped connections,
// and writes performed whose answer is then lost) and replicas are killed with SIGKILL at random
// points (the leader among them). Then faults stop, things settle, and the gateway is checked:
// every renewal bound, no duplicate upload, no leftover. Used by `npm run chaos` and chaos.test.ts.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { GatewayDomainCertificate, GatewayDomainCertificateSpec } from '../../src/api/v1alpha1.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { certificateNameOf } from '../../src/reconciler/naming.ts';
import { generateSeed } from '../bench/seed.ts';
import { type NodeProcess, spawnNode } from '../deploy/process.ts';
import { type CallEntry, startEmulator } from '../emulator/server.ts';
import { createCA, issueCertificate, tlsSecretData } from '../support/pki.ts';

export interface ChaosOptions {
  kubeconfigPath: string;
  resources: number;
  renewals: number;
  kills: number;
  /** Share of gateway calls that fail (half of it before the call, on writes after it). */
  faultRate: number;
  /** PRNG seed of the emulator's faults. */
  seed?: number;
  /** Longest wait for one phase (all resources bound) before counting the rest as lost. */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  resources: number;
  renewals: number;
  kills: number;
  leaderKills: number;
  renewalsLost: number;
  duplicateUploads: number;
  orphans: number;
  /** Certificates per resource other than exactly one. */
  wrongCounts: number;
  callsPerRenewal: number;
  writesPerRenewal: number;
  faultedCalls: number;
  totalCalls: number;
  /** Failed gateway calls attributed to one resource, the most any resource saw. */
  maxRetriesPerResource: number;
  durationMs: number;
}

const LEASE_S = 4;
const REPO = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Item {
  name: string;
  domain: string;
  domainId: string;
  instanceId: string;
  shared: boolean;
  serial: string;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ns = `chaos-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });

  const { seed, domains } = generateSeed(opts.resources);
  const calls: CallEntry[] = [];
  const emulator = await startEmulator({ seed, onCall: (c) => calls.push(c) });
  const procs: NodeProcess[] = [];
  let stopKills = false;
  try {
    const c = seed.credentials;
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'huawei-credentials' },
        type: 'Opaque',
        stringData: { accessKey: c.accessKey, secretKey: c.secretKey },
      },
    });
    const ca = createCA({ commonName: 'chaos CA', keyType: 'ec' });
    const domainIds = new Map(
      seed.gateways.flatMap((g) => g.groups.flatMap((gr) => gr.domains.map((d) => [d.name, d.id] as const))),
    );
    const items: Item[] = domains.slice(0, opts.resources).map((d, i) => ({
      name: `r${i}`,
      domain: d.name,
      domainId: domainIds.get(d.name) ?? '',
      instanceId: d.instanceId,
      shared: i % 5 === 4,
      serial: '',
    }));
    const putSecret = async (it: Item, create: boolean) => {
      const leaf = issueCertificate({ ca, dnsNames: [it.domain], keyType: 'ec' });
      it.serial = leaf.serialNumber;
      const body = {
        metadata: { name: `${it.name}-tls`, namespace: ns },
        type: 'kubernetes.io/tls',
        stringData: tlsSecretData(leaf, ca) as unknown as Record<string, string>,
      };
      if (create) await core.createNamespacedSecret({ namespace: ns, body });
      else await core.replaceNamespacedSecret({ name: `${it.name}-tls`, namespace: ns, body });
    };
    const gatewayRef = {
      service: 'apig' as const,
      endpoint: emulator.url,
      iamEndpoint: emulator.url,
      projectId: seed.projectId,
    };
    for (const it of items) {
      await putSecret(it, true);
      const spec: GatewayDomainCertificateSpec = {
        secretName: `${it.name}-tls`,
        credentialsSecretRef: { name: 'huawei-credentials' },
        gateway: it.shared ? gatewayRef : { ...gatewayRef, instanceId: it.instanceId, domain: it.domain },
        ...(it.shared
          ? { mode: 'Shared' as const, domains: [{ name: it.domain, instanceIds: [it.instanceId] }] }
          : {}),
      };
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: PLURAL,
        body: {
          apiVersion: API_VERSION,
          kind: 'GatewayDomainCertificate',
          metadata: { name: it.name },
          spec,
        },
      });
    }

    // ---- faults and replicas ----
    const share = opts.faultRate;
    emulator.setFaults({
      seed: opts.seed ?? 8,
      errorRate: share * 0.3,
      tooManyRate: share * 0.1,
      dropRate: share * 0.1,
      lostReplyRate: Math.min(1, share),
      lostReplyDelayMs: 500,
    });
    let serial = 0;
    const replica = () => {
      const name = `chaos-op-${serial++}`;
      const p = spawnNode(
        name,
        [
          'src/main.ts',
          '--leader-elect=true',
          `--lease-duration=${LEASE_S}`,
          '--renew-deadline=3',
          '--retry-period=0.5',
          `--namespaces=${ns}`,
          `--leader-election-namespace=${ns}`,
          '--allow-insecure-http=true',
          '--allowed-endpoint-networks=127.0.0.0/8',
          '--metrics-bind-address=127.0.0.1:0',
          '--health-probe-bind-address=127.0.0.1:0',
          '--backoff-base=0.2',
          '--backoff-max=2',
          '--sweep-interval=2',
          '--sweep-grace=2',
          '--log-level=warn',
        ],
        { cwd: REPO, env: { PATH: process.env.PATH, KUBECONFIG: opts.kubeconfigPath, POD_NAME: name } },
      );
      procs.push(p);
      return p;
    };
    replica();
    replica();
    const leaseHolder = async () => {
      try {
        const lease = await kc
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: 'apig-cert-sync-leader', namespace: ns });
        return lease.spec?.holderIdentity ?? undefined;
      } catch {
        return undefined;
      }
    };
    let kills = 0;
    let leaderKills = 0;
    // Kills are spread over the phases (first sync, each renewal), a share each.
    let phaseKills = 0;
    const perPhase = Math.ceil(opts.kills / (opts.renewals + 1));
    const leaderTarget = Math.max(1, Math.round(opts.kills / 2));
    const killer = (async () => {
      while (!stopKills && kills < opts.kills) {
        await sleep(1500 + Math.random() * 2500);
        if (stopKills) break;
        if (phaseKills >= perPhase) continue;
        const alive = procs.filter((p) => p.alive());
        const holder = await leaseHolder();
        const leader = alive.find((p) => p.name === holder);
        const wantLeader =
          leaderKills < leaderTarget &&
          (Math.random() < 0.5 || opts.kills - kills <= leaderTarget - leaderKills);
        const victim = wantLeader && leader ? leader : alive[Math.floor(Math.random() * alive.length)];
        if (!victim) continue;
        victim.kill('SIGKILL');
        kills++;
        phaseKills++;
        if (victim === leader) leaderKills++;
        log(`  kill -9 ${victim.name}${victim === leader ? ' (leader)' : ''}`);
        replica(); // as the Deployment would
      }
    })();

    const list = async () =>
      (
        (await custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL,
        })) as {
          items: GatewayDomainCertificate[];
        }
      ).items;
    const served = (it: Item) =>
      emulator.state.domains.find((d) => d.url_domain === it.domain && d.instance_id === it.instanceId)
        ?.certificate?.serial_number;
    /** Waits until each resource is Synced with its Secret's serial and its domain serves it; returns how many never did. */
    const bound = async (phase: string): Promise<number> => {
      const deadline = performance.now() + (opts.phaseTimeoutMs ?? 180_000);
      // Each phase takes its share of kills before it counts as done.
      const share = Math.min(perPhase, opts.kills - (kills - phaseKills));
      while (!stopKills && phaseKills < share && performance.now() < deadline) await sleep(200);
      let missing = items.length;
      while (performance.now() < deadline) {
        const byName = new Map((await list()).map((g) => [g.metadata.name, g]));
        missing = items.filter((it) => {
          const g = byName.get(it.name);
          const ready = g?.status?.conditions?.find((x) => x.type === 'Ready');
          return !(
            ready?.reason === 'Synced' &&
            g?.status?.certificate?.serialNumber === it.serial &&
            served(it) === it.serial
          );
        }).length;
        if (missing === 0) break;
        await sleep(500);
      }
      log(
        `  ${phase}: ${items.length - missing}/${items.length} bound in ${Math.round(performance.now() - t0)} ms`,
      );
      return missing;
    };

    let lost = await bound('first sync');
    const renewalStart = calls.length;
    for (let r = 1; r <= opts.renewals; r++) {
      phaseKills = 0;
      for (const it of items) await putSecret(it, false);
      lost += await bound(`renewal ${r}`);
    }
    const renewalCalls = calls.slice(renewalStart);
    stopKills = true;
    await killer;

    // ---- settle: no faults, a leader, sweeps run ----
    emulator.resetFaults();
    const ourNames = new Map(
      items.map((it) => [
        certificateNameOf({
          metadata: { name: it.name, namespace: ns },
          spec: {} as GatewayDomainCertificateSpec,
        }),
        it,
      ]),
    );
    const leftovers = async () => {
      const recorded = new Map((await list()).map((g) => [g.metadata.name, g.status?.certificate?.id]));
      const ours = emulator.state.certificates.filter((x) => ourNames.has(x.name));
      const orphans = ours.filter((x) => recorded.get(ourNames.get(x.name)?.name ?? '') !== x.id).length;
      const perResource = new Map<string, number>();
      for (const x of ours) perResource.set(x.name, (perResource.get(x.name) ?? 0) + 1);
      const wrong = items.filter(
        (it) =>
          perResource.get(
            certificateNameOf({
              metadata: { name: it.name, namespace: ns },
              spec: {} as GatewayDomainCertificateSpec,
            }),
          ) !== 1,
      ).length;
      return { orphans, wrong };
    };
    let left = await leftovers();
    const settleBy = performance.now() + 30_000;
    while ((left.orphans > 0 || left.wrong > 0) && performance.now() < settleBy) {
      await sleep(1000);
      left = await leftovers();
    }
    lost += await bound('after settle');

    // ---- figures ----
    const performedCreates = calls.filter(
      (x) =>
        (x.operation === 'UploadDomainCertificate' || x.operation === 'CreateCertificate') &&
        ((x.status !== null && x.status < 300) || x.fault?.startsWith('lost-')),
    ).length;
    const byDomain = new Map(items.map((it) => [it.domainId, it.name]));
    const certOwner = new Map(emulator.state.certificates.map((x) => [x.id, ourNames.get(x.name)?.name]));
    const failedBy = new Map<string, number>();
    for (const x of calls) {
      const failed = x.status === null || x.status >= 400 || x.fault !== null;
      if (!failed) continue;
      const seg = x.path.split('/');
      const owner =
        seg.map((s) => byDomain.get(s)).find(Boolean) ??
        seg.map((s) => certOwner.get(s)).find(Boolean) ??
        ourNames.get(new URLSearchParams(x.query).get('name') ?? '')?.name;
      if (owner) failedBy.set(owner, (failedBy.get(owner) ?? 0) + 1);
    }
    const n = items.length * opts.renewals;
    return {
      resources: items.length,
      renewals: opts.renewals,
      kills,
      leaderKills,
      renewalsLost: lost,
      duplicateUploads: Math.max(0, performedCreates - items.length),
      orphans: left.orphans,
      wrongCounts: left.wrong,
      callsPerRenewal: n ? renewalCalls.length / n : 0,
      writesPerRenewal: n ? renewalCalls.filter((x) => x.write).length / n : 0,
      faultedCalls: calls.filter((x) => x.fault !== null).length,
      totalCalls: calls.length,
      maxRetriesPerResource: Math.max(0, ...failedBy.values()),
      durationMs: performance.now() - t0,
    };
  } finally {
    stopKills = true;
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await emulator.close();
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}

export function formatReport(r: ChaosReport): string {
  const f = (x: number) => x.toFixed(2);
  return [
    `chaos: ${r.resources} resources × ${r.renewals} renewals, ${r.kills} kills (${r.leaderKills} of the leader), ${r.faultedCalls}/${r.totalCalls} gateway calls faulted, ${Math.round(r.durationMs / 1000)} s`,
    `  renewals lost            ${r.renewalsLost}`,
    `  duplicate uploads        ${r.duplicateUploads}`,
    `  orphans after settle     ${r.orphans}`,
    `  resources without exactly one certificate  ${r.wrongCounts}`,
    `  calls per renewal        ${f(r.callsPerRenewal)}  (floor without faults: 2 in Domain mode)`,
    `  writes per renewal       ${f(r.writesPerRenewal)}  (floor: 1)`,
    `  max retries per resource ${r.maxRetriesPerResource}  (failed gateway calls attributed to one resource)`,
  ].join('\n');
}

/** The properties every run must have; empty when all hold. */
export function violations(r: ChaosReport): string[] {
  const out: string[] = [];
  if (r.renewalsLost !== 0) out.push(`${r.renewalsLost} renewals lost`);
  if (r.duplicateUploads !== 0) out.push(`${r.duplicateUploads} duplicate uploads`);
  if (r.orphans !== 0) out.push(`${r.orphans} orphans after settle`);
  if (r.wrongCounts !== 0) out.push(`${r.wrongCounts} resources without exactly one certificate`);
  return out;
}
