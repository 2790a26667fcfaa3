// Retries, backoff, Retry-After, timeouts, rate limiting, connection reuse, CA bundle, proxy, metrics.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/gateway/answers.ts';
import { GatewayError } from '../../src/gateway/errors.ts';
import { Transport } from '../../src/gateway/http.ts';
import { type CallEvent, createGatewayClient, type GatewayClientOptions } from '../../src/gateway/index.ts';
import { TokenBucket } from '../../src/gateway/rate-limiter.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import {
  type Answer,
  FAST_RETRY,
  type FakeServer,
  freshAksk,
  PROJECT,
  startFakeServer,
} from './fake-server.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});
async function server(h?: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const s = await startFakeServer(h);
  cleanup.push(() => s.close());
  return s;
}
function client(url: string, extra: Partial<GatewayClientOptions> = {}) {
  const c = createGatewayClient({
    endpoint: url,
    family: 'apigw',
    projectId: PROJECT,
    credentials: freshAksk(),
    allowInsecureHttp: true,
    retry: FAST_RETRY,
    ...extra,
  });
  cleanup.push(() => c.close());
  return c;
}
const err = (status: number, code: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { error_code: code, error_msg: 'x' },
  ...(headers ? { headers } : {}),
});
const ok: Answer = { status: 200, body: { id: 'c1' } };
function script(...answers: Answer[]) {
  return () => answers.shift() ?? ok;
}

describe('retries', () => {
  it.each([
    ['500 APIG.9999', err(500, 'APIG.9999'), 'retryable'],
    ['500 APIG.3500', err(500, 'APIG.3500'), 'retryable'],
    ['500 APIG.9008 (throttling as 500)', err(500, 'APIG.9008'), 'throttled'],
    ['429 APIG.0308', err(429, 'APIG.0308'), 'throttled'],
  ])('%s is retried until it succeeds', async (_n, answer, kind) => {
    const events: CallEvent[] = [];
    const srv = await server(script(answer, answer));
    const c = client(srv.url, { onCall: (e) => events.push(e) });
    await expect(c.getCertificate('c1')).resolves.toEqual({ id: 'c1' });
    expect(srv.requests.length).toBe(3);
    expect(events.map((e) => [e.attempt, e.status, e.errorCode])).toEqual([
      [1, answer.status, (answer.body as { error_code: string }).error_code],
      [2, answer.status, (answer.body as { error_code: string }).error_code],
      [3, 200, undefined],
    ]);
    expect(events.every((e) => e.operation === 'ShowCertificate' && e.durationMs >= 0)).toBe(true);
    srv.handle(() => answer);
    await expect(c.getCertificate('c1')).rejects.toMatchObject({ kind });
  });

  it('attempts are bounded (default 4)', async () => {
    const srv = await server(() => err(503, 'APIG.9999'));
    const c = client(srv.url);
    const e = (await c.getCertificate('c1').catch((x) => x)) as GatewayError;
    expect(e).toBeInstanceOf(GatewayError);
    expect(e.kind).toBe('retryable');
    expect(srv.requests.length).toBe(4);
    const c2 = client(srv.url, { retry: { ...FAST_RETRY, maxAttempts: 2 } });
    srv.requests.length = 0;
    await expect(c2.getCertificate('c1')).rejects.toBeInstanceOf(GatewayError);
    expect(srv.requests.length).toBe(2);
  });

  it.each([
    [400, 'APIG.2101', 'terminal'],
    [409, 'APIG.3708', 'terminal'],
    [401, 'APIG.1000', 'auth'],
    [403, 'APIG.1005', 'permission'],
    [403, 'APIG.3100', 'permission'],
    [404, 'APIG.3021', 'notFound'],
  ])('%i %s is %s and never retried', async (status, code, kind) => {
    const srv = await server(() => err(status, code));
    const c = client(srv.url);
    await expect(c.getCertificate('c1')).rejects.toMatchObject({
      kind,
      status,
      errorCode: code,
      requestId: 'req-1',
    });
    expect(srv.requests.length).toBe(1);
  });

  it('honours Retry-After seconds, capped by maxRetryAfterMs', async () => {
    // The gateway asks for a minute; the cap makes it 150 ms. The upper bound only has to tell the cap
    // from the minute, so it is generous (a busy machine can stall a loopback call for seconds).
    const srv = await server(script(err(429, 'APIG.0308', { 'retry-after': '60' })));
    const c = client(srv.url, { retry: { ...FAST_RETRY, maxRetryAfterMs: 150 } });
    const t0 = performance.now();
    await c.getCertificate('c1');
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(30_000);
  });

  it('parses Retry-After as seconds or HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('backoff is full jitter: uniform in [0, min(cap, base * 2^(n-1)))', () => {
    const e = new GatewayError({ operation: 'X', kind: 'retryable', status: 500 });
    const t = new Transport({ retry: { baseDelayMs: 100, maxDelayMs: 1000 }, random: () => 0.999 });
    expect([1, 2, 3, 4, 5].map((n) => t.delayFor(e, n))).toEqual([99, 199, 399, 799, 999]);
    expect(new Transport({ retry: { baseDelayMs: 100 }, random: () => 0 }).delayFor(e, 3)).toBe(0);
    const thr = new GatewayError({ operation: 'X', kind: 'throttled', status: 429 });
    expect(new Transport({ retry: { throttledBaseDelayMs: 2000 }, random: () => 0.5 }).delayFor(thr, 1)).toBe(
      1000,
    );
    const ra = new GatewayError({ operation: 'X', kind: 'throttled', status: 429, retryAfterMs: 60_000 });
    expect(new Transport({ retry: { maxRetryAfterMs: 5000 } }).delayFor(ra, 1)).toBe(5000);
  });
});

