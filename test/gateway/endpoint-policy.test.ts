// Which hosts the operator's credentials may go to: official domains by default, literal IPs and
// non-public addresses only inside networks the operator allowed, IAM passwords only to IAM hosts.
import { describe, expect, it } from 'vitest';
import { EndpointPolicy, EndpointRefusedError } from '../../src/gateway/endpoint-policy.ts';

const refusal = (p: EndpointPolicy, url: string, iam = false): string | undefined => {
  try {
    p.check(new URL(url), 'endpoint', iam);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(EndpointRefusedError);
    return (err as Error).message;
  }
};

describe('EndpointPolicy', () => {
  const official = new EndpointPolicy();

  it("allows Huawei Cloud's official endpoint domains and nothing else by default", () => {
    for (const ok of [
      'https://apig.ap-southeast-1.myhuaweicloud.com',
      'https://roma.cn-north-4.myhuaweicloud.com',
      'https://scm.cn-north-4.myhuaweicloud.com',
      'https://apig.eu-west-101.myhuaweicloud.eu',
    ])
      expect(refusal(official, ok)).toBeUndefined();
    expect(refusal(official, 'https://iam.myhuaweicloud.com', true)).toBeUndefined();
    expect(refusal(official, 'https://iam.eu-west-101.myhuaweicloud.eu', true)).toBeUndefined();
    for (const bad of [
      'https://canary.example.net',
      'https://myhuaweicloud.com.attacker.example',
      'https://evilmyhuaweicloud.com',
    ])
      expect(refusal(official, bad)).toMatch(
        /not on an allowed Huawei Cloud domain.*--allowed-endpoint-domains/,
      );
  });

  it('sends an IAM password only to an IAM host', () => {
    expect(refusal(official, 'https://apig.ap-southeast-1.myhuaweicloud.com', true)).toMatch(
      /not an IAM endpoint/,
    );
  });

  it('refuses literal IPs (metadata, loopback, private, public) unless their network is allowed', () => {
    for (const ip of ['169.254.169.254', '127.0.0.1', '10.1.2.3', '192.168.0.10', '8.8.8.8', '[::1]'])
      expect(refusal(official, `https://${ip}`)).toMatch(/literal IP address.*--allowed-endpoint-networks/);
    const lab = new EndpointPolicy({ networks: ['127.0.0.0/8', '10.20.0.0/16'] });
    expect(refusal(lab, 'http://127.0.0.1:8080')).toBeUndefined();
    expect(refusal(lab, 'https://10.20.3.4', true)).toBeUndefined();
    expect(refusal(lab, 'https://10.21.0.1')).toMatch(/literal IP/);
    expect(() => new EndpointPolicy({ networks: ['10.0.0.0/33'] })).toThrow(/--allowed-endpoint-networks/);
  });

  it('extends the domain list with --allowed-endpoint-domains', () => {
    const p = new EndpointPolicy({ domains: ['cloud.example.com'] });
    expect(refusal(p, 'https://apig.region-1.cloud.example.com')).toBeUndefined();
    expect(refusal(p, 'https://iam.region-1.cloud.example.com', true)).toBeUndefined();
    expect(refusal(p, 'https://apig.ap-southeast-1.myhuaweicloud.com')).toBeUndefined(); // still there
    expect(refusal(p, 'https://cloud.example.org')).toMatch(/not on an allowed/);
  });

  it('judges resolved addresses: non-public refused unless allowed, public accepted', () => {
    for (const a of ['127.0.0.1', '169.254.169.254', '10.0.0.1', '172.16.5.5', '192.168.1.1', '100.64.0.1'])
      expect(official.addressAllowed(a), a).toBe(false);
    for (const a of ['::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::'])
      expect(official.addressAllowed(a), a).toBe(false);
    for (const a of ['8.8.8.8', '119.3.0.1', '2001:4860:4860::8888'])
      expect(official.addressAllowed(a), a).toBe(true);
    expect(new EndpointPolicy({ networks: ['127.0.0.0/8'] }).addressAllowed('127.0.0.1')).toBe(true);
  });

  it('refuses at connect time a name that resolves to loopback', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      official.lookup('localhost', {}, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(/localhost resolves to .*loopback.*--allowed-endpoint-networks/);
    const allowed = new EndpointPolicy({ networks: ['127.0.0.0/8', '::1/128'] });
    const ok = await new Promise<Error | null>((resolve) =>
      allowed.lookup('localhost', {}, (e) => resolve(e)),
    );
    expect(ok).toBeNull();
  });
});
