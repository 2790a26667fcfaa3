// Faults on demand (library and admin endpoint), deterministic, and the inspectable call log / state.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../support/kube.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { type Emulator, startEmulator } from './server.ts';
import { call, getToken, paths } from './testkit.ts';

let emu: Emulator;
let p: ReturnType<typeof paths>;

beforeAll(async () => {
  emu = await startEmulator();
  p = paths(emu);
  await getToken(emu);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetFaults();
  emu.resetCalls();
});

const list = () => call(emu, 'GET', p.certList);

describe('fault kinds', () => {
  it('latency', async () => {
    emu.setFaults({ latencyMs: 150 });
    const t = Date.now();
    expect((await list()).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    // The call log times the answer from the request's arrival (the benchmark's floor is built on it).
    const [c] = emu.calls().calls;
    expect(c!.duration_ms).toBeGreaterThanOrEqual(140);
    expect(c!.arrived_ms).toBeGreaterThanOrEqual(t - 1);
    expect(c!.arrived_ms + c!.duration_ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('500 APIG.9999, 500 APIG.9008, 429 APIG.0308 with Retry-After', async () => {
    emu.setFaults({ errorRate: 1 });
    expect((await list()).body).toEqual({ error_code: 'APIG.9999', error_msg: 'System error' });
    emu.setFaults({ errorRate: 0, tooManyRate: 1 });
    const busy = await list();
    expect([busy.status, busy.body]).toEqual([
      500,
      { error_code: 'APIG.9008', error_msg: 'Too many requests' },
    ]);
    emu.setFaults({ tooManyRate: 0, throttleRate: 1, retryAfterSeconds: 3 });
    const t = await list();
    expect([t.status, t.body.error_code, t.headers.get('retry-after')]).toEqual([429, 'APIG.0308', '3']);
    expect(emu.calls().calls.map((c) => c.fault)).toEqual(['error', 'busy', 'throttle']);
  });

  it('hung requests never answer; dropped connections fail at once', async () => {
    emu.setFaults({ failNext: [{ kind: 'hang' }, { kind: 'drop' }] });
    const url = `${emu.url}${p.certificates}`;
    const headers = { 'x-auth-token': await getToken(emu) };
    // Abort the hung call once the emulator has logged it (a fixed timeout could fire, on a busy
    // machine, before the request arrived).
    const stop = new AbortController();
    const hung = fetch(url, { headers, signal: stop.signal });
    await waitFor('the hang to be logged', () => emu.calls().calls.some((c) => c.fault === 'hang'), {
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 100)); // still no answer
    stop.abort();
    await expect(hung).rejects.toThrow(/abort/i);
    await expect(fetch(url, { headers })).rejects.toThrow();
    expect((await list()).status).toBe(200);
    expect(emu.calls().calls.map((c) => [c.fault, c.status])).toEqual([
      ['hang', null],
      ['drop', null],
      [null, 200],
    ]);
  });

  it('failNext answers exactly the scripted sequence, then normally', async () => {
    emu.setFaults({
      failNext: [
        { status: 500, code: 'APIG.9008' },
        { status: 429, code: 'APIG.0308' },
        { status: 503, code: 'APIG.9999', message: 'custom' },
      ],
    });
    const got = [];
    for (let i = 0; i < 4; i++) {
      const r = await list();
      got.push([r.status, r.body.error_code ?? null]);
    }
    expect(got).toEqual([
      [500, 'APIG.9008'],
      [429, 'APIG.0308'],
      [503, 'APIG.9999'],
      [200, null],
    ]);
  });

  it('random faults repeat exactly for the same seed', async () => {
    const run = async (e: Emulator) => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(e, 'GET', paths(e).certList)).status);
      return out;
    };
    const other = await startEmulator({ faults: { errorRate: 0.5, seed: 42 } });
    try {
      emu.setFaults({ errorRate: 0.5, seed: 42 });
      const a = await run(emu);
      const b = await run(other);
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
    } finally {
      await other.close();
    }
  });

  it('throttles N calls per second per account (token user and AK apart)', async () => {
    // The emulator's clock is frozen, so five calls fall in one window however slow the machine is.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      emu.setFaults({ throttlePerSecond: 3 });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await list()).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect((await call(emu, 'GET', p.certList, { auth: 'aksk' })).status).toBe(200);
      vi.setSystemTime(Date.now() + 999);
      expect((await list()).status).toBe(429);
      vi.setSystemTime(Date.now() + 1);
      expect((await list()).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves IAM alone unless asked, and can target chosen operations', async () => {
    emu.setFaults({ errorRate: 1 });
    await expect(getToken(emu, true)).resolves.toMatch(/^MII/);
    emu.setFaults({ operations: ['ShowCertificate'] });
    expect((await list()).status).toBe(200);
    expect((await call(emu, 'GET', `${p.certificates}/${'0'.repeat(32)}`)).status).toBe(500);
  });
});

describe('lost replies: the write happens, its answer does not arrive', () => {
  const ca = createCA({ commonName: 'lost CA', keyType: 'ec' });
  const create = async (name: string) => {
    const leaf = issueCertificate({ ca, dnsNames: ['lost.example.com'], keyType: 'ec' });
    const body = { name, cert_content: leaf.certPem, private_key: leaf.keyPem };
    return call(emu, 'POST', p.certificates, { body });
  };
  const stored = (name: string) => emu.state.certificates.filter((c) => c.name === name).length;

  it('504 from a load balancer, reset, and a held reply that is then dropped', async () => {
    emu.setFaults({ lostReplyRate: 1, lostReplyKinds: ['lost-504'] });
    const r = await create('lost_504');
    expect([r.status, stored('lost_504')]).toEqual([504, 1]);
    emu.setFaults({ lostReplyKinds: ['lost-reset'] });
    await expect(create('lost_reset')).rejects.toThrow();
    expect(stored('lost_reset')).toBe(1);
    emu.setFaults({ lostReplyKinds: ['lost-timeout'], lostReplyDelayMs: 200 });
    const t = Date.now();
    await expect(create('lost_timeout')).rejects.toThrow();
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    expect(stored('lost_timeout')).toBe(1);
    // Reads answer normally; the log says which replies were lost.
    expect((await list()).status).toBe(200);
    expect(emu.calls().calls.map((c) => [c.operation, c.fault])).toEqual([
      ['CreateCertificate', 'lost-504'],
      ['CreateCertificate', 'lost-reset'],
      ['CreateCertificate', 'lost-timeout'],
      ['ListCertificates', null],
    ]);
  });

  it('refused writes keep their answer, and bad kinds are refused', async () => {
    emu.setFaults({ lostReplyRate: 1 });
    const r = await call(emu, 'POST', p.certificates, { body: { name: 'x' } });
    expect(r.status).toBe(400);
    expect(() => emu.setFaults({ lostReplyKinds: ['lost-nothing' as never] })).toThrow(/lostReplyKinds/);
  });
});

describe('admin endpoints (no auth) and the call log', () => {
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${emu.url}/__admin/${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });

  it('POST /__admin/faults sets faults; bad values are refused', async () => {
    expect((await admin('POST', 'faults', { failNext: [{ status: 500, code: 'APIG.9999' }] })).status).toBe(
      200,
    );
    expect((await list()).status).toBe(500);
    expect((await admin('POST', 'faults', { errorRate: 2 })).status).toBe(400);
    const reset = await admin('POST', 'faults/reset');
    expect(((await reset.json()) as { errorRate: number }).errorRate).toBe(0);
  });

  it('GET /__admin/calls counts per operation and write calls; reset clears it', async () => {
    const ca = createCA();
    const leaf = issueCertificate({ ca, dnsNames: [p.domain().name] });
    await list();
    // ROMA Connect's upload takes trusted_root_ca (API Gateway's does not).
    await call(emu, 'POST', `${paths(emu, 'apic').domainPath()}/certificate`, {
      body: {
        name: 'admin_view',
        cert_content: leaf.certPem,
        private_key: leaf.keyPem,
        trusted_root_ca: ca.certPem,
      },
    });
    await call(emu, 'POST', `${p.domainPath()}/certificate`, { body: { name: 'x' } }); // refused, still a write call
    const log = (await (await admin('GET', 'calls')).json()) as {
      counts: Record<string, number>;
      writes: number;
      calls: { operation: string; status: number; error_code: string | null; auth: string; write: boolean }[];
    };
    expect(log.counts).toEqual({ ListCertificates: 1, UploadDomainCertificate: 2 });
    expect(log.writes).toBe(2);
    expect(log.calls[2]).toMatchObject({
      operation: 'UploadDomainCertificate',
      status: 400,
      error_code: 'APIG.2012',
      auth: 'token',
      write: true,
    });
    expect(emu.calls().counts).toEqual(log.counts);
    // The request's shape is logged, never its values (no private key in the call log).
    expect(emu.calls().calls[1]?.request.body).toEqual({
      name: 'string',
      cert_content: 'string',
      private_key: 'string',
      trusted_root_ca: 'string',
    });
    expect(JSON.stringify(log)).not.toContain('PRIVATE KEY');

    const state = (await (await admin('GET', 'state')).json()) as typeof emu.state;
    const d = state.domains.find((x) => x.domain_id === p.domain().id)!;
    expect(d.certificate).toMatchObject({
      name: 'admin_view',
      serial_number: leaf.serialNumber,
      trusted_root_ca_sent: true,
    });
    expect(JSON.stringify(state)).not.toContain('PRIVATE KEY');

    expect((await admin('POST', 'calls/reset')).status).toBe(204);
    expect(emu.calls().total).toBe(0);
  });
});