describe('timeouts and network errors', () => {
  it('a hanging answer times out (retryable, TIMEOUT) and is retried for idempotent calls', async () => {
    const srv = await server(() => ({ status: 200, hang: true }));
    // Long enough that, on a busy machine, each request reaches the server before its timeout fires.
    const c = client(srv.url, { timeouts: { totalMs: 1_000 }, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    await expect(c.getCertificate('c1')).rejects.toMatchObject({ kind: 'retryable', errorCode: 'TIMEOUT' });
    expect(srv.requests.length).toBe(2);
  });

  it('a create that timed out is not re-sent (it may have been applied)', async () => {
    const srv = await server(() => ({ status: 200, hang: true }));
    const c = client(srv.url, { timeouts: { totalMs: 1_000 } });
    await expect(
      c.createCertificate({ name: 'n', cert_content: 'c', private_key: 'k' }),
    ).rejects.toMatchObject({
      errorCode: 'TIMEOUT',
      outcomeUnknown: true,
    });
    expect(srv.requests.length).toBe(1);
  });

  it.each([
    ['a 5xx answer', err(500, 'APIG.9999')],
    ["a load balancer's 504 page", { status: 504, body: '<html>504 Gateway Time-out</html>' } as Answer],
  ])('a create answered with %s is not re-sent and says its outcome is unknown', async (_n, answer) => {
    const srv = await server(() => answer);
    const c = client(srv.url);
    const e = (await c
      .createCertificate({ name: 'n', cert_content: 'c', private_key: 'k' })
      .catch((x) => x)) as GatewayError;
    expect([e.kind, e.outcomeUnknown]).toEqual(['retryable', true]);
    expect(srv.requests.length).toBe(1);
    // The same answer to an idempotent call is retried and is not "unknown": the caller retries it.
    srv.requests.length = 0;
    const u = (await c
      .updateCertificate('c1', { name: 'n', cert_content: 'c', private_key: 'k' })
      .catch((x) => x)) as GatewayError;
    expect([u.outcomeUnknown, srv.requests.length]).toEqual([false, 4]);
  });

  it('a create the gateway refused for throttling is re-sent (it surely did nothing)', async () => {
    const srv = await server(script(err(429, 'APIG.0308'), err(500, 'APIG.9008')));
    const c = client(srv.url);
    await expect(c.createCertificate({ name: 'n', cert_content: 'c', private_key: 'k' })).resolves.toEqual({
      id: 'c1',
    });
    expect(srv.requests.length).toBe(3);
  });

  it('a refused connection is retryable and retried, creates included', async () => {
    const probe = createHttpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const events: CallEvent[] = [];
    const c = client(`http://127.0.0.1:${port}`, { onCall: (e) => events.push(e) });
    await expect(
      c.createCertificate({ name: 'n', cert_content: 'c', private_key: 'k' }),
    ).rejects.toMatchObject({
      kind: 'retryable',
      errorCode: 'ECONNREFUSED',
      status: undefined,
    });
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(events[0]!.errorCode).toBe('ECONNREFUSED');
  });
});

describe('rate limiting', () => {
  it('token bucket: burst, then the configured rate', () => {
    let now = 0;
    const b = new TokenBucket({ ratePerSecond: 10, burst: 2, clock: () => now });
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 100, 200]);
    now = 1000;
    expect(b.reserve()).toBe(0);
  });

  it('clients of the same AK share one bucket', async () => {
    const srv = await server(() => ok);
    const cred = freshAksk();
    // One token per 2 s, so the waits are seconds and the bounds tell sharing from not sharing with
    // seconds of margin on a busy machine.
    const rateLimit = { ratePerSecond: 0.5, burst: 2 };
    const a = client(srv.url, { credentials: cred, rateLimit });
    const b = client(srv.url, { credentials: cred, rateLimit });
    const t0 = performance.now();
    await Promise.all([a.getCertificate('1'), b.getCertificate('2'), a.getCertificate('3')]);
    // 2 free, the third waits for the shared bucket's next token: ≥ 2 s (unshared: all three free)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_900);
    const other = client(srv.url, { rateLimit });
    const t1 = performance.now();
    await Promise.all([other.getCertificate('1'), other.getCertificate('2')]);
    // Another AK has its own full bucket; had it shared the drained one, these would wait ≥ 4 s.
    expect(performance.now() - t1).toBeLessThan(3_000);
  });
});

