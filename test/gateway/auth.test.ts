// Both authentication schemes over the wire: AK/SK requests are re-signed server-side by Huawei's SDK
// signer (so the hashed body is the body sent), and IAM tokens are cached, shared, renewed and retried.
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/gateway/iam-token.ts';
import { createGatewayClient, type GatewayError } from '../../src/gateway/index.ts';
import {
  FAST_RETRY,
  type FakeServer,
  freshAksk,
  PROJECT,
  type Recorded,
  startFakeServer,
} from './fake-server.ts';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(...args: Parameters<typeof startFakeServer>) {
  const s = await startFakeServer(...args);
  servers.push(s);
  return s;
}

async function sdkSignature(r: Recorded, origin: string, ak: string, sk: string): Promise<string> {
  const queryParams: Record<string, string | string[]> = {};
  for (const [k, v] of r.query) {
    const prev = queryParams[k];
    queryParams[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = { 'X-Sdk-Date': String(r.headers['x-sdk-date']) };
  if (r.headers['content-type']) headers['content-type'] = String(r.headers['content-type']);
  const req = new HttpRequestBuilder()
    .withEndpoint(origin)
    .withUrl(r.path)
    .withHeaders(headers)
    .withMethod(r.method)
    .withPathParams({})
    .withData(r.body ? JSON.parse(r.body) : undefined)
    .withQueryParams(queryParams)
    .build();
  const cred = new BasicCredentials().withAk(ak).withSk(sk);
  if (r.headers['x-project-id']) cred.withProjectId(String(r.headers['x-project-id']));
  if (r.headers['x-security-token']) cred.withSecurityToken(String(r.headers['x-security-token']));
  // biome-ignore lint/suspicious/noExplicitAny: unused by plain AK/SK signing
  const signed = await cred.processAuthRequest(undefined as any, req);
  return (signed.headers as Record<string, string>).Authorization!;
}

describe('AK/SK', () => {
  for (const temporary of [false, true]) {
    it(`signs what it sends${temporary ? ' (temporary keys, X-Security-Token signed)' : ''}`, async () => {
      const srv = await server(() => ({ status: 200, body: { certs: [], total: 0, size: 0 } }));
      const cred = {
        ...freshAksk(),
        ...(temporary ? { securityToken: 'temporary-security-token-XYZ' } : {}),
      };
      const now = new Date('2025-01-02T03:04:05Z');
      const c = createGatewayClient({
        endpoint: srv.url,
        family: 'apigw',
        projectId: PROJECT,
        credentials: cred,
        allowInsecureHttp: true,
        now: () => now,
      });
      await c.listCertificates({
        name: 'a b',
        offset: 0,
        limit: 20,
        common_name: '*.example.com',
        instance_id: 'i1',
      });
      await c.updateCertificate('c1', {
        name: 'n_1',
        cert_content: '-----BEGIN CERTIFICATE-----\nü\n',
        private_key: 'k',
      });
      await c.deleteCertificate('c1');
      await c.close();
      for (const r of srv.requests) {
        expect(r.headers['x-sdk-date']).toBe('20250102T030405Z');
        expect(r.headers['x-project-id']).toBe(PROJECT);
        expect(r.headers['x-security-token']).toBe(temporary ? 'temporary-security-token-XYZ' : undefined);
        const signed = String(r.headers.authorization)
          .match(/SignedHeaders=([^,]+)/)![1]!
          .split(';');
        expect(signed).toContain('host');
        expect(signed).toContain('x-sdk-date');
        expect(signed).toContain('x-project-id');
        expect(signed.includes('x-security-token')).toBe(temporary);
        expect(signed.includes('content-type')).toBe(r.body.length > 0);
        expect(r.headers.authorization).toBe(await sdkSignature(r, srv.url, cred.accessKey, cred.secretKey));
      }
    });
  }

  it('a 401 is final: no retry, kind auth', async () => {
    const srv = await server(() => ({
      status: 401,
      body: { error_code: 'APIG.1002', error_msg: 'Incorrect token' },
    }));
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apic',
      projectId: PROJECT,
      credentials: freshAksk(),
      allowInsecureHttp: true,
      retry: FAST_RETRY,
    });
    await expect(c.getCertificate('c1')).rejects.toMatchObject({
      kind: 'auth',
      status: 401,
      errorCode: 'APIG.1002',
    });
    expect(srv.requests.length).toBe(1);
    await c.close();
  });
});

let userSeq = 0;
function passwordCred() {
  return {
    kind: 'password' as const,
    username: `user${++userSeq}-${Date.now()}`,
    password: 'P@ssw0rd-secret!',
    domainName: 'acme',
  };
}

/** An IAM + gateway fake: tokens are `tok-N`; `valid` decides which tokens the gateway accepts. */
async function iamAndGateway(
  opts: { lifetimeMs?: number; valid?: (token: string) => boolean; loginStatus?: number } = {},
) {
  let issued = 0;
  const srv = await server(async (r) => {
    if (r.path === '/v3/auth/tokens') {
      if (opts.loginStatus)
        return {
          status: opts.loginStatus,
          body: { error_msg: 'The username or password is wrong.', error_code: 'IAM.0004' },
        };
      issued++;
      await new Promise((res) => setTimeout(res, 20)); // keep logins in flight long enough to overlap
      const now = Date.now();
      return {
        status: 201,
        headers: { 'X-Subject-Token': `tok-${issued}` },
        body: {
          token: {
            issued_at: new Date(now).toISOString(),
            expires_at: new Date(now + (opts.lifetimeMs ?? 86_400_000)).toISOString(),
          },
        },
      };
    }
    const tok = String(r.headers['x-auth-token']);
    if (opts.valid && !opts.valid(tok))
      return { status: 401, body: { error_code: 'APIG.1002', error_msg: 'Incorrect token' } };
    return { status: 200, body: { id: 'c1', name: 'n' } };
  });
  return { srv, logins: () => srv.requests.filter((r) => r.path === '/v3/auth/tokens') };
}

