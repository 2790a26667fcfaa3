// A dead endpoint costs fast failures, not workers: after repeated timeouts the breaker fails calls at
// once (GatewayUnavailable's retry time comes from it), probes once after the cool-down, and closes
// when the endpoint answers. Timeouts are split: a silent server is given up on at the first-byte
// limit, well before the total.
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/gateway/circuit-breaker.ts';
import { createGatewayClient, type GatewayError } from '../../src/gateway/index.ts';
import type { TimeoutOptions } from '../../src/gateway/options.ts';
import { FAST_RETRY, type FakeServer, freshAksk, PROJECT, startFakeServer } from './fake-server.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('CircuitBreaker', () => {
  it('opens after 3 failures in a row, admits one probe after the cool-down, doubles it when the probe fails', () => {
    let now = 1_000_000;
    const b = new CircuitBreaker({ now: () => now, openMs: 30_000 });
    for (let i = 0; i < 2; i++) {
      expect(b.admit()).toBeUndefined();
      b.failed();
    }
    expect(b.admit()).toBeUndefined();
    b.failed(); // third in a row
    expect(b.admit()).toBe(now + 30_000);
    now += 30_000;
    expect(b.admit()).toBeUndefined(); // the probe
    expect(b.admit()).toBe(now); // only one at a time
    b.failed();
    expect(b.admit()).toBe(now + 60_000);
    now += 60_000;
    expect(b.admit()).toBeUndefined();
    b.succeeded();
    expect(b.admit()).toBeUndefined();
    expect(b.consecutiveFailures).toBe(0);
  });

  it('a success in between resets the count', () => {
    const b = new CircuitBreaker();
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.admit()).toBeUndefined();
  });
});

describe('transport against a silent endpoint', () => {
  async function silent(): Promise<FakeServer> {
    const s = await startFakeServer(() => ({ status: 200, hang: true }));
    cleanup.push(() => s.close());
    return s;
  }
  function clientOf(srv: FakeServer, maxAttempts: number, timeouts: TimeoutOptions) {
    const c = createGatewayClient({
      endpoint: srv.url,
      family: 'apigw',
      projectId: PROJECT,
      credentials: freshAksk(),
      allowInsecureHttp: true,
      retry: { ...FAST_RETRY, maxAttempts },
      timeouts,
    });
    cleanup.push(() => c.close());
    return c;
  }

  it('gives up at the first-byte timeout, then fails fast with the time calls resume', async () => {
    const srv = await silent();
    // 1 s, so on a busy machine each request reaches the server before its timeout fires.
    const c = clientOf(srv, 4, { firstByteMs: 1_000, totalMs: 60_000 });
    const t0 = performance.now();
    const first = (await c.getCertificate('c1').catch((e: unknown) => e)) as GatewayError;
    // Three attempts time out at the first-byte limit (never the 60 s total); the fourth is refused.
    expect(performance.now() - t0).toBeLessThan(40_000);
    expect(first.errorCode).toBe('CIRCUIT_OPEN');
    expect(srv.requests).toHaveLength(3);
    expect(first.message).toContain(`${srv.url} did not answer 3 times in a row`);
    expect(first.retryAfterMs).toBeGreaterThan(20_000);

    const t1 = performance.now();
    const again = (await c.getCertificate('c2').catch((e: unknown) => e)) as GatewayError;
    expect(again.errorCode).toBe('CIRCUIT_OPEN');
    expect(again.kind).toBe('retryable'); // GatewayUnavailable, with nextRetryTime from retryAfterMs
    // No network (the request count stays 3) and no sleep: the breaker's wait is > 20 s.
    expect(performance.now() - t1).toBeLessThan(5_000);
    expect(srv.requests).toHaveLength(3);
  });

  it('a first-byte timeout is reported as TIMEOUT naming the endpoint', async () => {
    const srv = await silent();
    const c = clientOf(srv, 1, { firstByteMs: 200 });
    await expect(c.getCertificate('c1')).rejects.toMatchObject({
      errorCode: 'TIMEOUT',
      kind: 'retryable',
      errorMsg: `no answer from ${srv.url} within 200 ms`,
    });
  });
});
