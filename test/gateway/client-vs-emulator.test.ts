// Every client call against the independent gateway emulator, with each auth scheme (permanent AK/SK,
// temporary AK/SK, IAM password) and each fault kind the emulator can inject.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
} from '../../src/gateway/index.ts';
import type { Family } from '../../src/gateway/types.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let emu: Emulator;
const ca = createCA({ commonName: 'emulator test CA' });

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetFaults();
  emu.resetCalls();
});

type Scheme = 'aksk' | 'temporary' | 'password';
function credentials(scheme: Scheme): GatewayClientOptions['credentials'] {
  const c = emu.seed.credentials;
  if (scheme === 'aksk') return { kind: 'aksk', accessKey: c.accessKey, secretKey: c.secretKey };
  if (scheme === 'temporary') return { kind: 'aksk', ...c.temporary };
  return { kind: 'password', ...c.iam };
}

function client(family: Family, scheme: Scheme, extra: Partial<GatewayClientOptions> = {}): GatewayClient {
  return createGatewayClient({
    endpoint: emu.url,
    iamEndpoint: emu.url,
    scmEndpoint: emu.url,
    family,
    projectId: emu.seed.projectId,
    credentials: credentials(scheme),
    allowInsecureHttp: true,
    retry: { baseDelayMs: 1, throttledBaseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 20 },
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
    ...extra,
  });
}

function target(family: Family) {
  const gw = emu.seed.gateways[family === 'apigw' ? 0 : Math.min(1, emu.seed.gateways.length - 1)]!;
  const group = gw.groups[0]!;
  const domain = group.domains[family === 'apigw' ? 0 : 0]!;
  return { instanceId: gw.id, groupId: group.id, domainId: domain.id, domainName: domain.name };
}

let nameSeq = 0;
function certFor(domainName: string) {
  const leaf = issueCertificate({ ca, dnsNames: [domainName] });
  return {
    name: `cert_${++nameSeq}_${Date.now()}`,
    cert_content: leaf.certPem,
    private_key: leaf.keyPem,
    serial: leaf.serialNumber,
  };
}

