// Shared mode across gateways, drift repair, and both deletion policies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { createGatewayClient } from '../../src/gateway/index.ts';
import { certificateNameOf } from '../../src/reconciler/naming.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  eventsFor,
  type Fixture,
  getGdc,
  putCredentials,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForEvent,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'lifecycle CA', keyType: 'rsa' });

beforeAll(async () => {
  f = await startFixture({ deletionTimeoutMs: 3000 });
  await putCredentials(f, 'huawei-credentials', 'password');
});
afterAll(async () => f?.stop());

const remove = (name: string) =>
  f.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: f.ns,
    plural: PLURAL,
    name,
  });

/** A gateway client of the emulator's account, acting as a person or another process would. */
function emulatorClient() {
  const c = f.emulator.seed.credentials;
  return createGatewayClient({
    endpoint: f.emulator.url,
    family: 'apigw',
    projectId: f.emulator.seed.projectId,
    credentials: { kind: 'aksk', accessKey: c.accessKey, secretKey: c.secretKey },
    allowInsecureHttp: true,
  });
}

describe('Shared mode', () => {
  it('creates one certificate, attaches it to two domains on two gateways, and updates it in place on renewal', async () => {
    const [gw1, gw2] = f.emulator.seed.gateways;
    if (!gw1 || !gw2) throw new Error('seed needs two gateways');
    // www.example.com exists on both gateways in the default seed.
    const leaf = issueCertificate({ ca, dnsNames: ['*.example.com'], keyType: 'rsa' });
    await putTlsSecret(f, 'wildcard-tls', leaf, ca);
    await createGdc(f, 'wildcard', {
      ...domainSpec(f, 'unused'),
      secretName: 'wildcard-tls',
      mode: 'Shared',
      deletionPolicy: 'Detach',
      gateway: {
        service: 'apig',
        endpoint: f.emulator.url,
        iamEndpoint: f.emulator.url,
        projectId: f.emulator.seed.projectId,
      },
      domains: [
        { name: 'www.example.com', instanceIds: [gw1.id, gw2.id] },
        { name: 'api.example.com', instanceIds: [gw1.id] },
      ],
    });
    const g = await waitForReason(f, 'wildcard', 'Synced');
    expect(g.status?.domains).toHaveLength(3);
    expect(servedSerial(f, 'www.example.com', gw1.id)).toBe(leaf.serialNumber);
    expect(servedSerial(f, 'www.example.com', gw2.id)).toBe(leaf.serialNumber);
    expect(servedSerial(f, 'api.example.com', gw1.id)).toBe(leaf.serialNumber);
    expect(g.metadata.finalizers).toContain(`${GROUP}/finalizer`);
    const certId = g.status?.certificate?.id;

    f.emulator.resetCalls();
    const renewed = issueCertificate({ ca, dnsNames: ['*.example.com'], keyType: 'rsa' });
    await putTlsSecret(f, 'wildcard-tls', renewed, ca);
    const r = await waitForReason(
      f,
      'wildcard',
      'Synced',
      (x) => x.status?.certificate?.serialNumber === renewed.serialNumber,
    );
    expect(r.status?.certificate?.id).toBe(certId); // updated in place, not re-created
    const log = f.emulator.calls();
    // The floor: one update in place, one read-back per bound domain, nothing else.
    expect(log.counts).toEqual({ UpdateCertificate: 1, ShowDomainCertificate: 3 });
    expect(servedSerial(f, 'www.example.com', gw2.id)).toBe(renewed.serialNumber);

    // A copy under the resource's name that an interrupted create left behind (unbound).
    const ours = certificateNameOf(r);
    const client = emulatorClient();
    const copy = await client.createCertificate({
      name: ours,
      cert_content: renewed.certPem,
      private_key: renewed.keyPem,
      type: 'global',
    });
    await client.close();

    // Detach on deletion: unbound everywhere, the certificate deleted, and the leftover copy too.
    await remove('wildcard');
    await waitFor('wildcard to be gone', async () => !(await getGdc(f, 'wildcard')));
    expect(servedSerial(f, 'www.example.com', gw1.id)).toBeUndefined();
    expect(f.emulator.state.certificates.find((c) => c.id === certId)).toBeUndefined();
    expect(f.emulator.state.certificates.filter((c) => c.name === ours).map((c) => c.id)).toEqual([]);
    expect(copy.id).toBeDefined();
    await waitForEvent(f, 'wildcard', (e) => e.reason === 'Detached' && /1 leftover/.test(e.note ?? ''));
  });
});

describe('drift and deletion', () => {
  it('repairs a domain changed out of band at the next verify', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['pay.example.com'] });
    await putTlsSecret(f, 'pay-tls', leaf, ca);
    await createGdc(f, 'pay', {
      ...domainSpec(f, 'pay.example.com'),
      secretName: 'pay-tls',
      verifyInterval: '2s',
    });
    const g = await waitForReason(f, 'pay', 'Synced');
    const d = g.status?.domains?.[0];

    // Someone uploads another certificate to the domain by hand.
    const intruder = issueCertificate({ ca, dnsNames: ['pay.example.com'] });
    const client = emulatorClient();
    await client.uploadDomainCertificate(d?.instanceId ?? '', d?.groupId ?? '', d?.id ?? '', {
      name: 'manual_upload',
      cert_content: intruder.certPem,
      private_key: intruder.keyPem,
    });
    await client.close();
    expect(servedSerial(f, 'pay.example.com')).toBe(intruder.serialNumber);

    await waitFor('drift repaired', () => servedSerial(f, 'pay.example.com') === leaf.serialNumber, {
      timeoutMs: 20_000,
    });
    await waitFor('DriftRepaired event', async () =>
      (await eventsFor(f, 'pay')).some((e) => e.reason === 'DriftRepaired'),
    );
  });

  it('Retain leaves the gateway alone when the resource is deleted', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['shop.example.com'] });
    await putTlsSecret(f, 'keep-tls', leaf, ca);
    await createGdc(f, 'keep', { ...domainSpec(f, 'shop.example.com'), secretName: 'keep-tls' });
    const g = await waitForReason(f, 'keep', 'Synced');
    expect(g.metadata.finalizers ?? []).not.toContain(`${GROUP}/finalizer`);
    await remove('keep');
    await waitFor('keep to be gone', async () => !(await getGdc(f, 'keep')));
    expect(servedSerial(f, 'shop.example.com')).toBe(leaf.serialNumber);
  });

  it('Detach against a failing cloud reports DeletionFailed, then lets go after the deletion timeout', async () => {
    const leaf = issueCertificate({ ca, dnsNames: ['api.example.com'] });
    await putTlsSecret(f, 'stuck-tls', leaf, ca);
    await createGdc(f, 'stuck', {
      ...domainSpec(f, 'api.example.com'),
      secretName: 'stuck-tls',
      deletionPolicy: 'Detach',
    });
    await waitForReason(f, 'stuck', 'Synced');
    f.emulator.setFaults({ errorRate: 1 });
    try {
      await remove('stuck');
      await waitForReason(f, 'stuck', 'DeletionFailed');
      await waitFor('stuck to be gone', async () => !(await getGdc(f, 'stuck')), { timeoutMs: 30_000 });
      await waitForEvent(f, 'stuck', (e) => e.reason === 'DeletionAbandoned' && e.type === 'Warning');
    } finally {
      f.emulator.resetFaults();
    }
  });
});