describe('connections, TLS and proxy', () => {
  it('reuses keep-alive connections for sequential calls', async () => {
    const srv = await server(() => ok);
    const c = client(srv.url);
    for (let i = 0; i < 10; i++) await c.getCertificate('c1');
    // undici's Pool may warm a second socket while the first is being released; never one per call.
    expect(srv.connections).toBeLessThanOrEqual(2);
  });

  async function tlsServer() {
    const ca = createCA({ commonName: 'gateway test CA' });
    const leaf = issueCertificate({ ca, dnsNames: ['localhost'] });
    const s = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"tls"}');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => s.close(r)));
    return { ca, url: `https://localhost:${(s.address() as AddressInfo).port}` };
  }

  it('trusts a custom CA bundle; without it the TLS failure is terminal and not retried', async () => {
    const { ca, url } = await tlsServer();
    await expect(client(url, { caBundle: ca.certPem }).getCertificate('c1')).resolves.toEqual({ id: 'tls' });
    const events: CallEvent[] = [];
    await expect(client(url, { onCall: (e) => events.push(e) }).getCertificate('c1')).rejects.toMatchObject({
      kind: 'terminal',
    });
    expect(events.length).toBe(1);
  });

  it('goes through an HTTP CONNECT proxy when proxyUrl is set', async () => {
    const { ca, url } = await tlsServer();
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(String(req.url));
      const [host, port] = String(req.url).split(':');
      const up = connect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket).pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    cleanup.push(async () => {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    });
    const c = client(url, {
      caBundle: ca.certPem,
      proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    await expect(c.getCertificate('c1')).resolves.toEqual({ id: 'tls' });
    expect(tunnels).toEqual([new URL(url).host]);
  });
});

describe('observability', () => {
  it('logs each call at debug with operation, method, path, status and duration, never the query', async () => {
    const srv = await server(() => ok);
    const lines: Array<Record<string, unknown>> = [];
    const logger = {
      debug: (o: object) => lines.push(o as Record<string, unknown>),
      info: () => {},
      warn: () => {},
    };
    const c = client(srv.url, { logger });
    await c.listCertificates({ name: 'secret-looking-name', limit: 5, instance_id: 'i1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      operation: 'ListCertificates',
      method: 'GET',
      path: `/v2/${PROJECT}/apigw/certificates`,
      status: 200,
      attempt: 1,
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-looking-name');
  });

  it('a throwing onCall hook does not fail the call', async () => {
    const srv = await server(() => ok);
    const c = client(srv.url, {
      onCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(c.getCertificate('c1')).resolves.toEqual({ id: 'c1' });
  });
});
