// Bad input gets a clear answer and loses nothing: each case ends as a precise Ready condition and a
// Warning Event, after a bounded number of gateway calls, and recovers when the input is fixed.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  gateway,
  putCredentials,
  putRawTlsSecret,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForEvent,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'failures CA', keyType: 'ec' });
const DAY = 86_400_000;

beforeAll(async () => {
  f = await startFixture();
  await putCredentials(f);
  await putCredentials(f, 'wrong-credentials', 'aksk', {
    secretKey: 'not-the-secret-key-at-all-000000000000',
  });
});
afterAll(async () => f?.stop());

/** Gateway calls made for one resource's certificate name (the emulator logs paths, not resources). */
const callsSoFar = () => f.emulator.calls().total;

describe('failures', () => {
  it('missing Secret → SecretNotFound without calling the gateway; fixed when the Secret appears', async () => {
    const before = callsSoFar();
    await createGdc(f, 'nosecret', { ...domainSpec(f, 'shop.example.com'), secretName: 'nosecret-tls' });
    const g = await waitForReason(f, 'nosecret', 'SecretNotFound');
    expect(g.status?.conditions?.[0]?.status).toBe('False');
    expect(g.status?.conditions?.[0]?.message).toContain('nosecret-tls');
    expect(callsSoFar()).toBe(before);
    await waitForEvent(f, 'nosecret', (e) => e.type === 'Warning' && !!e.note?.startsWith('SecretNotFound'));

    // The Secret event wakes exactly this resource.
    const leaf = issueCertificate({ ca, dnsNames: ['shop.example.com'] });
    await putTlsSecret(f, 'nosecret-tls', leaf, ca);
    const ok = await waitForReason(f, 'nosecret', 'Synced');
    expect(ok.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
    expect(ok.status?.failures).toBeUndefined();
  });

  const badInputs: Array<[string, string, (domain: string) => Record<string, string>]> = [
    [
      'malformed PEM',
      'InvalidCertificate',
      (domain) => ({
        'tls.crt': '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n',
        'tls.key': issueCertificate({ ca, dnsNames: [domain] }).keyPem,
      }),
    ],
    [
      'mismatched key',
      'KeyMismatch',
      (domain) => {
        const a = issueCertificate({ ca, dnsNames: [domain] });
        const b = issueCertificate({ ca, dnsNames: [domain] });
        return { 'tls.crt': a.certPem, 'tls.key': b.keyPem };
      },
    ],
    [
      'expired certificate',
      'Expired',
      (domain) => {
        const c = issueCertificate({
          ca,
          dnsNames: [domain],
          notBefore: new Date(Date.now() - 90 * DAY),
          notAfter: new Date(Date.now() - DAY),
        });
        return { 'tls.crt': c.certPem, 'tls.key': c.keyPem };
      },
    ],
    [
      'certificate for another domain',
      'DomainNotCovered',
      () => {
        const c = issueCertificate({ ca, dnsNames: ['other.example.org'] });
        return { 'tls.crt': c.certPem, 'tls.key': c.keyPem };
      },
    ],
  ];
  for (const [i, [what, reason, data]] of badInputs.entries()) {
    it(`${what} → ${reason}, no gateway call, no retry loop`, async () => {
      const name = reason.toLowerCase();
      const domain = `t0${i + 1}.example.org`; // each resource owns its domain
      await putRawTlsSecret(f, `${name}-tls`, data(domain));
      const before = callsSoFar();
      await createGdc(f, name, { ...domainSpec(f, domain), secretName: `${name}-tls` });
      const g = await waitForReason(f, name, reason);
      expect(g.status?.nextRetryTime).toBeUndefined(); // terminal: waits for a change
      const failures = g.status?.failures;
      await new Promise((r) => setTimeout(r, 1500));
      const later = await waitForReason(f, name, reason);
      expect(later.status?.failures).toBe(failures); // not retried
      expect(callsSoFar()).toBe(before);
      const message = later.status?.conditions?.[0]?.message ?? '';
      expect(message).not.toContain('PRIVATE KEY');
      expect(message).toContain(`Secret ${f.ns}/${name}-tls`); // the object to fix
    });
  }

  it('wrong credentials → CredentialsInvalid after a bounded number of calls', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['pay.example.com'] });
    await putTlsSecret(f, 'creds-tls', leaf, ca);
    const before = callsSoFar();
    await createGdc(f, 'badcreds', {
      ...domainSpec(f, 'pay.example.com'),
      secretName: 'creds-tls',
      credentialsSecretRef: { name: 'wrong-credentials' },
    });
    const g = await waitForReason(f, 'badcreds', 'CredentialsInvalid');
    expect(g.status?.conditions?.[0]?.message).toContain('APIG.1002');
    // It names the object to fix.
    expect(g.status?.conditions?.[0]?.message).toContain(
      'Secret wrong-credentials (spec.credentialsSecretRef)',
    );
    expect(g.status?.conditions?.[0]?.message).not.toContain('not-the-secret-key');
    await new Promise((r) => setTimeout(r, 1000));
    expect(callsSoFar() - before).toBeLessThanOrEqual(2);

    // Fixing the credentials Secret wakes the resources that use it.
    const c = f.emulator.seed.credentials;
    await f.core.replaceNamespacedSecret({
      name: 'wrong-credentials',
      namespace: f.ns,
      body: {
        metadata: { name: 'wrong-credentials' },
        type: 'Opaque',
        stringData: { accessKey: c.accessKey, secretKey: c.secretKey },
      },
    });
    const ok = await waitForReason(f, 'badcreds', 'Synced');
    expect(ok.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
  });

  it('unknown domain → DomainNotFound after a bounded number of calls', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['nowhere.example.com'] });
    await putTlsSecret(f, 'nowhere-tls', leaf, ca);
    const before = callsSoFar();
    await createGdc(f, 'nowhere', { ...domainSpec(f, 'nowhere.example.com'), secretName: 'nowhere-tls' });
    const g = await waitForReason(f, 'nowhere', 'DomainNotFound');
    expect(g.status?.conditions?.[0]?.message).toContain('nowhere.example.com');
    expect(g.status?.nextRetryTime).toBeDefined(); // rechecked at the verify interval, not in a loop
    await new Promise((r) => setTimeout(r, 1000));
    expect(callsSoFar() - before).toBeLessThanOrEqual(4);
  });

  it('an endpoint that is not a gateway → InvalidSpec naming spec.gateway.endpoint, not a missing domain', async () => {
    // A web server that answers, but not like API Gateway: JSON without the list, and a bare 404.
    const web = createServer((req, res) => {
      if (req.url?.split('?')[0]?.endsWith('/api-groups'))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
    const leaf = issueCertificate({ ca, dnsNames: ['t11.example.org', 't12.example.org'] });
    await putTlsSecret(f, 'web-tls', leaf, ca);
    const byName = domainSpec(f, 't11.example.org', { secretName: 'web-tls' });
    const byId = domainSpec(f, 't12.example.org', { secretName: 'web-tls' });
    delete byId.gateway.domain;
    byId.gateway.groupId = 'a'.repeat(32);
    byId.gateway.domainId = 'b'.repeat(32);
    for (const [name, spec] of [
      ['web-name', byName],
      ['web-id', byId],
    ] as const) {
      spec.gateway.endpoint = url;
      spec.gateway.iamEndpoint = url;
      await createGdc(f, name, spec);
      const g = await waitForReason(f, name, 'InvalidSpec');
      const message = g.status?.conditions?.[0]?.message ?? '';
      expect(message).toContain(`${url} does not answer like a Huawei Cloud API Gateway`);
      expect(message).toContain('spec.gateway.endpoint');
      expect(message).not.toContain('not bound to any API group');
    }
    await new Promise((r) => web.close(r));
  });

  it('a gateway outage → GatewayUnavailable with backoff, then recovers by itself', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['www.example.com'] });
    await putTlsSecret(f, 'outage-tls', leaf, ca);
    f.emulator.setFaults({ errorRate: 1 });
    await createGdc(f, 'outage', { ...domainSpec(f, 'www.example.com'), secretName: 'outage-tls' });
    const g = await waitForReason(f, 'outage', 'GatewayUnavailable');
    expect(g.status?.failures).toBeGreaterThanOrEqual(1);
    expect(g.status?.nextRetryTime).toBeDefined();
    f.emulator.resetFaults();
    const ok = await waitForReason(f, 'outage', 'Synced');
    expect(ok.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
  });
});

