// What GitOps tools that use kstatus (Flux without healthCheckExprs, kpt, Config Sync) conclude from
// live resources in every state the operator can leave them in, computed by the real library
// (test/gotools/kstatus), and `kubectl wait` on the Ready and Stalled conditions.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, GatewayDomainCertificate } from '../../src/api/v1alpha1.ts';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { kstatus } from '../support/kstatus.ts';
import { kubectl, waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  getGdc,
  putCredentials,
  putRawTlsSecret,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'kstatus CA', keyType: 'ec' });
const DAY = 86_400_000;
/** The verdicts observed, printed as a table at the end (the issue's "must show"). */
const observed: string[] = [];

beforeAll(async () => {
  f = await startFixture();
  await putCredentials(f);
  await putCredentials(f, 'wrong-credentials', 'aksk', {
    secretKey: 'not-the-secret-key-at-all-000000000000',
  });
});
afterAll(async () => {
  console.log(
    [
      '| state | Ready (reason) | Reconciling | Stalled | kstatus |',
      '|---|---|---|---|---|',
      ...observed,
    ].join('\n'),
  );
  await f?.stop();
});

const cond = (g: GatewayDomainCertificate | undefined, type: string): Condition | undefined =>
  g?.status?.conditions?.find((c) => c.type === type);

/** Asks kstatus about the live object (or the one given) and records the row. */
async function judge(state: string, name: string, expected: string, obj?: GatewayDomainCertificate) {
  const g = obj ?? (await getGdc(f, name));
  if (!g) throw new Error(`${name} is gone`);
  const [v] = await kstatus([g]);
  const show = (c?: Condition) => (c ? `${c.status} (${c.reason})` : '—');
  observed.push(
    `| ${state} | ${show(cond(g, 'Ready'))} | ${show(cond(g, 'Reconciling'))} | ${show(cond(g, 'Stalled'))} | ${v?.status} |`,
  );
  expect(v?.status, `${state}: kstatus said "${v?.message}"`).toBe(expected);
  return g;
}

