// The product end to end: real API server, gateway emulator, operator in-process. A TLS Secret and a
// GatewayDomainCertificate go in; the domain serves the certificate and the status says so.

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { createGatewayClient } from '../../src/gateway/index.ts';
import { defaultCertificateName } from '../../src/reconciler/naming.ts';
import { kubectl, waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  gateway,
  putCredentials,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForEvent,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'e2e CA', keyType: 'ec' });

beforeAll(async () => {
  f = await startFixture();
  await putCredentials(f);
});
afterAll(async () => f?.stop());

/** The operator's count of Secret GETs. */
async function secretReads(): Promise<number> {
  const text = await (await fetch(`${f.operator.metricsUrl}/metrics`)).text();
  return Number(text.match(/^apig_cert_sync_secret_reads_total (\d+)$/m)?.[1] ?? Number.NaN);
}

describe('Domain mode', () => {
  it('pushes on first sight, renews on a new Secret, and reports the binding', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['shop.example.com'], keyType: 'rsa', keyFormat: 'pkcs1' });
    await putTlsSecret(f, 'site-tls', leaf, ca);
    await createGdc(f, 'shop', domainSpec(f, 'shop.example.com'));

    const first = await waitForReason(f, 'shop', 'Synced');
    expect(first.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
    expect(first.status?.certificate?.sha256Fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.status?.domains?.[0]).toMatchObject({
      name: 'shop.example.com',
      instanceId: f.emulator.seed.gateways[0]?.id,
    });
    expect(first.status?.observedGeneration).toBe(1);
    expect(servedSerial(f, 'shop.example.com')).toBe(leaf.serialNumber);
    // The issuing CA was not sent: it would switch on client-certificate verification.
    const served = f.emulator.state.domains.find((d) => d.url_domain === 'shop.example.com' && d.certificate);
    expect(served?.certificate?.trusted_root_ca_sent).toBe(false);

    // Renewal: cert-manager writes a new certificate into the same Secret.
    f.emulator.resetCalls();
    const readsBefore = await secretReads();
    expect(readsBefore).toBeGreaterThanOrEqual(2); // the first sync read both Secrets
    const renewed = issueCertificate({
      ca,
      dnsNames: ['shop.example.com'],
      keyType: 'ec',
      keyFormat: 'sec1',
    });
    await putTlsSecret(f, 'site-tls', renewed, ca);
    const second = await waitForReason(
      f,
      'shop',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === renewed.serialNumber,
    );
    expect(servedSerial(f, 'shop.example.com')).toBe(renewed.serialNumber);
    // No Kubernetes read on the renewal's path: the watch handed the new Secret over, and the
    // credentials Secret is unchanged since the first sync read it.
    expect(await secretReads()).toBe(readsBefore);
    const log = f.emulator.calls();
    // The floor: our bound certificate updated in place (1 write) and read back (1 read); nothing to clean.
    expect(log.counts).toEqual({ UpdateCertificate: 1, ShowDomainCertificate: 1 });
    expect(second.status?.certificate?.id).toBe(first.status?.certificate?.id);
    expect(
      f.emulator.state.certificates.filter((c) => c.name === second.status?.certificate?.name),
    ).toHaveLength(1);

    await waitForEvent(f, 'shop', (e) => e.reason === 'Synced' && !!e.note?.includes(renewed.serialNumber));

    // Printer columns, through the real kubectl.
    const { stdout } = await kubectl(['get', 'gdc', '-n', f.ns]);
    expect(stdout).toMatch(/NAME\s+DOMAIN\s+READY\s+SERIAL\s+NOT AFTER\s+AGE/);
    expect(stdout).toContain(renewed.serialNumber);
    expect(stdout).toMatch(/shop\s+shop\.example\.com\s+True/);
  });

  it('makes no gateway call and reads no Secret after a restart over resources already in sync', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['api.example.com'], keyType: 'ec' });
    await putTlsSecret(f, 'api-tls', leaf, ca);
    await createGdc(f, 'api', { ...domainSpec(f, 'api.example.com'), secretName: 'api-tls' });
    await waitForReason(f, 'api', 'Synced');

    await f.operator.stop('restart test');
    f.emulator.resetCalls();
    const op = await f.startOperator();
    // Wait until the new process has reconciled every resource at least once.
    await waitFor('reconciles after restart', async () => {
      const text = await (await fetch(`${op.metricsUrl}/metrics`)).text();
      const done = [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      return done >= 2 ? text : undefined;
    });
    expect(f.emulator.calls().total).toBe(0);
    const text = await (await fetch(`${op.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/^apig_cert_sync_secret_reads_total 0$/m);
  });

  it('reads the ids of a domain given by id and pushes ECDSA with a PKCS#8 key', async () => {
    const gw = f.emulator.seed.gateways[0];
    const group = gw?.groups[1];
    const domain = group?.domains[0];
    if (!gw || !group || !domain) throw new Error('seed too small');
    const leaf = issueCertificate({ ca, dnsNames: [domain.name], keyType: 'ec', keyFormat: 'pkcs8' });
    await putTlsSecret(f, 'byid-tls', leaf, ca);
    const spec = domainSpec(f, domain.name, { secretName: 'byid-tls' });
    spec.gateway = { ...spec.gateway, domain: undefined, groupId: group.id, domainId: domain.id };
    delete spec.gateway.domain;
    await createGdc(f, 'byid', spec);
    const g = await waitForReason(f, 'byid', 'Synced');
    expect(g.status?.domains?.[0]?.name).toBe(domain.name);
    expect(servedSerial(f, domain.name)).toBe(leaf.serialNumber);
  });

  it('never writes a private key into its logs', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['www.example.com'], keyType: 'rsa' });
    await putTlsSecret(f, 'www-tls', leaf, ca);
    await createGdc(f, 'www', { ...domainSpec(f, 'www.example.com'), secretName: 'www-tls' });
    await waitForReason(f, 'www', 'Synced');
    const all = f.logs.join('');
    expect(all.length).toBeGreaterThan(0);
    const keyLines = leaf.keyPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const line of keyLines) expect(all).not.toContain(line);
    expect(all).not.toContain(f.emulator.seed.credentials.secretKey);
    // Every line a reconcile logs carries the resource key.
    const lines = all.split('\n').filter((l) => l.includes('"resource"'));
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe('crash between upload and status write', () => {
  it('adopts the certificate an interrupted run uploaded instead of uploading the same content again', async () => {
    const gw = f.emulator.seed.gateways[0];
    const group = gw?.groups.find((g) => g.name === 'spare_group_0');
    const domain = group?.domains[0];
    if (!domain || !gw || !group) throw new Error('seed too small');
    const leaf = issueCertificate({ ca, dnsNames: [domain.name], keyType: 'ec' });
    await putTlsSecret(f, 'crash-tls', leaf, ca);
    await createGdc(f, 'crash', { ...domainSpec(f, domain.name), secretName: 'crash-tls', suspend: true });
    await waitForReason(f, 'crash', 'Suspended');
    // What the killed run left behind: its intent in status, and the upload it made; no status after.
    await f.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name: 'crash',
        body: {
          status: {
            pendingWrite: { name: defaultCertificateName(f.ns, 'crash'), serialNumber: leaf.serialNumber },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const c = f.emulator.seed.credentials;
    const client = createGatewayClient({
      endpoint: f.emulator.url,
      family: 'apigw',
      projectId: f.emulator.seed.projectId,
      credentials: { kind: 'aksk', accessKey: c.accessKey, secretKey: c.secretKey },
      allowInsecureHttp: true,
    });
    const earlier = await client.uploadDomainCertificate(gw.id, group.id, domain.id, {
      name: defaultCertificateName(f.ns, 'crash'),
      cert_content: leaf.certPem,
      private_key: leaf.keyPem,
      type: 'instance',
      instance_id: gw.id,
    });
    await client.close();
    f.emulator.resetCalls();

    await f.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name: 'crash',
        body: { spec: { suspend: false } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const g = await waitForReason(f, 'crash', 'Synced');
    expect(g.status?.certificate?.id).toBe(earlier.ssl_id);
    expect(g.status?.pendingWrite).toBeUndefined();
    expect(f.emulator.calls().writes).toBe(0);
    await waitForEvent(f, 'crash', (e) => !!e.note?.startsWith('adopted'));
  });
});

describe('observability', () => {
  it('serves probes and metrics: reconciles by result, gateway calls by operation, each notAfter', async () => {
    const op = f.operator;
    expect((await fetch(`${op.probeUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${op.probeUrl}/readyz`)).status).toBe(200);
    const leaf = issueCertificate({ ca, dnsNames: ['pay.example.com'], keyType: 'ec' });
    await putTlsSecret(f, 'metrics-tls', leaf, ca);
    await createGdc(f, 'metrics', { ...domainSpec(f, 'pay.example.com'), secretName: 'metrics-tls' });
    await waitForReason(f, 'metrics', 'Synced');
    // The reconcile is counted when it returns, just after the status write the wait above saw.
    const reconciled =
      /^controller_runtime_reconcile_total\{controller="gatewaydomaincertificate",result="requeue_after"\} [1-9]/m;
    const text = await waitFor('the reconcile counted', async () => {
      const t = await (await fetch(`${op.metricsUrl}/metrics`)).text();
      return reconciled.test(t) ? t : undefined;
    });
    expect(text).toMatch(reconciled);
    expect(text).toMatch(/^controller_runtime_reconcile_time_seconds_count\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^workqueue_depth\{name="gatewaydomaincertificate"\} \d+/m);
    expect(text).toMatch(
      /^apig_cert_sync_gateway_calls_total\{operation="UploadDomainCertificate",status="201",error_code=""\} [1-9]/m,
    );
    const notAfter = new RegExp(
      `^apig_cert_sync_certificate_not_after_timestamp_seconds\\{namespace="${f.ns}",name="metrics",domain="pay.example.com"\\} (\\d+)`,
      'm',
    ).exec(text);
    expect(Number(notAfter?.[1])).toBe(Math.floor(leaf.cert.validToDate.getTime() / 1000));
  });
});

describe('options', () => {
  it('suspend stops pushing; resuming pushes', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['t02.example.org'], keyType: 'ec' });
    await putTlsSecret(f, 'paused-tls', leaf, ca);
    const before = f.emulator.calls().total;
    await createGdc(f, 'paused', {
      ...domainSpec(f, 't02.example.org'),
      secretName: 'paused-tls',
      suspend: true,
    });
    const g = await waitForReason(f, 'paused', 'Suspended');
    expect(g.status?.conditions?.[0]?.status).toBe('Unknown');
    expect(f.emulator.calls().total).toBe(before);
    await f.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name: 'paused',
        body: { spec: { suspend: false } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const resumed = await waitForReason(f, 'paused', 'Synced');
    expect(resumed.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
  });

  it('sends the CA as trusted_root_ca only when client verification is enabled, with temporary AK/SK', async () => {
    await putCredentials(f, 'temporary-credentials', 'temporary');
    const domain = 't03.example.org';
    const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'rsa' });
    await putTlsSecret(f, 'mtls-tls', leaf, ca);
    const spec = domainSpec(f, domain);
    // ROMA Connect's domain upload carries trusted_root_ca (API Gateway's does not: next test).
    await createGdc(f, 'mtls', {
      ...spec,
      gateway: { ...spec.gateway, service: 'roma' },
      secretName: 'mtls-tls',
      credentialsSecretRef: { name: 'temporary-credentials' },
      clientVerification: { enabled: true },
    });
    await waitForReason(
      f,
      'mtls',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === leaf.serialNumber,
    );
    const served = f.emulator.state.domains.find((d) => d.url_domain === domain && d.certificate);
    expect(served?.certificate?.serial_number).toBe(leaf.serialNumber);
    expect(served?.certificate?.trusted_root_ca_sent).toBe(true);
    expect(f.emulator.calls().calls.some((c) => c.auth === 'aksk' && c.status === 201)).toBe(true);

    // Renewal on ROMA Connect: the instance certificate updated in place (its type and instance kept).
    f.emulator.resetCalls();
    const renewed = issueCertificate({ ca, dnsNames: [domain], keyType: 'rsa' });
    await putTlsSecret(f, 'mtls-tls', renewed, ca);
    await waitForReason(
      f,
      'mtls',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === renewed.serialNumber,
    );
    expect(f.emulator.calls().counts).toEqual({ UpdateCertificate: 1, ShowDomainCertificate: 1 });
    expect(servedSerial(f, domain)).toBe(renewed.serialNumber);
  });

  it('API Gateway in Domain mode with client verification: InvalidSpec naming the fix, nothing written', async () => {
    const domain = 't09.example.org';
    const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'rsa' });
    await putTlsSecret(f, 'apig-mtls-tls', leaf, ca);
    const writes = f.emulator.calls().writes;
    await createGdc(f, 'apig-mtls', {
      ...domainSpec(f, domain),
      secretName: 'apig-mtls-tls',
      clientVerification: { enabled: true },
    });
    const g = await waitForReason(f, 'apig-mtls', 'InvalidSpec');
    const ready = g.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain('mode: Shared');
    expect(f.emulator.calls().writes).toBe(writes);
    expect(f.emulator.state.domains.find((d) => d.url_domain === domain)?.certificate ?? null).toBeNull();
  });
});

describe('Shared mode', () => {
  it('first sync and renewal at the floor: create, attach, one read per binding; then update + reads', async () => {
    const [gw0, gw1] = [gateway(f, 0), gateway(f, 1)];
    const leaf = issueCertificate({ ca, dnsNames: ['t10.example.org', 't11.example.org'] });
    await putTlsSecret(f, 'shared-floor-tls', leaf, ca);
    f.emulator.resetCalls();
    await createGdc(f, 'shared-floor', {
      ...domainSpec(f, 'unused', { secretName: 'shared-floor-tls' }),
      mode: 'Shared',
      gateway: { ...domainSpec(f, 'unused').gateway, domain: undefined, instanceId: undefined },
      domains: [
        { name: 't10.example.org', instanceIds: [gw0.id, gw1.id] },
        { name: 't11.example.org', instanceIds: [gw0.id] },
      ],
    });
    const first = await waitForReason(f, 'shared-floor', 'Synced');
    expect(first.status?.domains).toHaveLength(3);
    for (const d of first.status?.domains ?? []) expect(d.id && d.groupId).toBeTruthy();
    // The attach answer is empty; the domains' ids come from the group listing every resource shares
    // (at most once per gateway a minute), not from listing the certificate's attached domains.
    const { ListApiGroups = 0, ...firstCalls } = f.emulator.calls().counts;
    expect(ListApiGroups).toBeLessThanOrEqual(2);
    expect(firstCalls).toEqual({ CreateCertificate: 1, AttachDomains: 1, ShowDomainCertificate: 3 });
    for (const d of ['t10.example.org', 't11.example.org'])
      expect(servedSerial(f, d)).toBe(leaf.serialNumber);
    expect(servedSerial(f, 't10.example.org', gw1.id)).toBe(leaf.serialNumber);

    f.emulator.resetCalls();
    const renewed = issueCertificate({
      ca,
      dnsNames: ['t10.example.org', 't11.example.org'],
      keyType: 'rsa',
    });
    await putTlsSecret(f, 'shared-floor-tls', renewed, ca);
    const second = await waitForReason(
      f,
      'shared-floor',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === renewed.serialNumber,
    );
    expect(second.status?.certificate?.id).toBe(first.status?.certificate?.id);
    expect(f.emulator.calls().counts).toEqual({ UpdateCertificate: 1, ShowDomainCertificate: 3 });
    for (const d of ['t10.example.org', 't11.example.org'])
      expect(servedSerial(f, d)).toBe(renewed.serialNumber);
    expect(servedSerial(f, 't10.example.org', gw1.id)).toBe(renewed.serialNumber);
  });
});

describe('memory', () => {
  it('keeps no copy of its own status writes once the watch has delivered them', async () => {
    // Every test above wrote status; a write whose watch event came before its answer was kept for
    // good (a whole object with managedFields: ~1,700 of them after a first sync of 3,000).
    const shop = await waitForReason(f, 'shop', 'Synced');
    expect(shop.status?.certificate?.id).toBeTruthy();
    await waitFor(
      'the status-write bridge to empty',
      () => f.operator.controller.unsettledStatusWrites === 0,
      {
        timeoutMs: 20_000,
      },
    );
  });
});