describe.each(['aksk', 'temporary', 'password'] as const)('every call, %s', (scheme) => {
  it.each(['apigw', 'apic'] as const)('%s', async (family) => {
    const c = client(family, scheme);
    const t = target(family);

    const groups = await c.listApiGroups(t.instanceId);
    expect(groups.groups.map((g) => g.id)).toContain(t.groupId);
    const group = await c.getApiGroup(t.instanceId, t.groupId);
    expect(group.url_domains?.map((d) => d.domain)).toContain(t.domainName);
    const found = await c.findDomainByName(t.instanceId, t.domainName.toUpperCase());
    expect(found).toMatchObject({
      groupId: t.groupId,
      domainId: t.domainId,
      domain: { domain: t.domainName },
    });

    // Upload-and-bind, read it back through the domain, then update it in place.
    const first = certFor(t.domainName);
    const { serial: s1, ...in1 } = first;
    const uploaded = await c.uploadDomainCertificate(t.instanceId, t.groupId, t.domainId, in1);
    expect(uploaded.ssl_id).toBeTruthy();
    const certId = uploaded.ssl_id!;
    const shown = await c.getDomainCertificate(t.instanceId, t.groupId, t.domainId, certId);
    expect(BigInt(shown.serial_number!)).toBe(BigInt(s1));
    expect((await c.getCertificate(certId)).id).toBe(certId);
    // Query values needing escapes are signed the way the emulator verifies them.
    expect(
      (await c.listCertificates({ instance_id: t.instanceId, name: 'no such ü+&= name' })).certs,
    ).toEqual([]);
    const listed = await c.listAllCertificates({ instance_id: t.instanceId, limit: 1 });
    expect(listed.map((x) => x.id)).toContain(certId);
    const second = certFor(t.domainName);
    const { serial: s2, ...in2 } = second;
    await c.updateCertificate(certId, { ...in2, name: in1.name });
    expect(BigInt((await c.getCertificate(certId)).serial_number!)).toBe(BigInt(s2));
    const attached = await c.listAllAttachedDomains(certId, { limit: 1 });
    expect(attached.map((d) => d.url_domain)).toContain(t.domainName);
    expect((await c.listAttachedDomains(certId)).bound_domains.length).toBeGreaterThan(0);
    await c.unbindDomainCertificate(t.instanceId, t.groupId, t.domainId, certId);
    // Nothing bound any more: detach answers 400 APIG.2000, which counts as done.
    await c.detachDomains(certId, [{ domain: t.domainName, instance_ids: [t.instanceId] }]);
    await c.deleteCertificate(certId);

    // Create, attach, detach, delete.
    const third = certFor(t.domainName);
    const { serial: _s3, ...in3 } = third;
    const created = await c.createCertificate({ ...in3, type: 'instance', instance_id: t.instanceId });
    expect(created.id).toBeTruthy();
    await c.attachDomains(created.id!, [{ domain: t.domainName, instance_ids: [t.instanceId] }]);
    expect((await c.listAllAttachedDomains(created.id!)).map((d) => d.url_domain)).toContain(t.domainName);
    await c.detachDomains(created.id!, [{ domain: t.domainName, instance_ids: [t.instanceId] }]);
    await c.detachDomains(created.id!, [{ domain: t.domainName, instance_ids: [t.instanceId] }]);
    await c.deleteCertificate(created.id!);
    await expect(c.getCertificate(created.id!)).rejects.toMatchObject({ kind: 'notFound', status: 404 });

    const scm = await c.listScmCertificates({
      limit: 10,
      offset: 0,
      sort_dir: 'DESC',
      sort_key: 'certUpdateTime',
      status: 'ALL',
    });
    expect(Array.isArray(scm.certificates)).toBe(true);
    expect(typeof scm.total_count).toBe('number');
    await c.close();

    const log = emu.calls().calls;
    expect(log.filter((e) => e.auth_failure !== null)).toEqual([]);
    const expectedAuth = scheme === 'password' ? 'token' : 'aksk';
    expect(log.filter((e) => e.operation !== 'CreateToken').every((e) => e.auth === expectedAuth)).toBe(true);
    // The token cache is per account, so only the first password test logs in.
    expect(new Set(log.map((e) => e.operation).filter((o) => o !== 'CreateToken'))).toEqual(
      new Set([
        'ListApiGroups',
        'ShowApiGroup',
        'UploadDomainCertificate',
        'ShowDomainCertificate',
        'ShowCertificate',
        'ListCertificates',
        'UpdateCertificate',
        'ListAttachedDomains',
        'DeleteDomainCertificate',
        'DetachDomains',
        'DeleteCertificate',
        'CreateCertificate',
        'AttachDomains',
        'ListScmCertificates',
      ]),
    );
  });
});