async function patchSpec(name: string, spec: Record<string, unknown>) {
  await f.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace: f.ns, plural: PLURAL, name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

const waitForCondition = (
  name: string,
  type: string,
  check: (c: Condition, g: GatewayDomainCertificate) => boolean,
) =>
  waitFor(`${f.ns}/${name} ${type}`, async () => {
    const g = await getGdc(f, name);
    const c = cond(g, type);
    return g && c && check(c, g) ? g : undefined;
  });

const kwait = (name: string, condition: string, timeout = '60s') =>
  kubectl(['wait', '-n', f.ns, `--for=condition=${condition}`, `--timeout=${timeout}`, `gdc/${name}`]);

async function syncedResource(name: string, domain: string, more: Record<string, unknown> = {}) {
  await putTlsSecret(f, `${name}-tls`, issueCertificate({ ca, dnsNames: [domain] }), ca);
  await createGdc(f, name, { ...domainSpec(f, domain), secretName: `${name}-tls`, ...more });
  return waitForReason(f, name, 'Synced');
}

describe('kstatus verdicts on live resources', () => {
  it('new: a first status (Reconciling, observedGeneration) before the gateway answers → InProgress; synced → Current', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['t01.example.org'] });
    await putTlsSecret(f, 'fresh-tls', leaf, ca);
    f.emulator.setFaults({ latencyMs: 3000 }); // every cloud call is slow: the window stays open
    try {
      const created = await createGdc(f, 'fresh', {
        ...domainSpec(f, 't01.example.org'),
        secretName: 'fresh-tls',
      });
      // The window before the operator's first write: kstatus has nothing to go on and says Current.
      await judge('created, before the operator saw it (no status)', 'fresh', 'Current', created);
      const g = await waitForCondition('fresh', 'Reconciling', (c) => c.status === 'True');
      expect(servedSerial(f, 't01.example.org')).not.toBe(leaf.serialNumber); // the push is still on its way
      expect(g.status?.observedGeneration).toBe(g.metadata.generation);
      expect(cond(g, 'Reconciling')).toMatchObject({ reason: 'Progressing', observedGeneration: 1 });
      expect(cond(g, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Progressing' });
      await judge('new (first status, gateway work under way)', 'fresh', 'InProgress', g);
    } finally {
      f.emulator.resetFaults();
    }
    await kwait('fresh', 'Ready');
    const ok = await waitForReason(f, 'fresh', 'Synced');
    expect(cond(ok, 'Reconciling')).toBeUndefined();
    expect(cond(ok, 'Stalled')).toBeUndefined();
    expect(cond(ok, 'Ready')?.observedGeneration).toBe(ok.metadata.generation);
    await judge('Synced, observedGeneration current', 'fresh', 'Current', ok);

    // A changed spec gets its own first status: Reconciling for generation 2.
    f.emulator.setFaults({ latencyMs: 3000 });
    try {
      await patchSpec('fresh', { verifyInterval: '2h' });
      const g2 = await waitForCondition(
        'fresh',
        'Reconciling',
        (c, g) => c.status === 'True' && g.metadata.generation === 2,
      );
      expect(g2.status?.observedGeneration).toBe(2);
      await judge('spec changed (generation 2 being worked on)', 'fresh', 'InProgress', g2);
    } finally {
      f.emulator.resetFaults();
    }
    await waitForReason(f, 'fresh', 'Synced', (g) => g.status?.observedGeneration === 2);
    await judge('Synced again (generation 2)', 'fresh', 'Current');
  });

  it('each outcome that waits for a human → Stalled → Failed; kubectl wait --for=condition=Stalled returns', async () => {
    const expired = issueCertificate({
      ca,
      dnsNames: ['t05.example.org'],
      notBefore: new Date(Date.now() - 90 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const [a, b] = [
      issueCertificate({ ca, dnsNames: ['t04.example.org'] }),
      issueCertificate({ ca, dnsNames: ['t04.example.org'] }),
    ];
    await putRawTlsSecret(f, 'badpem-tls', {
      'tls.crt': '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n',
      'tls.key': issueCertificate({ ca, dnsNames: ['t03.example.org'] }).keyPem,
    });
    await putRawTlsSecret(f, 'mismatch-tls', { 'tls.crt': a.certPem, 'tls.key': b.keyPem });
    await putTlsSecret(f, 'expired-tls', expired, ca);
    await putTlsSecret(f, 'other-tls', issueCertificate({ ca, dnsNames: ['elsewhere.example.net'] }), ca);
    await putTlsSecret(
      f,
      'good-tls',
      issueCertificate({ ca, dnsNames: ['t07.example.org', 't08.example.org', 'nowhere.example.org'] }),
      ca,
    );
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['nosecret', 'SecretNotFound', { ...domainSpec(f, 't02.example.org'), secretName: 'absent-tls' }],
      ['badpem', 'InvalidCertificate', { ...domainSpec(f, 't03.example.org'), secretName: 'badpem-tls' }],
      ['mismatch', 'KeyMismatch', { ...domainSpec(f, 't04.example.org'), secretName: 'mismatch-tls' }],
      ['expired', 'Expired', { ...domainSpec(f, 't05.example.org'), secretName: 'expired-tls' }],
      ['notcovered', 'DomainNotCovered', { ...domainSpec(f, 't06.example.org'), secretName: 'other-tls' }],
      [
        'nocreds',
        'CredentialsNotFound',
        {
          ...domainSpec(f, 't07.example.org'),
          secretName: 'good-tls',
          credentialsSecretRef: { name: 'absent' },
        },
      ],
      [
        'badcreds',
        'CredentialsInvalid',
        {
          ...domainSpec(f, 't08.example.org'),
          secretName: 'good-tls',
          credentialsSecretRef: { name: 'wrong-credentials' },
        },
      ],
      ['nowhere', 'DomainNotFound', { ...domainSpec(f, 'nowhere.example.org'), secretName: 'good-tls' }],
      ['conflict', 'DomainConflict', { ...domainSpec(f, 't01.example.org'), secretName: 'fresh-tls' }],
    ];
    for (const [name, , spec] of cases) await createGdc(f, name, spec as never);
    for (const [name, reason] of cases) {
      const g = await waitForReason(f, name, reason);
      expect(cond(g, 'Ready')?.status).toBe('False');
      expect(cond(g, 'Stalled')).toMatchObject({
        status: 'True',
        reason,
        observedGeneration: g.metadata.generation,
      });
      expect(cond(g, 'Stalled')?.message).toBe(cond(g, 'Ready')?.message);
      expect(cond(g, 'Reconciling')).toBeUndefined();
      await judge(`Ready=False, ${reason}`, name, 'Failed', g);
    }
    // Cloud-side refusals, scripted one at a time (nothing else calls the gateway now).
    const scripted: Array<[string, string, string, { status: number; code: string }]> = [
      ['denied', 't09.example.org', 'PermissionDenied', { status: 403, code: 'APIG.1005' }],
      ['rejected', 't10.example.org', 'GatewayRejected', { status: 400, code: 'APIG.2999' }],
    ];
    for (const [name, domain, reason, fault] of scripted) {
      await putTlsSecret(f, `${name}-tls`, issueCertificate({ ca, dnsNames: [domain] }), ca);
      f.emulator.setFaults({ failNext: [fault] });
      try {
        await createGdc(f, name, { ...domainSpec(f, domain), secretName: `${name}-tls` });
        const g = await waitForReason(f, name, reason);
        expect(cond(g, 'Stalled')).toMatchObject({ status: 'True', reason });
        await judge(`Ready=False, ${reason}`, name, 'Failed', g);
      } finally {
        f.emulator.resetFaults();
      }
    }
    await kwait('notcovered', 'Stalled');
    await expect(kwait('fresh', 'Stalled', '2s')).rejects.toThrow(/timed out/);

    // Fixed input clears Stalled: the Secret appears, the resource syncs, kstatus says Current.
    await putTlsSecret(f, 'absent-tls', issueCertificate({ ca, dnsNames: ['t02.example.org'] }), ca);
    const fixed = await waitForReason(f, 'nosecret', 'Synced');
    expect(cond(fixed, 'Stalled')).toBeUndefined();
    await judge('SecretNotFound fixed → Synced', 'nosecret', 'Current', fixed);
  });

  it('retrying (gateway outage) or waiting for cert-manager → Reconciling → InProgress, not Stalled', async () => {
    await putTlsSecret(f, 'retry-tls', issueCertificate({ ca, dnsNames: ['t11.example.org'] }), ca);
    f.emulator.setFaults({ errorRate: 1 });
    try {
      await createGdc(f, 'retry', { ...domainSpec(f, 't11.example.org'), secretName: 'retry-tls' });
      const g = await waitForReason(f, 'retry', 'GatewayUnavailable', (x) => (x.status?.failures ?? 0) >= 2);
      expect(cond(g, 'Reconciling')).toMatchObject({ status: 'True', reason: 'GatewayUnavailable' });
      expect(cond(g, 'Stalled')).toBeUndefined();
      await judge('Ready=False, GatewayUnavailable (retrying)', 'retry', 'InProgress', g);
      await expect(kwait('retry', 'Stalled', '2s')).rejects.toThrow(/timed out/);
    } finally {
      f.emulator.resetFaults();
    }
    const ok = await waitForReason(f, 'retry', 'Synced');
    expect(cond(ok, 'Reconciling')).toBeUndefined();
    await judge('GatewayUnavailable recovered → Synced', 'retry', 'Current', ok);

    // cert-manager's temporary certificate: its issuance is under way, not a fault for a human.
    const throwAway = createCA({ commonName: 'cert-manager.local', keyType: 'ec' });
    await putTlsSecret(
      f,
      'pending-tls',
      issueCertificate({ ca: throwAway, dnsNames: ['t15.example.org'] }),
      throwAway,
    );
    await createGdc(f, 'pending', { ...domainSpec(f, 't15.example.org'), secretName: 'pending-tls' });
    const p = await waitForReason(f, 'pending', 'IssuancePending');
    expect(cond(p, 'Reconciling')).toMatchObject({ status: 'True', reason: 'IssuancePending' });
    expect(cond(p, 'Stalled')).toBeUndefined();
    await judge('Ready=False, IssuancePending (cert-manager issuing)', 'pending', 'InProgress', p);
  });

  it('suspended: the last state stays (Flux convention), nothing is under way', async () => {
    await syncedResource('paused', 't12.example.org');
    await patchSpec('paused', { suspend: true });
    const g = await waitForReason(f, 'paused', 'Suspended', (x) => x.status?.observedGeneration === 2);
    expect(cond(g, 'Ready')?.status).toBe('True');
    expect(cond(g, 'Ready')?.message).toContain('last: Synced');
    await judge('suspended after Synced', 'paused', 'Current', g);

    await patchSpec('notcovered', { suspend: true });
    const s = await waitForReason(f, 'notcovered', 'Suspended', (x) => x.status?.observedGeneration === 2);
    expect(cond(s, 'Stalled')?.status).toBe('True');
    await judge('suspended while Stalled (DomainNotCovered)', 'notcovered', 'Failed', s);

    await putTlsSecret(f, 'born-paused-tls', issueCertificate({ ca, dnsNames: ['t13.example.org'] }), ca);
    await createGdc(f, 'born-paused', {
      ...domainSpec(f, 't13.example.org'),
      secretName: 'born-paused-tls',
      suspend: true,
    });
    const p = await waitForReason(f, 'born-paused', 'Suspended');
    expect(cond(p, 'Ready')?.status).toBe('Unknown');
    expect(cond(p, 'Reconciling')).toBeUndefined();
    await judge('created suspended (never synced)', 'born-paused', 'InProgress', p);
  });

  it('deleting (Detach, cloud failing) → Terminating; gone once the cloud answers', async () => {
    await syncedResource('leaving', 't14.example.org', { deletionPolicy: 'Detach' });
    f.emulator.setFaults({ errorRate: 1 });
    try {
      await f.custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name: 'leaving',
      });
      const g = await waitForReason(f, 'leaving', 'DeletionFailed');
      expect(cond(g, 'Reconciling')).toMatchObject({ status: 'True', reason: 'DeletionFailed' });
      await judge('deleting, DeletionFailed (retrying)', 'leaving', 'Terminating', g);
    } finally {
      f.emulator.resetFaults();
    }
    await waitFor('leaving to be gone', async () => !(await getGdc(f, 'leaving')));
  });

  it('writes nothing more when nothing changed: a restarted operator leaves settled resources untouched', async () => {
    // Settled: synced, suspended, and stalled on input (rechecked ones look again, by design).
    const names = ['fresh', 'nosecret', 'retry', 'paused', 'badpem', 'expired', 'nocreds', 'conflict'];
    const versions = () =>
      Promise.all(names.map(async (n) => (await getGdc(f, n))?.metadata.resourceVersion));
    const before = await versions();
    const total = (
      await f.custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
      })
    ).items.length;
    await f.operator.stop('restart test');
    const op = await f.startOperator();
    await waitFor('every resource reconciled after the restart', async () => {
      const text = await (await fetch(`${op.metricsUrl}/metrics`)).text();
      const done = [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)];
      return done.reduce((n, m) => n + Number(m[1]), 0) >= total;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await versions()).toEqual(before);
  });
});
