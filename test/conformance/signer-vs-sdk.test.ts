// The operator's SDK-HMAC-SHA256 signer against the official Go SDK's signer (core/auth/signer) on
// shared vectors, signed the way the SDK signs (user-agent, project or domain id, security token; no host).
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/gateway/signer.ts';
import { sdkTool } from './sdk.ts';

describe("the operator's signer agrees with the SDK's signer", () => {
  const ENDPOINT = 'https://apig.cn-north-4.myhuaweicloud.com';
  const PID = '73d69ae0cfcf460190522d06b60f05ad';
  const vectors = [
    {
      method: 'GET',
      path: `/v2/${PID}/apigw/certificates`,
      query: [
        ['limit', '500'],
        ['instance_id', 'gw1'],
        ['name', 'a b/c~*'],
      ],
    },
    {
      method: 'GET',
      path: `/v2/${PID}/apic/certificates`,
      query: [
        ['type', 'global'],
        ['b', '2'],
        ['b', '1'],
      ],
    },
    {
      method: 'POST',
      path: `/v2/${PID}/apigw/certificates`,
      body: '{"name":"证书_a","cert_content":"x\\n"}',
    },
    { method: 'PUT', path: `/v2/${PID}/apic/certificates/abc`, body: '{}' },
    { method: 'DELETE', path: `/v2/${PID}/apigw/certificates/abc` },
    {
      method: 'GET',
      path: '/v3/scm/certificates',
      query: [
        ['limit', '10'],
        ['sort_dir', 'ASC'],
      ],
      scm: true,
    },
  ];
  it('on shared vectors (no host, user-agent and project or domain headers, as the SDK signs)', async () => {
    const date = new Date('2026-03-04T05:06:07Z');
    const sdkDate = '20260304T050607Z';
    const input = vectors.map((v) => ({
      endpoint: ENDPOINT,
      method: v.method,
      path: v.path,
      query: v.query ?? [],
      headers: {
        'User-Agent': 'huaweicloud-usdk-go/3.0',
        ...(v.scm ? { 'X-Domain-Id': 'c0ffee' } : { 'X-Project-Id': PID }),
        'X-Security-Token': 'temporary-token',
      },
      body: v.body ?? '',
      ak: 'HPUAEXAMPLEACCESSKEY',
      sk: 'example-secret-key-0123456789',
      date: sdkDate,
    }));
    const theirs = JSON.parse(await sdkTool('sign', input)) as { authorization: string; error?: string }[];
    const ours = input.map((v) =>
      signRequest(
        {
          method: v.method,
          path: v.path,
          query: v.query as [string, string][],
          headers: v.headers,
          body: v.body || undefined,
        },
        { accessKey: v.ak, secretKey: v.sk },
        date,
      ),
    );
    expect(theirs.map((t) => t.error)).toEqual(input.map(() => undefined));
    expect(ours.map((o) => o.Authorization)).toEqual(theirs.map((t) => t.authorization));
    expect(ours.every((o) => o['X-Sdk-Date'] === sdkDate)).toBe(true);
  });
});