describe('faults', () => {
  const t = () => target('apigw');

  it.each([
    ['error (500 APIG.9999)', { status: 500, code: 'APIG.9999' }, 'error'],
    ['busy (500 APIG.9008)', { status: 500, code: 'APIG.9008' }, 'error'],
    ['throttle (429 APIG.0308 + Retry-After)', { status: 429, code: 'APIG.0308' }, 'throttle'],
  ] as const)('%s is retried', async (_n, fault, kind) => {
    const c = client('apigw', 'aksk');
    emu.setFaults({ failNext: [fault, fault] });
    await expect(c.listApiGroups(t().instanceId)).resolves.toMatchObject({ groups: expect.any(Array) });
    const log = emu.calls().calls;
    expect(log.map((e) => [e.status, e.fault])).toEqual([
      [fault.status, kind],
      [fault.status, kind],
      [200, null],
    ]);
    await c.close();
  });

  it('random error/busy/throttle rates: every call still succeeds within the attempt budget', async () => {
    const c = client('apigw', 'aksk', {
      retry: { maxAttempts: 6, baseDelayMs: 1, throttledBaseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    });
    emu.setFaults({ errorRate: 0.15, tooManyRate: 0.1, throttleRate: 0.1, seed: 7 });
    for (let i = 0; i < 15; i++) await c.getApiGroup(t().instanceId, t().groupId);
    const faults = emu.calls().calls.filter((e) => e.fault !== null);
    expect(faults.length).toBeGreaterThan(0);
    await c.close();
  });

  it('hang: times out and is retried', async () => {
    const c = client('apigw', 'password', { timeouts: { totalMs: 2_000 } }); // the retry must not time out when busy
    emu.setFaults({ failNext: [{ kind: 'hang' }] });
    await expect(c.getApiGroup(t().instanceId, t().groupId)).resolves.toMatchObject({ id: t().groupId });
    const ops = emu.calls().calls.filter((e) => e.operation === 'ShowApiGroup');
    expect(ops.map((e) => e.fault)).toEqual(['hang', null]);
    await c.close();
  });

  it('drop: a read is retried; a create is not re-sent (outcome unknown)', async () => {
    const c = client('apigw', 'aksk');
    emu.setFaults({ failNext: [{ kind: 'drop' }] });
    await expect(c.getApiGroup(t().instanceId, t().groupId)).resolves.toMatchObject({ id: t().groupId });
    emu.resetCalls();
    emu.setFaults({ failNext: [{ kind: 'drop' }] });
    const { serial: _s, ...input } = certFor(t().domainName);
    await expect(c.createCertificate(input)).rejects.toMatchObject({ kind: 'retryable', status: undefined });
    expect(emu.calls().calls.filter((e) => e.operation === 'CreateCertificate').length).toBe(1);
    await c.close();
  });

  it('persistent faults give up after maxAttempts with a retryable error carrying the request id', async () => {
    const c = client('apigw', 'temporary');
    const f = { status: 500, code: 'APIG.9999' };
    emu.setFaults({ failNext: [f, f, f, f, f] });
    const err = await c
      .listCertificates({ instance_id: target('apigw').instanceId })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'retryable',
      status: 500,
      errorCode: 'APIG.9999',
      operation: 'ListCertificates',
    });
    const log = emu.calls().calls;
    expect(log.length).toBe(4);
    expect((err as { requestId?: string }).requestId).toBe(log[3]!.request_id);
    await c.close();
  });

  it('scripted terminal answers are not retried', async () => {
    const c = client('apic', 'aksk');
    const q = { instance_id: target('apic').instanceId };
    emu.setFaults({ failNext: [{ status: 403, code: 'APIG.1005' }] });
    await expect(c.listCertificates(q)).rejects.toMatchObject({ kind: 'permission', status: 403 });
    emu.setFaults({ failNext: [{ status: 404, code: 'APIG.3030' }] });
    await expect(c.listCertificates(q)).rejects.toMatchObject({ kind: 'notFound' });
    emu.setFaults({ failNext: [{ status: 400, code: 'APIG.2012' }] });
    await expect(c.listCertificates(q)).rejects.toMatchObject({ kind: 'terminal' });
    expect(emu.calls().calls.length).toBe(3);
    await c.close();
  });

  it('expired tokens: one re-login and one retry', async () => {
    const c = client('apic', 'password');
    const q = { instance_id: target('apic').instanceId };
    await c.listCertificates(q);
    emu.expireTokens();
    emu.resetCalls();
    await expect(c.listCertificates(q)).resolves.toMatchObject({ certs: expect.any(Array) });
    expect(emu.calls().calls.map((e) => [e.operation, e.status])).toEqual([
      ['ListCertificates', 401],
      ['CreateToken', 201],
      ['ListCertificates', 200],
    ]);
    await c.close();
  });

  it('a wrong secret key is an auth error, not retried', async () => {
    const c = client('apigw', 'aksk', {
      credentials: {
        kind: 'aksk',
        accessKey: emu.seed.credentials.accessKey,
        secretKey: 'wrong-secret-key-000000',
      },
    });
    await expect(c.listCertificates({ instance_id: target('apigw').instanceId })).rejects.toMatchObject({
      kind: 'auth',
      status: 401,
    });
    expect(emu.calls().calls.length).toBe(1);
    await c.close();
  });

  it('the client rate limiter keeps under the emulator per-account throttle', async () => {
    emu.setFaults({ throttlePerSecond: 10 });
    const c = client('apigw', 'aksk', { rateLimit: { ratePerSecond: 8, burst: 1 } });
    // Not the account shared with other tests' buckets: a distinct rate/burst gets a distinct bucket.
    await Promise.all(Array.from({ length: 6 }, () => c.listApiGroups(t().instanceId)));
    expect(emu.calls().calls.filter((e) => e.status === 429)).toEqual([]);
    await c.close();
  });
});
