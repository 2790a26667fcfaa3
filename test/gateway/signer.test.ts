// The signer must produce, for the same request and time, the Authorization header Huawei's own
// Node SDK produces. The oracle is driven the way HcClient drives it: an HttpRequest built like
// HcClient.buildRequest, then BasicCredentials.processAuthRequest (which adds X-Project-Id /
// X-Security-Token and calls AKSKSigner.sign).
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  canonicalQuery,
  canonicalUri,
  formatSdkDate,
  signRequest,
  urlEncode,
} from '../../src/gateway/signer.ts';

const ENDPOINT = 'https://apig.cn-north-4.myhuaweicloud.com';
const HOST = 'apig.cn-north-4.myhuaweicloud.com';
const AK = 'HPUAEXAMPLEACCESSKEY';
const SK = 'example-secret-key-0123456789abcdefghij';
const NOW = new Date('2025-03-04T05:06:07.890Z');

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Array<[string, string]>;
  body?: unknown;
  projectId?: string;
  securityToken?: string;
}

async function sdkAuthorization(c: Case): Promise<Record<string, string>> {
  const queryParams: Record<string, string | string[]> = {};
  for (const [k, v] of c.query ?? []) {
    const prev = queryParams[k];
    queryParams[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const req = new HttpRequestBuilder()
    .withEndpoint(ENDPOINT)
    .withUrl(c.path)
    .withHeaders(headers)
    .withMethod(c.method)
    .withPathParams({})
    .withData(c.body)
    .withQueryParams(queryParams)
    .build();
  const cred = new BasicCredentials().withAk(AK).withSk(SK);
  if (c.projectId) cred.withProjectId(c.projectId);
  if (c.securityToken) cred.withSecurityToken(c.securityToken);
  // biome-ignore lint/suspicious/noExplicitAny: the oracle's hcClient parameter is unused for plain AK/SK
  const signed = await cred.processAuthRequest(undefined as any, req);
  return signed.headers as Record<string, string>;
}

function ours(c: Case) {
  const headers: Record<string, string> = { host: HOST };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  if (c.projectId) headers['X-Project-Id'] = c.projectId;
  if (c.securityToken) headers['X-Security-Token'] = c.securityToken;
  return signRequest(
    {
      method: c.method,
      path: c.path,
      query: c.query ?? [],
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    },
    { accessKey: AK, secretKey: SK },
    NOW,
  );
}

const PID = '73d69ae0cfcf460190522d06b60f05ad';
const cases: Case[] = [
  { name: 'GET, no query', method: 'GET', path: `/v2/${PID}/apigw/certificates/abc` },
  {
    name: 'GET, unsorted and repeated query keys',
    method: 'GET',
    path: `/v2/${PID}/apic/certificates`,
    query: [
      ['limit', '20'],
      ['name', 'b'],
      ['offset', '0'],
      ['name', 'a c'],
      ['common_name', '*.example.com'],
      ['Zeta', 'ü/é'],
    ],
    projectId: PID,
  },
  {
    name: 'POST with a JSON body and project id',
    method: 'POST',
    path: `/v2/${PID}/apigw/certificates/c1/domains/attach`,
    body: { domains: [{ domain: 'api.example.com', instance_ids: ['i-1', 'i-2'] }] },
    projectId: PID,
  },
  {
    name: 'PUT with a PEM body (newlines, unicode)',
    method: 'PUT',
    path: `/v2/${PID}/apic/certificates/c1`,
    body: {
      name: 'cert_ü',
      cert_content: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
    },
    projectId: PID,
  },
  { name: 'DELETE, empty body', method: 'DELETE', path: `/v2/${PID}/apigw/certificates/c1`, projectId: PID },
  {
    name: 'path segments needing escapes',
    method: 'GET',
    path: `/v2/${PID}/apigw/instances/${urlEncode("a b/c'd*(é)")}/api-groups/${urlEncode('g%1')}`,
    query: [['url_domain', 'x y+z&w=v']],
    projectId: PID,
  },
  {
    name: 'temporary keys sign X-Security-Token',
    method: 'POST',
    path: `/v2/${PID}/apigw/instances/i1/api-groups/g1/domains/d1/certificate`,
    body: { name: 'n', cert_content: 'c', private_key: 'k' },
    projectId: PID,
    securityToken: 'gQpjbi1ub3J0aC00TEMPORARYTOKEN+/==',
  },
  {
    name: 'temporary keys, GET without project id',
    method: 'GET',
    path: '/v3/scm/certificates',
    query: [
      ['sort_dir', 'DESC'],
      ['limit', '10'],
    ],
    securityToken: 'tok',
  },
];

describe('signRequest matches the Huawei SDK AKSKSigner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  for (const c of cases) {
    it(c.name, async () => {
      const expected = await sdkAuthorization(c);
      const got = ours(c);
      expect(got.Authorization).toBe(expected.Authorization);
      expect(got['X-Sdk-Date']).toBe(expected['X-Sdk-Date']);
    });
  }

  it('a different body, time or secret changes the signature', async () => {
    const base = cases[2]!;
    const a = ours(base).Authorization;
    expect(ours({ ...base, body: { domains: [] } }).Authorization).not.toBe(a);
    expect(
      signRequest(
        { method: 'POST', path: base.path, query: [], headers: { host: HOST } },
        { accessKey: AK, secretKey: 'x' },
        NOW,
      ).Authorization,
    ).not.toBe(a);
  });
});

describe('signer pieces', () => {
  it('formats X-Sdk-Date as basic ISO UTC', () => {
    expect(formatSdkDate(NOW)).toBe('20250304T050607Z');
  });
  it('encodes only RFC 3986 reserved characters', () => {
    expect(urlEncode("a-b_c.d~e f*g'h(é)")).toBe('a-b_c.d~e%20f%2Ag%27h%28%C3%A9%29');
  });
  it('canonical URI ends with a slash', () => {
    expect(canonicalUri('/v2/p/x')).toBe('/v2/p/x/');
    expect(canonicalUri('/v2/p/x/')).toBe('/v2/p/x/');
  });
  it('canonical query sorts keys and repeated values', () => {
    expect(
      canonicalQuery([
        ['b', '2'],
        ['a', 'z'],
        ['a', 'y'],
      ]),
    ).toBe('a=y&a=z&b=2');
  });
  it('includes x-sdk-date and content-type in the signed headers', () => {
    const h = signRequest(
      {
        method: 'POST',
        path: '/x',
        query: [],
        headers: { Host: 'h', 'Content-Type': 'application/json' },
        body: '{}',
      },
      { accessKey: AK, secretKey: SK },
      NOW,
    );
    expect(h.Authorization).toContain('SignedHeaders=content-type;host;x-sdk-date,');
  });
});
