// No secret (private key, password, secret key, security token, IAM token) may appear in logs at any
// level or in errors however they are printed, over a full flow that includes failures.
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayClient, type GatewayClientOptions, GatewayError } from '../../src/gateway/index.ts';
import { FAST_RETRY, type FakeServer, PROJECT, startFakeServer } from './fake-server.ts';

const PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PRIVATEKEYBODY\n-----END PRIVATE KEY-----\n';
const KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PRIVATEKEYBODY';
const PASSWORD = 'Pa55w0rd-TOP-SECRET-42';
const SECRET_KEY = 'SK-TOP-SECRET-abcdefghijklmnopqrstuvwxyz0123';
const SECURITY_TOKEN = 'STS-TOKEN-TOP-SECRET-ZZZZZZZZZZZZZZZZZZZZZZ';
const IAM_TOKEN = 'MIITOKEN-IAM-TOP-SECRET-0000000000000000000';
const SECRETS = [KEY_BODY, PASSWORD, SECRET_KEY, SECURITY_TOKEN, IAM_TOKEN];

let srv: FakeServer | undefined;
afterEach(async () => {
  await srv?.close();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

function expectNoSecrets(text: string) {
  for (const s of SECRETS) expect(text, `leaked ${s.slice(0, 8)}…`).not.toContain(s);
}

function expectErrorClean(e: unknown) {
  expect(e).toBeInstanceOf(GatewayError);
  const err = e as GatewayError;
  expect(err.message).toMatch(new RegExp(`^${err.operation} failed`));
  expectNoSecrets(JSON.stringify(err));
  expectNoSecrets(inspect(err, { depth: 10, showHidden: true }));
  expectNoSecrets(String(err.stack));
  expectNoSecrets(String(err));
  expectNoSecrets(inspect((err as { cause?: unknown }).cause, { depth: 10, showHidden: true }));
}

describe('secrets never leak', () => {
  it('through a full password + AK/SK flow with failures', async () => {
    let loginFails = false;
    // The gateway fake echoes secrets back in its error messages, like a careless server would.
    srv = await startFakeServer((r) => {
      if (r.path === '/v3/auth/tokens') {
        if (loginFails)
          return { status: 401, body: { error_code: 'IAM.0004', error_msg: `wrong password ${PASSWORD}` } };
        return {
          status: 201,
          headers: { 'X-Subject-Token': IAM_TOKEN },
          body: { token: { expires_at: '2099-01-01T00:00:00Z' } },
        };
      }
      if (r.path.endsWith('/domains/d1/certificate')) {
        return { status: 400, body: { error_code: 'APIG.2101', error_msg: `key does not match: ${r.body}` } };
      }
      if (r.path.endsWith('/certificates/gone')) {
        return {
          status: 404,
          body: { error_code: 'APIG.3021', error_msg: `no cert; token=${String(r.headers['x-auth-token'])}` },
        };
      }
      if (r.path.endsWith('/certificates/busy'))
        return {
          status: 500,
          body: { error_code: 'APIG.9999', error_msg: `Authorization: ${r.headers.authorization}` },
        };
      if (r.path.endsWith('/certificates/slow')) return { status: 200, hang: true };
      if (r.path.endsWith('/expired')) {
        const cred = String(r.headers['x-auth-token'] ?? r.headers['x-security-token']);
        return { status: 401, body: { error_code: 'APIG.1002', error_msg: `bad token ${cred}` } };
      }
      return { status: 200, body: { id: 'c1', name: 'n' } };
    });
    const { logger, lines } = capture();
    const base: Omit<GatewayClientOptions, 'credentials'> = {
      endpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      allowInsecureHttp: true,
      retry: { ...FAST_RETRY, maxAttempts: 2 },
      // Generous: only the hanging call may time out, never a normal one on a busy machine.
      timeouts: { totalMs: 2_000 },
      logger,
    };
    const pw = createGatewayClient({
      ...base,
      credentials: {
        kind: 'password',
        username: `secrets-user-${Date.now()}`,
        password: PASSWORD,
        domainName: 'acme',
      },
    });
    const ak = createGatewayClient({
      ...base,
      credentials: {
        kind: 'aksk',
        accessKey: `AK${Date.now()}`,
        secretKey: SECRET_KEY,
        securityToken: SECURITY_TOKEN,
      },
    });
    const input = {
      name: 'cert_1',
      cert_content: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      private_key: PRIVATE_KEY,
    };
    const errors: unknown[] = [];
    for (const c of [pw, ak]) {
      await c.createCertificate(input);
      await c.updateCertificate('c1', input);
      for (const f of [
        () => c.uploadDomainCertificate('i1', 'g1', 'd1', input),
        () => c.getCertificate('gone'),
        () => c.getCertificate('busy'),
        () => c.getCertificate('slow'),
        () => c.getCertificate('expired'),
      ]) {
        errors.push(
          await f().then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
      }
    }
    // A login that fails, and a call to a dead port.
    loginFails = true;
    const pw2 = createGatewayClient({
      ...base,
      credentials: {
        kind: 'password',
        username: `secrets-user2-${Date.now()}`,
        password: PASSWORD,
        domainName: 'acme',
      },
    });
    errors.push(await pw2.getCertificate('c1').catch((e: unknown) => e));
    const dead = createGatewayClient({
      ...base,
      endpoint: 'http://127.0.0.1:9',
      credentials: { kind: 'aksk', accessKey: 'AKX', secretKey: SECRET_KEY, securityToken: SECURITY_TOKEN },
    });
    errors.push(await dead.getCertificate('c1').catch((e: unknown) => e));
    await Promise.all([pw.close(), ak.close(), pw2.close(), dead.close()]);

    expect(errors.filter((e) => e !== undefined).length).toBe(12);
    for (const e of errors.filter((x) => x !== undefined)) expectErrorClean(e);
    expect(lines.length).toBeGreaterThan(10); // the logger really was used
    expectNoSecrets(lines.join('\n'));
    // The server's echo was kept where harmless: the error code and the shape of the message.
    const upload = errors[0] as GatewayError;
    expect(upload.errorCode).toBe('APIG.2101');
    expect(upload.message).toContain('[PEM redacted]');
  });
});