describe('two resources, one domain', () => {
  it('the older one holds the domain; the newer reports DomainConflict and takes over when the first goes', async () => {
    const domain = 'portal.example.net';
    const gw2 = gateway(f, 1).id;
    const spec = (secretName: string) => {
      const s = domainSpec(f, domain, { secretName });
      return { ...s, gateway: { ...s.gateway, instanceId: gw2 } };
    };
    const first = issueCertificate({ ca, dnsNames: [domain] });
    const second = issueCertificate({ ca, dnsNames: [domain] });
    await putTlsSecret(f, 'first-tls', first, ca);
    await putTlsSecret(f, 'second-tls', second, ca);
    await createGdc(f, 'first', spec('first-tls'));
    await waitForReason(f, 'first', 'Synced');
    await createGdc(f, 'second', spec('second-tls'));
    const g = await waitForReason(f, 'second', 'DomainConflict');
    expect(g.status?.conditions?.[0]?.message).toContain(`${f.ns}/first`);
    expect(servedSerial(f, domain, gw2)).toBe(first.serialNumber);

    await f.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: f.ns,
      plural: PLURAL,
      name: 'first',
    });
    await waitForReason(f, 'second', 'Synced');
    expect(servedSerial(f, domain, gw2)).toBe(second.serialNumber);
  });
});
