// Every call's method, path, query and body on the wire, for both families, and the helpers built on
// them (pagination, domain lookup, detach-of-nothing, SCM validation).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayClient, type GatewayClient, GatewayError } from '../../src/gateway/index.ts';
import type { Family } from '../../src/gateway/types.ts';
import { FAST_RETRY, type FakeServer, freshAksk, PROJECT, startFakeServer } from './fake-server.ts';

let srv: FakeServer;
beforeAll(async () => {
  srv = await startFakeServer();
});
afterAll(() => srv.close());
beforeEach(() => {
  srv.requests.length = 0;
});

function client(
  family: Family,
  extra: Partial<Parameters<typeof createGatewayClient>[0]> = {},
): GatewayClient {
  return createGatewayClient({
    endpoint: srv.url,
    family,
    projectId: PROJECT,
    credentials: freshAksk(),
    allowInsecureHttp: true,
    retry: FAST_RETRY,
    ...extra,
  });
}

const input = { name: 'cert_demo', cert_content: 'CERT', private_key: 'KEY' };

for (const family of ['apigw', 'apic'] as const) {
  describe(`calls under /v2/{project}/${family}`, () => {
    const p = `/v2/${PROJECT}/${family}`;
    it('each call uses the documented method, path and body', async () => {
      const c = client(family);
      const seen: string[] = [];
      srv.handle((r) => {
        seen.push(`${r.method} ${r.path} ${r.body}`);
        if (r.method === 'DELETE' || r.path.endsWith('/attach') || r.path.endsWith('/detach'))
          return { status: 204 };
        if (r.method === 'POST' && r.path.endsWith('/certificate'))
          return { status: 201, body: { id: 'd1', ssl_id: 'c9' } };
        return {
          status: 200,
          body: { id: 'x', name: 'n', certs: [], total: 0, size: 0, bound_domains: [], groups: [] },
        };
      });
      expect(await c.uploadDomainCertificate('i1', 'g1', 'd1', input)).toEqual({ id: 'd1', ssl_id: 'c9' });
      await c.getDomainCertificate('i1', 'g1', 'd1', 'c1');
      await c.unbindDomainCertificate('i1', 'g1', 'd1', 'c1');
      await c.listCertificates({ instance_id: 'i1', limit: 5 });
      await c.createCertificate({ ...input, type: 'instance', instance_id: 'i1' });
      await c.getCertificate('c1');
      await c.updateCertificate('c1', input);
      await c.deleteCertificate('c1');
      await c.attachDomains('c1', [{ domain: 'a.example.com', instance_ids: ['i1'] }]);
      await c.detachDomains('c1', [{ domain: 'a.example.com' }]);
      await c.listAttachedDomains('c1', { url_domain: 'a.example.com' });
      await c.listApiGroups('i1', { name: 'grp' });
      await c.getApiGroup('i1', 'g1');
      await c.close();
      const json = JSON.stringify(input);
      expect(seen).toEqual([
        `POST ${p}/instances/i1/api-groups/g1/domains/d1/certificate ${json}`,
        `GET ${p}/instances/i1/api-groups/g1/domains/d1/certificate/c1 `,
        `DELETE ${p}/instances/i1/api-groups/g1/domains/d1/certificate/c1 `,
        `GET ${p}/certificates `,
        `POST ${p}/certificates ${JSON.stringify({ ...input, type: 'instance', instance_id: 'i1' })}`,
        `GET ${p}/certificates/c1 `,
        `PUT ${p}/certificates/c1 ${json}`,
        `DELETE ${p}/certificates/c1 `,
        `POST ${p}/certificates/c1/domains/attach {"domains":[{"domain":"a.example.com","instance_ids":["i1"]}]}`,
        `POST ${p}/certificates/c1/domains/detach {"domains":[{"domain":"a.example.com"}]}`,
        `GET ${p}/certificates/c1/attached-domains `,
        `GET ${p}/instances/i1/api-groups `,
        `GET ${p}/instances/i1/api-groups/g1 `,
      ]);
      expect(srv.requests[3]!.url).toBe(`${p}/certificates?instance_id=i1&limit=5`);
      expect(srv.requests[10]!.query.get('url_domain')).toBe('a.example.com');
      expect(srv.requests[0]!.headers['content-type']).toBe('application/json');
    });
  });
}

