// Replays every example of the five reference pages (fixtures in ./contract/, each citing its page)
// against the emulator: same field names and types everywhere, same values where they are deterministic,
// error bodies exact where the emulator can provoke them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../support/pki.ts';
import { validateSeed } from './seed.ts';
import { type Emulator, startEmulator } from './server.ts';
import { call } from './testkit.ts';

interface PageFixture {
  source: string;
  operation: string;
  method: string;
  path: string;
  request: Record<string, unknown> | null;
  statusCodes: number[];
  responses: Record<string, Record<string, unknown> | null>;
}

const fixture = (n: string): PageFixture =>
  JSON.parse(readFileSync(new URL(`./contract/page-${n}.json`, import.meta.url), 'utf8')) as PageFixture;
const contractSeed = validateSeed(
  JSON.parse(readFileSync(new URL('./contract/seed.json', import.meta.url), 'utf8')),
);

const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Every field of the example exists in the answer with the same JSON type (recursively). */
function expectSameShape(actual: unknown, example: unknown, at = '$'): void {
  expect(kind(actual), `type of ${at}`).toBe(kind(example));
  if (Array.isArray(example) && Array.isArray(actual) && example.length > 0 && actual.length > 0) {
    expectSameShape(actual[0], example[0], `${at}[0]`);
  } else if (kind(example) === 'object') {
    for (const [k, v] of Object.entries(example as Record<string, unknown>)) {
      expect(actual as Record<string, unknown>, `${at}.${k}`).toHaveProperty(k);
      expectSameShape((actual as Record<string, unknown>)[k], v, `${at}.${k}`);
    }
  }
}

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let emu: Emulator;
const [gwA, gwB] = contractSeed.gateways;
const group = gwA!.groups[0]!;
const domainPath = (family: string, domainName: string) => {
  const d = group.domains.find((x) => x.name === domainName)!;
  return `/v2/${contractSeed.projectId}/${family}/instances/${gwA!.id}/api-groups/${group.id}/domains/${d.id}`;
};
const rsaCA = createCA({ keyType: 'rsa', commonName: 'mkcert development CA' });

beforeAll(async () => {
  emu = await startEmulator({ seed: contractSeed });
});
afterAll(() => emu.close());
beforeEach(() => emu.resetFaults());

/** The error examples every gateway page shows: 401 without credentials, 403 via X-Project-Id, 500 via fault. */
async function replayCommonErrors(page: PageFixture, method: string, path: string, body?: unknown) {
  const r401 = await call(emu, method, path, { auth: 'none', ...(body ? { body } : {}) });
  expect(r401.status).toBe(401);
  expect(r401.body).toEqual(page.responses['401']);
  if (page.responses['403']) {
    const r403 = await call(emu, method, path, {
      auth: 'aksk',
      headers: { 'X-Project-Id': 'ffffffffffffffffffffffffffffffff' },
      ...(body ? { body } : {}),
    });
    expect(r403.status).toBe(403);
    expect(r403.body).toEqual(page.responses['403']);
  }
  emu.setFaults({ failNext: [{ status: 500, code: 'APIG.9999' }] });
  const r500 = await call(emu, method, path, body ? { body } : {});
  expect(r500.status).toBe(500);
  expect(r500.body).toEqual(page.responses['500']);
}

