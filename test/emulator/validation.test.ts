// Every refusal the emulator makes, with the code from the docs' error table, and that a refused
// call changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type TestCertificate } from '../support/pki.ts';
import { defaultSeed } from './seed.ts';
import { type Emulator, startEmulator } from './server.ts';
import { call, paths } from './testkit.ts';
import { covers } from './x509.ts';

let emu: Emulator;
let p: ReturnType<typeof paths>;
const ca = createCA();
const leafFor = (names: string[], extra: Partial<Parameters<typeof issueCertificate>[0]> = {}) =>
  issueCertificate({ ca, dnsNames: names, ...extra });
const body = (leaf: TestCertificate, extra: Record<string, unknown> = {}) => ({
  name: 'valid_name',
  cert_content: leaf.certPem,
  private_key: leaf.keyPem,
  ...extra,
});

beforeAll(async () => {
  emu = await startEmulator();
  p = paths(emu);
});
afterAll(() => emu.close());

const upload = (b: unknown, domain = [0, 0, 0] as const) =>
  call(emu, 'POST', `${p.domainPath(...domain)}/certificate`, { body: b });
const expectError = (r: { status: number; body: Record<string, unknown> }, status: number, code: string) => {
  expect({ status: r.status, code: r.body.error_code }).toEqual({ status, code });
  expect(Object.keys(r.body).sort()).toEqual(['error_code', 'error_msg']);
};

describe('certificate name (4–50 chars, a letter or Chinese first, letters digits _ Chinese)', () => {
  const bad = ['abc', 'a'.repeat(51), '1abc', 'ab-cd', 'ab.cd', '_abc', 'abc def', '', '证书'];
  it.each(bad)('refuses %j with 400 APIG.2012 parameterName:name', async (name) => {
    const r = await upload(body(leafFor([p.domain().name]), { name }));
    expectError(r, 400, 'APIG.2012');
    expect(r.body.error_msg).toContain('parameterName:name');
  });
  it.each(['abcd', `A${'b_9'.repeat(16)}c`, '证书名称', 'cert_证书'])('accepts %j', async (name) => {
    expect((await upload(body(leafFor([p.domain().name]), { name }))).status).toBe(201);
  });
});

describe('body and parameters', () => {
  it('names the missing field', async () => {
    const r = await upload({ name: 'valid_name', private_key: 'x' });
    expectError(r, 400, 'APIG.2012');
    expect(r.body.error_msg).toContain('parameterName:cert_content');
  });
  it('refuses a body that is not JSON with 400 APIG.2011', async () => {
    expectError(
      await call(emu, 'POST', `${p.domainPath()}/certificate`, { rawBody: '{nope' }),
      400,
      'APIG.2011',
    );
  });
  it('wants instance_id when type is instance', async () => {
    const r = await call(emu, 'POST', p.certificates, {
      body: body(leafFor(['a.example.com']), { type: 'instance' }),
    });
    expectError(r, 400, 'APIG.2012');
    expect(r.body.error_msg).toContain('parameterName:instance_id');
  });
  it('refuses a path id with characters an id cannot have', async () => {
    const r = await call(emu, 'GET', `${p.certificates}/bad!id`);
    expectError(r, 400, 'APIG.2012');
    expect(r.body.error_msg).toContain('parameterName:certificate_id');
  });
  it('answers 409 APIG.3709 when algorithm_type contradicts the key', async () => {
    const r = await call(emu, 'POST', p.certificates, {
      body: body(leafFor([p.domain().name], { keyType: 'ec' }), { algorithm_type: 'RSA' }),
    });
    expectError(r, 409, 'APIG.3709');
  });
  it('answers 404 APIG.0101 for a path the gateway does not have', async () => {
    expectError(await call(emu, 'GET', `${p.base}/nothing-here`), 404, 'APIG.0101');
  });
});