describe('helpers', () => {
  it('listAllCertificates follows offset/limit until total', async () => {
    const all = Array.from({ length: 7 }, (_, n) => ({ id: `c${n}`, name: `n${n}` }));
    srv.handle((r) => {
      const offset = Number(r.query.get('offset'));
      const limit = Number(r.query.get('limit'));
      const certs = all.slice(offset, offset + limit);
      return { status: 200, body: { total: all.length, size: certs.length, certs } };
    });
    const c = client('apic');
    const got = await c.listAllCertificates({ instance_id: 'i1', limit: 3 });
    expect(got.map((x) => x.id)).toEqual(all.map((x) => x.id));
    expect(srv.requests.map((r) => r.query.toString())).toEqual([
      'instance_id=i1&limit=3&offset=0',
      'instance_id=i1&limit=3&offset=3',
      'instance_id=i1&limit=3&offset=6',
    ]);
    await c.close();
  });

  it('listAllAttachedDomains stops on a short page when no total is given', async () => {
    const all = Array.from({ length: 5 }, (_, n) => ({ id: `d${n}`, url_domain: `d${n}.example.com` }));
    srv.handle((r) => {
      const offset = Number(r.query.get('offset'));
      return { status: 200, body: { bound_domains: all.slice(offset, offset + 2) } };
    });
    const c = client('apigw');
    expect((await c.listAllAttachedDomains('c1', { limit: 2 })).length).toBe(5);
    expect(srv.requests.length).toBe(3);
    await c.close();
  });

  it('findDomainByName scans groups (field `domain`), case-insensitively, fetching groups listed without domains', async () => {
    srv.handle((r) => {
      if (r.path.endsWith('/api-groups')) {
        return {
          status: 200,
          body: {
            total: 2,
            size: 2,
            groups: [
              { id: 'g1', name: 'one', url_domains: [{ id: 'd1', domain: 'a.example.com' }] },
              { id: 'g2', name: 'two' },
            ],
          },
        };
      }
      return {
        status: 200,
        body: { id: 'g2', name: 'two', url_domains: [{ id: 'd7', domain: 'api.example.com', ssl_id: 's' }] },
      };
    });
    const c = client('apigw');
    expect(await c.findDomainByName('i1', 'API.example.com')).toEqual({
      groupId: 'g2',
      domainId: 'd7',
      domain: { id: 'd7', domain: 'api.example.com', ssl_id: 's' },
    });
    expect(await c.findDomainByName('i1', 'missing.example.com')).toBeUndefined();
    await c.close();
  });

  it('detach answering 400 APIG.2000 counts as done; other 400s do not', async () => {
    srv.handle(() => ({ status: 400, body: { error_code: 'APIG.2000', error_msg: 'not bound' } }));
    const c = client('apigw');
    await expect(c.detachDomains('c1', [{ domain: 'a.example.com' }])).resolves.toBeUndefined();
    await expect(c.attachDomains('c1', [{ domain: 'a.example.com' }])).rejects.toMatchObject({
      errorCode: 'APIG.2000',
    });
    srv.handle(() => ({ status: 400, body: { error_code: 'APIG.2012', error_msg: 'bad' } }));
    await expect(c.detachDomains('c1', [{ domain: 'a.example.com' }])).rejects.toMatchObject({
      kind: 'terminal',
    });
    await c.close();
  });

  it('listScmCertificates goes to the SCM endpoint and validates its query', async () => {
    const scm = await startFakeServer(() => ({
      status: 200,
      body: { certificates: [{ id: 'scs1' }], total_count: 1 },
    }));
    const c = client('apigw', { scmEndpoint: scm.url });
    const res = await c.listScmCertificates({
      limit: 10,
      offset: 0,
      sort_dir: 'ASC',
      sort_key: 'certExpiredTime',
      status: 'ISSUED',
    });
    expect(res.total_count).toBe(1);
    expect(scm.requests[0]!.path).toBe('/v3/scm/certificates');
    expect(Object.fromEntries(scm.requests[0]!.query)).toEqual({
      limit: '10',
      offset: '0',
      sort_dir: 'ASC',
      sort_key: 'certExpiredTime',
      status: 'ISSUED',
    });
    // The SDK's SCM client sends X-Project-Id (or X-Domain-Id); so does this one, with a token too.
    expect(scm.requests[0]!.headers['x-project-id']).toBe(PROJECT);
    for (const bad of [
      { limit: 9 },
      { limit: 51 },
      { limit: 10.5 },
      { offset: -1 },
      { sort_dir: 'UP' },
      { sort_key: 'name' },
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
      await expect(c.listScmCertificates(bad as any)).rejects.toMatchObject({
        errorCode: 'INVALID_ARGUMENT',
        kind: 'terminal',
      });
    }
    expect(scm.requests.length).toBe(1);
    await c.close();
    await scm.close();
  });

  it('path values are escaped on the wire', async () => {
    srv.handle(() => ({ status: 200, body: {} }));
    const c = client('apigw');
    await c.getCertificate('a b/c?d');
    expect(srv.requests[0]!.url).toBe(`/v2/${PROJECT}/apigw/certificates/a%20b%2Fc%3Fd`);
    await c.close();
  });

  it('a 2xx answer that is not JSON is a terminal error', async () => {
    srv.handle(() => ({ status: 200, body: '<html>' }));
    const c = client('apigw');
    const err = (await c.getCertificate('c1').catch((e) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.errorCode).toBe('INVALID_RESPONSE');
    await c.close();
  });
});

describe('configuration', () => {
  it('refuses plain http:// unless allowInsecureHttp', () => {
    expect(() =>
      createGatewayClient({
        endpoint: srv.url,
        family: 'apigw',
        projectId: PROJECT,
        credentials: freshAksk(),
      }),
    ).toThrow(/only https/);
    expect(() =>
      createGatewayClient({
        endpoint: 'https://apig.example.com',
        iamEndpoint: 'http://iam.example.com',
        family: 'apigw',
        projectId: PROJECT,
        credentials: { kind: 'password', username: 'u', password: 'p', domainName: 'd' },
      }),
    ).toThrow(/iamEndpoint uses plain http/);
  });
});