describe('page 000: ShowDomainCertificate', () => {
  const page = fixture('000');
  it('answers the 200 example field by field for a certificate made with the example values', async () => {
    const ex = page.responses['200']!;
    const leaf = issueCertificate({
      ca: rsaCA,
      dnsNames: ['www.company.com'],
      keyType: 'rsa',
      organization: 'mkcert development certificate',
      serialNumber: BigInt(ex.serial_number as string),
      notBefore: new Date('2019-06-01T00:00:00Z'),
      notAfter: new Date('2030-08-04T07:41:19Z'),
    });
    const up = await call(emu, 'POST', `${domainPath('apigw', 'www.company.com')}/certificate`, {
      body: { name: 'page_000', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    expect(up.status).toBe(201);
    const r = await call(
      emu,
      'GET',
      `${domainPath('apigw', 'www.company.com')}/certificate/${up.body.ssl_id}`,
    );
    expect(r.status).toBe(200);
    expectSameShape(r.body, ex);
    // Every value the certificate determines; organizational_unit is not in the test PKI's subject.
    const { organizational_unit: _ou, ...values } = ex;
    expect(r.body).toMatchObject(values);
    expect(r.body.organizational_unit).toEqual([]);
  });

  it('answers the error examples', async () => {
    const badDomain = `/v2/${contractSeed.projectId}/apigw/instances/${gwA!.id}/api-groups/${group.id}/domains/not.an.id/certificate/a27be832f2e9441c8127fe48e3b5ac67`;
    const r400 = await call(emu, 'GET', badDomain);
    expect(r400.status).toBe(400);
    expect(r400.body).toEqual(page.responses['400']);
    const missing = `/v2/${contractSeed.projectId}/apigw/instances/${gwA!.id}/api-groups/${group.id}/domains/00000000000000000000000000000000/certificate/a27be832f2e9441c8127fe48e3b5ac67`;
    const r404 = await call(emu, 'GET', missing);
    expect(r404.status).toBe(404);
    expect(r404.body).toEqual(page.responses['404']);
    await replayCommonErrors(page, 'GET', missing);
  });
});

describe('page 001: ListCertificates (apic)', () => {
  const page = fixture('001');
  it('lists CertBase items shaped like the example, without serial_number', async () => {
    const ex = page.responses['200']!;
    const exCert = (ex.certs as Record<string, unknown>[])[0]!;
    const leaf = issueCertificate({ ca: rsaCA, dnsNames: exCert.san as string[], keyType: 'rsa' });
    const created = await call(emu, 'POST', `/v2/${contractSeed.projectId}/apic/certificates`, {
      body: {
        name: 'cert_demo',
        type: 'instance',
        instance_id: exCert.instance_id,
        cert_content: leaf.certPem,
        private_key: leaf.keyPem,
      },
    });
    expect(created.status).toBe(200);
    const r = await call(emu, 'GET', `/v2/${contractSeed.projectId}/apic/certificates`, {
      query: { instance_id: exCert.instance_id as string, name: 'cert_demo' },
    });
    expect(r.status).toBe(200);
    expectSameShape(r.body, ex);
    expect(r.body).toMatchObject({ total: 1, size: 1 });
    const item = (r.body.certs as Record<string, unknown>[])[0]!;
    for (const k of [
      'name',
      'type',
      'project_id',
      'instance_id',
      'common_name',
      'san',
      'signature_algorithm',
      'algorithm_type',
    ]) {
      expect(item[k], k).toEqual(exCert[k]);
    }
    expect(item.not_after).toMatch(ISO_SECONDS);
    expect(item.create_time).toMatch(ISO_MICROS);
    expect(item.update_time).toMatch(ISO_MICROS);
    expect(item.id).toMatch(/^[0-9a-f]{32}$/);
    expect(item).not.toHaveProperty('serial_number');
  });

  it('answers the error examples', async () => {
    const path = `/v2/${contractSeed.projectId}/apic/certificates`;
    // instance_id is mandatory (the page's table); a limit out of range is clamped, not refused (SDK).
    const r400 = await call(emu, 'GET', path, { query: { limit: 501 } });
    expect(r400.status).toBe(400);
    expectSameShape(r400.body, page.responses['400']);
    expect(r400.body.error_code).toBe(page.responses['400']!.error_code);
    expect(r400.body.error_msg).toBe(
      'Invalid parameter value,parameterName:instance_id. Please refer to the support documentation',
    );
    await replayCommonErrors(page, 'GET', `${path}?instance_id=${gwA!.id}`);
  });
});

describe('page 002: ListScmCertificates', () => {
  const page = fixture('002');
  it('lists uploaded certificates in the CertificateDetail shape', async () => {
    const leaf = issueCertificate({
      ca: rsaCA,
      dnsNames: ['www.zx.com', 'a.zx.com', 'b.zx.com'],
      keyType: 'rsa',
    });
    const created = await call(emu, 'POST', `/v2/${contractSeed.projectId}/apigw/certificates`, {
      body: { name: 'test_scm', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    expect(created.status).toBe(200);
    const r = await call(emu, 'GET', '/v3/scm/certificates', { query: { limit: 50 } });
    expect(r.status).toBe(200);
    expectSameShape(r.body, page.responses['200']);
    const item = (r.body.certificates as Record<string, unknown>[]).find((c) => c.name === 'test_scm')!;
    expect(item).toMatchObject({
      domain: 'www.zx.com',
      sans: 'www.zx.com;a.zx.com;b.zx.com',
      signature_algorithm: 'SHA256WITHRSA',
      domain_type: 'MULTI_DOMAIN',
      status: 'UPLOAD',
      domain_count: 3,
      wildcard_count: 0,
    });
    expect(item.id).toHaveLength(16);
    expect(item.expire_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0$/);
  });

  it('answers the error shapes (codes are placeholders on the page)', async () => {
    const r401 = await call(emu, 'GET', '/v3/scm/certificates', { auth: 'none' });
    expect(r401.status).toBe(401);
    expectSameShape(r401.body, page.responses['401']);
    expect(r401.body.error_code).toMatch(/^SCM\./);
    emu.setFaults({ failNext: [{ status: 500, code: 'SCM.0001', message: 'System error' }] });
    const r500 = await call(emu, 'GET', '/v3/scm/certificates');
    expect(r500.status).toBe(500);
    expectSameShape(r500.body, page.responses['500']);
  });
});

describe('page 003: AttachDomains', () => {
  const page = fixture('003');
  it('replays the example request: 204, the domain bound on both gateways', async () => {
    const leaf = issueCertificate({ ca: rsaCA, dnsNames: ['apigtest.example.com'], keyType: 'rsa' });
    const created = await call(emu, 'POST', `/v2/${contractSeed.projectId}/apigw/certificates`, {
      body: { name: 'page_003', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    const id = created.body.id as string;
    const r = await call(
      emu,
      'POST',
      `/v2/${contractSeed.projectId}/apigw/certificates/${id}/domains/attach`,
      {
        body: page.request,
      },
    );
    expect(r.status).toBe(204);
    expect(r.body).toEqual({});
    const bound = emu.state.domains.filter((d) => d.url_domain === 'apigtest.example.com');
    expect(bound.map((d) => d.instance_id).sort()).toEqual([gwA!.id, gwB!.id].sort());
    expect(bound.every((d) => d.certificate?.id === id)).toBe(true);
  });

  it('answers the error examples', async () => {
    const base = `/v2/${contractSeed.projectId}/apigw/certificates`;
    const r400 = await call(emu, 'POST', `${base}/not.an.id/domains/attach`, { body: page.request });
    expect(r400.status).toBe(400);
    expect(r400.body.error_code).toBe(page.responses['400']!.error_code);
    expectSameShape(r400.body, page.responses['400']);
    const leaf = issueCertificate({ ca: rsaCA, dnsNames: ['*.example.com'], keyType: 'rsa' });
    const created = await call(emu, 'POST', base, {
      body: { name: 'page_003_errors', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    const path = `${base}/${created.body.id}/domains/attach`;
    const r404 = await call(emu, 'POST', path, { body: { domains: [{ domain: 'nowhere.example.com' }] } });
    expect(r404.status).toBe(404);
    expect(r404.body).toEqual(page.responses['404']);
    await replayCommonErrors(page, 'POST', path, { domains: [{ domain: 'nowhere.example.com' }] });
  });
});

describe('page 004: UploadDomainCertificate (apic)', () => {
  const page = fixture('004');
  it('refuses the example request as is: its PEM is a placeholder (400 APIG.2106)', async () => {
    const r = await call(emu, 'POST', `${domainPath('apic', 'www.example.com')}/certificate`, {
      body: page.request,
    });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('APIG.2106');
  });

  it('answers 201 like the example when the placeholders are a real certificate', async () => {
    const ex = page.responses['201']!;
    const leaf = issueCertificate({ ca: rsaCA, dnsNames: ['www.example.com'], keyType: 'rsa' });
    const r = await call(emu, 'POST', `${domainPath('apic', 'www.example.com')}/certificate`, {
      body: { ...page.request, cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    expect(r.status).toBe(201);
    expectSameShape(r.body, ex);
    expect(r.body).toMatchObject({
      ssl_name: ex.ssl_name,
      url_domain: ex.url_domain,
      id: (ex.id as string).trim(),
      status: ex.status,
    });
    expect(r.body.ssl_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers the error examples', async () => {
    const path = `${domainPath('apic', 'www.example.com')}/certificate`;
    const leaf = issueCertificate({ ca: rsaCA, dnsNames: ['www.example.com'] });
    const body = { name: 'x', cert_content: leaf.certPem, private_key: leaf.keyPem };
    const r400 = await call(emu, 'POST', path, { body });
    expect(r400.status).toBe(400);
    expect(r400.body).toEqual(page.responses['400']);
    const missing = path.replace(/domains\/[0-9a-f]+/, 'domains/00000000000000000000000000000000');
    const r404 = await call(emu, 'POST', missing, { body: { ...body, name: 'cert_demo' } });
    expect(r404.status).toBe(404);
    expect(r404.body).toEqual(page.responses['404']);
    await replayCommonErrors(page, 'POST', path, { ...body, name: 'cert_demo' });
  });
});
