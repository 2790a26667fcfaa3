// Both authentication schemes, checked the way the real gateway checks them.
import { createHash } from 'node:crypto';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../support/pki.ts';
import { type Emulator, startEmulator } from './server.ts';
import { call, getToken, paths, signRequest, tokenRequest } from './testkit.ts';

let emu: Emulator;
let p: ReturnType<typeof paths>;
const UNAUTHORIZED = { error_code: 'APIG.1002', error_msg: 'Incorrect token or token resolution failed' };

beforeAll(async () => {
  emu = await startEmulator();
  p = paths(emu);
});
afterAll(() => emu.close());

const lastCall = () => emu.calls().calls.at(-1)!;

describe('IAM token', () => {
  it('POST /v3/auth/tokens: 201, token in X-Subject-Token, body with expiry 24 h out and the project', async () => {
    const { iam } = emu.seed.credentials;
    const r = await call(emu, 'POST', '/v3/auth/tokens', {
      auth: 'none',
      body: tokenRequest(iam.username, iam.password, iam.domainName, emu.seed.projectId),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-subject-token')).toMatch(/^MII/);
    const token = r.body.token as { expires_at: string; issued_at: string; project: { id: string } };
    expect(token.project.id).toBe(emu.seed.projectId);
    expect(Date.parse(token.expires_at) - Date.parse(token.issued_at)).toBe(86_400_000);
  });

  it('wrong password: 401, no token', async () => {
    const { iam } = emu.seed.credentials;
    const r = await call(emu, 'POST', '/v3/auth/tokens', {
      auth: 'none',
      body: tokenRequest(iam.username, 'wrong', iam.domainName, emu.seed.projectId),
    });
    expect(r.status).toBe(401);
    expect(r.headers.get('x-subject-token')).toBeNull();
  });

  it('a token is accepted; an unknown one is 401 APIG.1002', async () => {
    expect((await call(emu, 'GET', p.certList)).status).toBe(200);
    expect(lastCall()).toMatchObject({ auth: 'token', account: emu.seed.credentials.iam.username });
    const r = await call(emu, 'GET', p.certList, {
      auth: 'none',
      headers: { 'X-Auth-Token': 'MIIbogus' },
    });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(UNAUTHORIZED);
  });

  it('an expired token is 401 APIG.1002 (short lifetime, and expireTokens())', async () => {
    const short = await startEmulator({ tokenTtlSeconds: 0.05 });
    try {
      const t = await getToken(short);
      await new Promise((r) => setTimeout(r, 80));
      const r = await call(short, 'GET', paths(short).certificates, {
        auth: 'none',
        headers: { 'X-Auth-Token': t },
      });
      expect(r.body).toEqual(UNAUTHORIZED);
      expect(short.calls().calls.at(-1)?.auth_failure).toBe('unknown or expired token');
    } finally {
      await short.close();
    }
    const t = await getToken(emu, true);
    emu.expireTokens();
    const r = await call(emu, 'GET', p.certList, { auth: 'none', headers: { 'X-Auth-Token': t } });
    expect(r.status).toBe(401);
    await getToken(emu, true);
  });
});

describe('AK/SK SDK-HMAC-SHA256', () => {
  it('accepts a correctly signed GET with an unsorted, encoded query', async () => {
    const r = await call(emu, 'GET', p.certList, {
      auth: 'aksk',
      query: { name: 'a b/c', offset: 0, common_name: '*.example.com' },
    });
    expect(r.status).toBe(200);
    expect(lastCall()).toMatchObject({ auth: 'aksk', account: emu.seed.credentials.accessKey });
  });

  it('accepts a signed POST with a body, and temporary keys with a signed X-Security-Token', async () => {
    const ca = createCA();
    const leaf = issueCertificate({ ca, dnsNames: ['x.example.com'] });
    const body = { name: 'signed_post', cert_content: leaf.certPem, private_key: leaf.keyPem };
    expect((await call(emu, 'POST', p.certificates, { auth: 'aksk', body })).status).toBe(200);
    expect((await call(emu, 'GET', p.certList, { auth: 'temporary' })).status).toBe(200);
  });

  it('refuses wrong SK, unknown AK, stale date, tampered body, unsigned or missing security token', async () => {
    const c = emu.seed.credentials;
    const refuse = async (reason: string, send: () => Promise<{ status: number; body: unknown }>) => {
      const r = await send();
      expect(r.status, reason).toBe(401);
      expect(r.body, reason).toEqual(UNAUTHORIZED);
      expect(lastCall().auth_failure, reason).toBeTruthy();
    };
    await refuse('wrong SK', () => call(emu, 'GET', p.certList, { auth: 'aksk', secretKey: 'nope' }));
    await refuse('16 min old', () =>
      call(emu, 'GET', p.certList, { auth: 'aksk', date: new Date(Date.now() - 16 * 60_000) }),
    );
    await refuse('16 min ahead', () =>
      call(emu, 'GET', p.certList, { auth: 'aksk', date: new Date(Date.now() + 16 * 60_000) }),
    );
    expect(
      (await call(emu, 'GET', p.certList, { auth: 'aksk', date: new Date(Date.now() - 14 * 60_000) })).status,
    ).toBe(200);

    const url = new URL(p.certList, emu.url);
    const send = (headers: Record<string, string>, body?: string) =>
      fetch(url, { method: body ? 'POST' : 'GET', headers, ...(body ? { body } : {}) }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    const sign = (ak: string, sk: string, headers: Record<string, string> = {}, body = '', method = 'GET') =>
      signRequest({ method, url, headers, body, ak, sk });
    await refuse('unknown AK', () => send(sign('UNKNOWNAK', c.secretKey)));
    await refuse('tampered body', () =>
      send(
        sign(c.accessKey, c.secretKey, { 'content-type': 'application/json' }, '{"a":1}', 'POST'),
        '{"a":2}',
      ),
    );
    await refuse('temporary AK without token', () =>
      send(sign(c.temporary.accessKey, c.temporary.secretKey)),
    );
    await refuse('security token not signed', () =>
      send({
        ...sign(c.temporary.accessKey, c.temporary.secretKey),
        'x-security-token': c.temporary.securityToken,
      }),
    );
    await refuse('signed header changed after signing', () =>
      send({
        ...sign(c.accessKey, c.secretKey, { 'x-project-id': emu.seed.projectId }),
        'x-project-id': 'other',
      }),
    );
  });

  it('accepts SignedHeaders without host or content-type (what the official Go SDK signs)', async () => {
    const c = emu.seed.credentials;
    const url = new URL(p.certList, emu.url);
    const headers = signRequest({
      method: 'GET',
      url,
      headers: { 'user-agent': 'huaweicloud-usdk-go/3.0', 'x-project-id': emu.seed.projectId },
      body: '',
      ak: c.accessKey,
      sk: c.secretKey,
      unsignedHost: true,
    });
    const r = await fetch(url, { headers: { ...headers, 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(lastCall()?.request.signed_headers).toEqual(['user-agent', 'x-project-id', 'x-sdk-date']);
  });

  it('X-Sdk-Content-Sha256 stands in for the body hash', async () => {
    const c = emu.seed.credentials;
    const url = new URL(`${p.certificates}/${'0'.repeat(32)}`, emu.url);
    const body = '{}';
    const headers = signRequest({
      method: 'PUT',
      url,
      headers: { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: 'ignored',
      ak: c.accessKey,
      sk: c.secretKey,
    });
    const r = await fetch(url, { method: 'PUT', headers, body });
    expect(r.status).toBe(404); // authenticated; the certificate just does not exist
    const h2 = signRequest({
      method: 'PUT',
      url,
      headers: { 'x-sdk-content-sha256': createHash('sha256').update(body).digest('hex') },
      body,
      ak: c.accessKey,
      sk: c.secretKey,
    });
    expect((await fetch(url, { method: 'PUT', headers: h2, body })).status).toBe(404);
  });

  it("agrees with Huawei's own SDK signer (@huaweicloud/huaweicloud-sdk-core AKSKSigner)", async () => {
    const c = emu.seed.credentials;
    const credential = new BasicCredentials().withAk(c.accessKey).withSk(c.secretKey);
    const gw = p.gw().id;
    const url = `${emu.url}${p.certificates}?offset=0&limit=5&name=a%20b&instance_id=${gw}`;
    const data = { domains: [{ domain: 'api.example.com' }] };
    const get = AKSKSigner.sign(
      {
        endpoint: url,
        method: 'GET',
        headers: { 'Content-Type': 'application/json' },
        queryParams: { offset: '0', limit: '5', name: 'a b', instance_id: gw },
      },
      credential,
    ) as Record<string, string>;
    const r1 = await fetch(url, { headers: get });
    expect(r1.status).toBe(200);
    const postUrl = `${emu.url}${p.certificates}/${'0'.repeat(32)}/domains/attach`;
    const post = AKSKSigner.sign(
      { endpoint: postUrl, method: 'POST', headers: { 'Content-Type': 'application/json' }, data },
      credential,
    ) as Record<string, string>;
    const r2 = await fetch(postUrl, { method: 'POST', headers: post, body: JSON.stringify(data) });
    expect(r2.status).toBe(404); // past authentication: the certificate does not exist
    expect(
      emu
        .calls()
        .calls.slice(-2)
        .map((x) => x.auth),
    ).toEqual(['aksk', 'aksk']);
    // And a wrong secret through the SDK is refused.
    const bad = AKSKSigner.sign(
      {
        endpoint: url,
        method: 'GET',
        headers: {},
        queryParams: { offset: '0', limit: '5', name: 'a b', instance_id: gw },
      },
      new BasicCredentials().withAk(c.accessKey).withSk('wrong'),
    ) as Record<string, string>;
    expect((await fetch(url, { headers: bad })).status).toBe(401);
  });
});

describe('project', () => {
  it('an unknown project id is 404 APIG.3030; an X-Project-Id for another project is 403 APIG.1005', async () => {
    const r = await call(emu, 'GET', p.certList.replace(emu.seed.projectId, 'f'.repeat(32)));
    expect([r.status, r.body.error_code]).toEqual([404, 'APIG.3030']);
    const f = await call(emu, 'GET', p.certList, {
      auth: 'aksk',
      headers: { 'X-Project-Id': 'f'.repeat(32) },
    });
    expect([f.status, f.body.error_code]).toEqual([403, 'APIG.1005']);
  });

  it('every answer carries X-Request-Id', async () => {
    for (const r of [
      await call(emu, 'GET', p.certList),
      await call(emu, 'GET', p.certList, { auth: 'none' }),
      await call(emu, 'GET', '/nowhere'),
    ]) {
      expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
