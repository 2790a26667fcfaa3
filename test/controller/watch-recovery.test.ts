// Renewals reach the gateway soon after the API server connection comes back, with the operator's
// default watch timing: connections cut (RST) and connections frozen (no RST, a silent partition).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningOperator, startOperator } from '../../src/operator.ts';
import { startEmulator } from '../emulator/server.ts';
import { createNamespace, waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type FixtureBase,
  fixtureBase,
  fixtureSeed,
  installCrds,
  putCredentials,
  putTlsSecret,
  testOperatorConfig,
  waitForReason,
  waitForSerial,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { kubeConfigVia, proxyToApiServer, type TcpProxy } from '../support/tcp-proxy.ts';

const FREEZE_MS = 30_000;
const ca = createCA({ commonName: 'watch recovery CA', keyType: 'ec' });
const DOMAIN = 't01.example.org';
let f: FixtureBase;
let proxy: TcpProxy;
let op: RunningOperator;

beforeAll(async () => {
  await installCrds();
  f = fixtureBase(await createNamespace('watch-recovery'), await startEmulator({ seed: fixtureSeed() }));
  proxy = await proxyToApiServer();
  await putCredentials(f);
  await putTlsSecret(f, 'site-tls', issueCertificate({ ca, dnsNames: [DOMAIN] }), ca);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const cfg = testOperatorConfig(f.ns);
  op = await startOperator(cfg, createLogger('info', sink), kubeConfigVia(proxy));
  await createGdc(f, 'site', domainSpec(f, DOMAIN));
  await waitForReason(f, 'site', 'Synced');
});
afterAll(async () => {
  await op?.stop('test done');
  await proxy?.close();
  await f?.emulator.close();
});

/** Renews the Secret now; resolves with ms from `from` until the new serial is bound and Ready. */
async function renewAndTime(from: () => number, during?: Promise<void>): Promise<number> {
  const leaf = issueCertificate({ ca, dnsNames: [DOMAIN] });
  await putTlsSecret(f, 'site-tls', leaf, ca); // straight to the API server, not through the proxy
  await during;
  await waitForSerial(f, 'site', leaf.serialNumber, 90_000);
  return Date.now() - from();
}

describe('watch recovery (default timing)', () => {
  it('cut connections: a renewal is bound within 5 s', async () => {
    proxy.cut();
    const cutAt = Date.now();
    const ms = await renewAndTime(() => cutAt);
    console.log(`[watch-recovery] connections cut: renewal bound ${ms} ms after the cut`);
    expect(ms).toBeLessThanOrEqual(5_000);
  });

  it('frozen connections (no RST): a renewal made during the freeze is bound within 20 s after it ends', async () => {
    proxy.freeze();
    proxy.stall(true);
    let thawedAt = 0;
    const thaw = new Promise<void>((r) =>
      setTimeout(() => {
        proxy.stall(false); // frozen connections stay dead, as after a NAT reset; new ones work
        thawedAt = Date.now();
        r();
      }, FREEZE_MS),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const ms = await renewAndTime(() => thawedAt, thaw);
    console.log(
      `[watch-recovery] ${FREEZE_MS / 1000} s freeze: renewal bound ${ms} ms after the freeze ended`,
    );
    expect(ms).toBeLessThanOrEqual(20_000);
    // Every reflector recovers, not only the one the renewal needed: ready again within the same bound
    // (a reflector whose watch has not reopened yet still counts its failures, so poll, don't sample).
    await waitFor(
      '/readyz 200 after the freeze',
      async () => (await fetch(`${op.probeUrl}/readyz`)).status === 200,
      {
        timeoutMs: Math.max(1_000, thawedAt + 20_000 - Date.now()),
        intervalMs: 200,
      },
    );
  }, 120_000);
});