describe('IAM password token', () => {
  it('logs in with the documented project-scoped body and sends X-Auth-Token', async () => {
    const { srv, logins } = await iamAndGateway();
    const cred = passwordCred();
    const c = createGatewayClient({
      endpoint: srv.url,
      iamEndpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      credentials: cred,
      allowInsecureHttp: true,
    });
    await c.getCertificate('c1');
    await c.getCertificate('c1');
    expect(logins().length).toBe(1);
    expect(JSON.parse(logins()[0]!.body)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: cred.username, password: cred.password, domain: { name: 'acme' } } },
        },
        scope: { project: { id: PROJECT } },
      },
    });
    const calls = srv.requests.filter((r) => r.path !== '/v3/auth/tokens');
    expect(calls.map((r) => r.headers['x-auth-token'])).toEqual(['tok-1', 'tok-1']);
    expect(calls[0]!.headers.authorization).toBeUndefined();
    await c.close();
  });

  it('concurrent calls share one login, also across clients of the same account', async () => {
    const { srv, logins } = await iamAndGateway();
    const cred = passwordCred();
    const mk = () =>
      createGatewayClient({
        endpoint: srv.url,
        family: 'apigw',
        projectId: PROJECT,
        credentials: cred,
        allowInsecureHttp: true,
      });
    const a = mk();
    const b = mk();
    await Promise.all([...Array.from({ length: 8 }, () => a.getCertificate('c1')), b.getCertificate('c1')]);
    expect(logins().length).toBe(1);
    await a.close();
    await b.close();
  });

  it('renews before expiry: less than 10% of a short lifetime left', async () => {
    const { srv, logins } = await iamAndGateway({ lifetimeMs: 600_000 });
    let now = Date.now();
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apic',
      projectId: PROJECT,
      credentials: passwordCred(),
      allowInsecureHttp: true,
      now: () => new Date(now),
    });
    await c.getCertificate('c1');
    now += 500_000; // 100 s left of 600 s: still > 10 %
    await c.getCertificate('c1');
    expect(logins().length).toBe(1);
    now += 50_000; // 50 s left: renew
    await c.getCertificate('c1');
    expect(logins().length).toBe(2);
    await c.close();
  });

  it('on a 401 renews once and retries once', async () => {
    const { srv, logins } = await iamAndGateway({ valid: (t) => t !== 'tok-1' });
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      credentials: passwordCred(),
      allowInsecureHttp: true,
    });
    await expect(c.getCertificate('c1')).resolves.toMatchObject({ id: 'c1' });
    expect(logins().length).toBe(2);
    expect(
      srv.requests.filter((r) => r.path !== '/v3/auth/tokens').map((r) => r.headers['x-auth-token']),
    ).toEqual(['tok-1', 'tok-2']);
    await c.close();
  });

  it('gives up with an auth error when the fresh token is refused too', async () => {
    const { srv, logins } = await iamAndGateway({ valid: () => false });
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      credentials: passwordCred(),
      allowInsecureHttp: true,
      retry: FAST_RETRY,
    });
    const err = (await c.getCertificate('c1').catch((e) => e)) as GatewayError;
    expect(err).toMatchObject({ kind: 'auth', status: 401, operation: 'ShowCertificate' });
    expect(logins().length).toBe(2);
    expect(srv.requests.length).toBe(4);
    await c.close();
  });

  it('a refused login is an auth error of CreateToken, not retried', async () => {
    const { srv } = await iamAndGateway({ loginStatus: 401 });
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      credentials: passwordCred(),
      allowInsecureHttp: true,
      retry: FAST_RETRY,
    });
    await expect(c.getCertificate('c1')).rejects.toMatchObject({
      kind: 'auth',
      operation: 'CreateToken',
      status: 401,
    });
    expect(srv.requests.length).toBe(1);
    await c.close();
  });
});

describe('TokenCache', () => {
  it('a 24 h token is renewed when less than 1 h remains', async () => {
    const cache = new TokenCache();
    let n = 0;
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    let now = t0;
    const login = async () => ({
      token: `t${++n}`,
      expiresAt: new Date(t0 + 86_400_000),
      issuedAt: new Date(t0),
    });
    expect(await cache.get(login, () => new Date(now))).toBe('t1');
    now = t0 + 22 * 3_600_000;
    expect(await cache.get(login, () => new Date(now))).toBe('t1');
    now = t0 + 23 * 3_600_000 + 1;
    expect(await cache.get(login, () => new Date(now))).toBe('t2');
  });

  it('a failed login is not cached and the next caller tries again', async () => {
    const cache = new TokenCache();
    let fail = true;
    const login = async () => {
      if (fail) throw new Error('down');
      return { token: 'ok', expiresAt: new Date(Date.now() + 86_400_000) };
    };
    await expect(cache.get(login, () => new Date())).rejects.toThrow('down');
    fail = false;
    expect(await cache.get(login, () => new Date())).toBe('ok');
  });
});
