// SCM endpoints by region: the official Go SDK lists SCM in three regions only, all under
// myhuaweicloud.com; elsewhere on Huawei Cloud there is no SCM endpoint to guess.
import { describe, expect, it } from 'vitest';
import { scmEndpointFor } from '../../src/gateway/endpoints.ts';

const scm = (endpoint: string) => scmEndpointFor(new URL(endpoint))?.href;

describe('scmEndpointFor', () => {
  it("uses the SDK's SCM regions", () => {
    expect(scm('https://apig.ap-southeast-1.myhuaweicloud.com')).toBe(
      'https://scm.ap-southeast-1.myhuaweicloud.com/',
    );
    expect(scm('https://roma.cn-north-4.myhuaweicloud.com')).toBe(
      'https://scm.cn-north-4.myhuaweicloud.com/',
    );
  });
  it('has none for a Huawei Cloud region without SCM (also on myhuaweicloud.eu)', () => {
    expect(scm('https://apig.af-south-1.myhuaweicloud.com')).toBeUndefined();
    expect(scm('https://apig.eu-west-101.myhuaweicloud.eu')).toBeUndefined();
  });
  it('reuses an emulator endpoint; other clouds get the sibling host', () => {
    expect(scm('http://127.0.0.1:8443')).toBe('http://127.0.0.1:8443/');
    expect(scm('https://apig.eu-de.otc.example.com')).toBe('https://scm.eu-de.otc.example.com/');
  });
});