describe('certificate content', () => {
  it('2106: certificate or key that does not parse', async () => {
    const good = leafFor([p.domain().name]);
    expectError(await upload(body(good, { cert_content: 'not a pem' })), 400, 'APIG.2106');
    const broken = good.certPem.replace(/[A-Za-z]{8}\n/, 'AAAAAAAA\n');
    expectError(await upload(body(good, { cert_content: broken })), 400, 'APIG.2106');
    expectError(
      await upload(
        body(good, { private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
      ),
      400,
      'APIG.2106',
    );
  });
  it('2101: key of another certificate', async () => {
    const a = leafFor([p.domain().name]);
    const b = leafFor([p.domain().name]);
    expectError(await upload(body(a, { private_key: b.keyPem })), 400, 'APIG.2101');
  });
  it('2102: expired', async () => {
    const leaf = leafFor([p.domain().name], {
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expectError(await upload(body(leaf)), 400, 'APIG.2102');
  });
  it('3148: valid past 2038-01-19', async () => {
    const leaf = leafFor([p.domain().name], { notAfter: new Date('2038-01-20T00:00:00Z') });
    expectError(await upload(body(leaf)), 400, 'APIG.3148');
  });
  it('2109: no subjectAltName', async () => {
    const leaf = leafFor([], { commonName: p.domain().name });
    expectError(await upload(body(leaf)), 400, 'APIG.2109');
  });
  it('2104: chain not leaf-first, or with a certificate that did not issue the one before', async () => {
    const inter = issueCertificate({ ca, dnsNames: [], isCA: true, commonName: 'Intermediate' });
    const leaf = issueCertificate({ ca: inter, dnsNames: [p.domain().name] });
    const ok = await upload(body(leaf, { cert_content: leaf.certPem + inter.certPem + ca.certPem }));
    expect(ok.status).toBe(201);
    const reversed = inter.certPem + leaf.certPem;
    expectError(await upload(body(leaf, { cert_content: reversed })), 400, 'APIG.2104');
    const skipped = leaf.certPem + ca.certPem;
    expectError(await upload(body(leaf, { cert_content: skipped })), 400, 'APIG.2104');
    const outOfOrder = leaf.certPem + ca.certPem + inter.certPem;
    expectError(await upload(body(leaf, { cert_content: outOfOrder })), 400, 'APIG.2104');
  });
  it('accepts PKCS#1, SEC1 and PKCS#8 keys, RSA and ECDSA', async () => {
    const name = p.domain().name;
    for (const [keyType, keyFormat] of [
      ['rsa', 'pkcs1'],
      ['rsa', 'pkcs8'],
      ['ec', 'sec1'],
      ['ec', 'pkcs8'],
    ] as const) {
      const r = await upload(body(leafFor([name], { keyType, keyFormat })));
      expect(r.status, `${keyType}/${keyFormat}`).toBe(201);
    }
  });
});

describe('2103: the certificate must cover the domain (wildcard = exactly one label)', () => {
  it('refuses a certificate for another name', async () => {
    expectError(await upload(body(leafFor(['other.example.com']))), 400, 'APIG.2103');
  });
  it('accepts a wildcard for a one-label subdomain', async () => {
    expect((await upload(body(leafFor(['*.example.com'])))).status).toBe(201);
  });
  it('a wildcard covers neither the bare domain nor two labels', () => {
    expect(covers(['*.example.com'], 'api.example.com')).toBe(true);
    expect(covers(['*.example.com'], 'API.Example.com')).toBe(true);
    expect(covers(['*.example.com'], 'example.com')).toBe(false);
    expect(covers(['*.example.com'], 'a.api.example.com')).toBe(false);
  });
  it('refuses a wildcard on a two-label subdomain end to end', async () => {
    const seed = defaultSeed();
    seed.gateways[0]!.groups[0]!.domains[0]!.name = 'a.b.example.com';
    const deep = await startEmulator({ seed });
    try {
      const dp = paths(deep);
      const r = await call(deep, 'POST', `${dp.domainPath()}/certificate`, {
        body: body(leafFor(['*.example.com'])),
      });
      expectError(r, 400, 'APIG.2103');
    } finally {
      await deep.close();
    }
  });
});

describe('not found', () => {
  it('3030 unknown project or instance, 3001 group, 3020 domain', async () => {
    const leaf = body(leafFor([p.domain().name]));
    const zero = '0'.repeat(32);
    const path = p.domainPath();
    expectError(
      await call(emu, 'POST', `${path.replace(emu.seed.projectId, zero)}/certificate`, { body: leaf }),
      404,
      'APIG.3030',
    );
    expectError(
      await call(emu, 'POST', `${path.replace(p.gw().id, zero)}/certificate`, { body: leaf }),
      404,
      'APIG.3030',
    );
    expectError(
      await call(emu, 'POST', `${path.replace(p.group().id, zero)}/certificate`, { body: leaf }),
      404,
      'APIG.3001',
    );
    expectError(
      await call(emu, 'POST', `${path.replace(p.domain().id, zero)}/certificate`, { body: leaf }),
      404,
      'APIG.3020',
    );
    // A domain of another group under this group's path is not found either.
    const other = p.domainPath(0, 1, 0).replace(p.group(0, 1).id, p.group().id);
    expectError(await call(emu, 'POST', `${other}/certificate`, { body: leaf }), 404, 'APIG.3020');
  });
  it('3025 unknown certificate, 3021 / 3097 on a domain', async () => {
    const zero = '0'.repeat(32);
    for (const m of ['GET', 'PUT', 'DELETE']) {
      expectError(
        await call(emu, m, `${p.certificates}/${zero}`, m === 'PUT' ? { body: {} } : {}),
        404,
        'APIG.3025',
      );
    }
    expectError(await call(emu, 'GET', `${p.domainPath()}/certificate/${zero}`), 404, 'APIG.3021');
    const created = await call(emu, 'POST', p.certificates, {
      body: body(leafFor([p.domain().name]), { name: 'unbound' }),
    });
    expectError(
      await call(emu, 'GET', `${p.domainPath(0, 0, 1)}/certificate/${created.body.id}`),
      404,
      'APIG.3097',
    );
    expectError(
      await call(emu, 'DELETE', `${p.domainPath(0, 0, 1)}/certificate/${created.body.id}`),
      404,
      'APIG.3097',
    );
  });
});

describe('bindings', () => {
  it('detach when not bound is 400 APIG.2000; attach over another certificate is 400 APIG.2051', async () => {
    const name = p.domain(1, 1, 0).name; // static.example.net, untouched by other tests
    const a = await call(emu, 'POST', p.certificates, { body: body(leafFor([name]), { name: 'bind_a' }) });
    const b = await call(emu, 'POST', p.certificates, { body: body(leafFor([name]), { name: 'bind_b' }) });
    const domains = { domains: [{ domain: name }] };
    expectError(
      await call(emu, 'POST', `${p.certificates}/${a.body.id}/domains/detach`, { body: domains }),
      400,
      'APIG.2000',
    );
    expect(
      (await call(emu, 'POST', `${p.certificates}/${a.body.id}/domains/attach`, { body: domains })).status,
    ).toBe(204);
    expectError(
      await call(emu, 'POST', `${p.certificates}/${b.body.id}/domains/attach`, { body: domains }),
      400,
      'APIG.2051',
    );
    expect(emu.state.domains.find((d) => d.url_domain === name)?.certificate?.id).toBe(a.body.id);
  });
  it('a refused upload changes nothing', async () => {
    const before = emu.state;
    await upload(body(leafFor(['other.example.com'])));
    await upload(body(leafFor([p.domain().name]), { name: 'x' }));
    expect(emu.state).toEqual(before);
  });
});
