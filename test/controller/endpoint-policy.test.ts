// A resource cannot send the namespace's credentials to a host of its choosing: a canary server
// not on the allow-list receives not one byte, for IAM password, AK/SK and temporary credentials;
// the operator's flags open exactly what they name.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGdc,
  domainSpec,
  type Fixture,
  putCredentials,
  putTlsSecret,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

const KINDS = ['password', 'aksk', 'temporary'] as const;
let f: Fixture;
let canary: Server;
let canaryPort = 0;
const received = { connections: 0, bytes: 0 };
const ca = createCA({ commonName: 'endpoint policy CA', keyType: 'ec' });
const domains = Array.from({ length: 15 }, (_, i) => `t${String(i + 1).padStart(2, '0')}.example.org`);

beforeAll(async () => {
  canary = createServer((s) => {
    received.connections++;
    s.on('data', (d) => {
      received.bytes += d.length;
    });
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryPort = (canary.address() as { port: number }).port;
  // Nothing but the official domains: no loopback network, no extra domain.
  f = await startFixture({ allowedEndpointNetworks: [], allowedEndpointDomains: [] });
  for (const k of KINDS) await putCredentials(f, `creds-${k}`, k);
  await putTlsSecret(f, 'site-tls', issueCertificate({ ca, dnsNames: domains }), ca);
});
afterAll(async () => {
  await f?.stop();
  await new Promise((r) => canary?.close(r));
});

let next = 0;
/** A resource whose gateway and IAM endpoints are `url`, with the given credentials. */
async function pointAt(url: string, kind: (typeof KINDS)[number], iamUrl = url): Promise<string> {
  const name = `r${next}-${kind}`;
  const spec = domainSpec(f, domains[next++] ?? '', { credentialsSecretRef: { name: `creds-${kind}` } });
  spec.gateway.endpoint = url;
  spec.gateway.iamEndpoint = iamUrl;
  await createGdc(f, name, spec);
  return name;
}

async function expectInvalidSpec(name: string, text: RegExp): Promise<void> {
  const g = await waitForReason(f, name, 'InvalidSpec');
  const ready = g.status?.conditions?.find((c) => c.type === 'Ready');
  expect(ready?.message).toMatch(text);
}

describe('endpoint policy', () => {
  it('refuses names off the official domains and literal IPs: the canary gets 0 bytes', async () => {
    for (const kind of KINDS) {
      const byName = await pointAt(`http://localhost:${canaryPort}`, kind);
      const byIp = await pointAt(`http://127.0.0.1:${canaryPort}`, kind);
      await expectInvalidSpec(
        byName,
        /endpoint host localhost is not on an allowed .*--allowed-endpoint-domains/,
      );
      await expectInvalidSpec(byIp, /literal IP address.*--allowed-endpoint-networks/);
    }
    const metadata = await pointAt('http://169.254.169.254', 'aksk');
    const privateIp = await pointAt('http://10.0.0.1', 'password');
    await expectInvalidSpec(metadata, /--allowed-endpoint-networks/);
    await expectInvalidSpec(privateIp, /--allowed-endpoint-networks/);
    expect(received).toEqual({ connections: 0, bytes: 0 });
  });

  it('refuses an allowed name that resolves to loopback, at connect time: still 0 bytes', async () => {
    await f.operator.stop('restart with localhost allowed as a domain');
    await f.startOperator({ allowedEndpointNetworks: [], allowedEndpointDomains: ['localhost'] });
    for (const kind of KINDS) {
      const name = await pointAt(`http://localhost:${canaryPort}`, kind);
      // A password is refused earlier still: localhost is no IAM host.
      await expectInvalidSpec(
        name,
        kind === 'password'
          ? /iamEndpoint host localhost is not an IAM endpoint/
          : /localhost resolves to .*loopback.*--allowed-endpoint-networks/,
      );
    }
    expect(received).toEqual({ connections: 0, bytes: 0 });
  });

  it('with the network allowed too, the emulator is used; an IAM password still only goes to an IAM host', async () => {
    // Resources still pointing at the canary would reach it now: remove them first.
    await f.operator.stop('restart with loopback allowed');
    await f.custom.deleteCollectionNamespacedCustomObject({
      group: 'apig-cert-sync.io',
      version: 'v1alpha1',
      namespace: f.ns,
      plural: 'gatewaydomaincertificates',
    });
    await f.startOperator({
      allowedEndpointNetworks: ['127.0.0.0/8', '::1/128'],
      allowedEndpointDomains: ['localhost'],
    });
    const emulator = f.emulator.url.replace('127.0.0.1', 'localhost');
    const aksk = await pointAt(emulator, 'aksk');
    // IAM on a literal IP inside an allowed network is allowed (an emulator or a private cloud's IAM).
    const password = await pointAt(emulator, 'password', f.emulator.url);
    await waitForReason(f, aksk, 'Synced');
    await waitForReason(f, password, 'Synced');
    const iamElsewhere = await pointAt(emulator, 'password', `http://localhost:${canaryPort}`);
    await expectInvalidSpec(iamElsewhere, /iamEndpoint host localhost is not an IAM endpoint/);
    expect(received).toEqual({ connections: 0, bytes: 0 });
  });
});
