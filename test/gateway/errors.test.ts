// The error code table of the docs, and what an error tells (and hides) when printed.
import { describe, expect, it } from 'vitest';
import { classify, GatewayError } from '../../src/gateway/errors.ts';

describe('classify', () => {
  it.each([
    [500, 'APIG.9008', 'throttled'],
    [429, 'APIG.0308', 'throttled'],
    [429, undefined, 'throttled'],
    [400, 'APIG.0308', 'throttled'],
    [500, 'APIG.9999', 'retryable'],
    [500, 'APIG.3500', 'retryable'],
    [502, undefined, 'retryable'],
    [503, 'SCM.XXX', 'retryable'],
    [401, 'APIG.1000', 'auth'],
    [401, 'APIG.1001', 'auth'],
    [401, 'APIG.1002', 'auth'],
    [401, 'SCM.XXX', 'auth'],
    [403, 'APIG.1005', 'permission'],
    [403, 'APIG.1115', 'permission'],
    [403, 'APIG.1301', 'permission'],
    [403, 'APIG.3100', 'permission'],
    [404, 'APIG.3020', 'notFound'],
    [404, 'APIG.3025', 'notFound'],
    [404, 'APIG.3097', 'notFound'],
    [400, 'APIG.2101', 'terminal'],
    [400, 'APIG.2104', 'terminal'],
    [400, 'APIG.3148', 'terminal'],
    [400, 'APIG.2051', 'terminal'],
    [409, 'APIG.3708', 'terminal'],
    [409, 'APIG.3709', 'terminal'],
    [400, 'APIG.2012', 'terminal'],
  ] as const)('%i %s → %s', (status, code, kind) => {
    expect(classify(status, code)).toBe(kind);
  });
});

describe('GatewayError', () => {
  it('says operation, status, code, message and request id', () => {
    const e = new GatewayError({
      operation: 'UploadDomainCertificate',
      kind: 'terminal',
      status: 400,
      errorCode: 'APIG.2104',
      errorMsg: 'The certificate chain is out of order',
      requestId: 'abc123',
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe(
      'UploadDomainCertificate failed: HTTP 400: APIG.2104 - The certificate chain is out of order (request id abc123)',
    );
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({
      kind: 'terminal',
      status: 400,
      errorCode: 'APIG.2104',
      requestId: 'abc123',
    });
    expect(e.retryable).toBe(false);
  });

  it('scrubs PEM blocks and header-like secrets from server messages', () => {
    const e = new GatewayError({
      operation: 'CreateCertificate',
      kind: 'terminal',
      status: 400,
      errorMsg:
        'bad key -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY----- and X-Auth-Token: MIIabc',
    });
    expect(e.message).not.toContain('AAAA');
    expect(e.message).not.toContain('MIIabc');
    expect(e.message).toContain('[PEM redacted]');
  });
});
