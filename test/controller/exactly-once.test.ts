// Exactly once: a gateway that performs every write and then loses its answer (a load balancer's 504,
// a reset, a reply held and dropped) still ends with one certificate per resource, never a duplicate
// upload, and the status says what the gateway serves.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultCertificateName } from '../../src/reconciler/naming.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  gateway,
  putCredentials,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'exactly-once CA', keyType: 'ec' });

beforeAll(async () => {
  f = await startFixture();
  await putCredentials(f);
});
afterAll(async () => f?.stop());
beforeEach(() => {
  f.emulator.resetCalls();
  f.emulator.setFaults({
    lostReplyRate: 1,
    lostReplyKinds: ['lost-504', 'lost-reset', 'lost-timeout'],
    lostReplyDelayMs: 200,
  });
});

const ours = (name: string) =>
  f.emulator.state.certificates.filter((c) => c.name === defaultCertificateName(f.ns, name));
const count = (op: string) => f.emulator.calls().counts[op] ?? 0;

describe('every write performed, every answer lost', () => {
  it('Domain mode: one upload on first sight (adopted), renewals in place, one certificate', async () => {
    const domain = 't03.example.org';
    const leaf = issueCertificate({ ca, dnsNames: [domain] });
    await putTlsSecret(f, 'lost-tls', leaf, ca);
    await createGdc(f, 'lost', domainSpec(f, domain, { secretName: 'lost-tls' }));
    const g = await waitForReason(f, 'lost', 'Synced', undefined, 60_000);
    expect(count('UploadDomainCertificate')).toBe(1);
    expect(ours('lost').map((c) => c.id)).toEqual([g.status?.certificate?.id]);
    expect(servedSerial(f, domain)).toBe(leaf.serialNumber);
    expect(g.status?.pendingWrite).toBeUndefined();

    for (let i = 0; i < 2; i++) {
      const renewed = issueCertificate({ ca, dnsNames: [domain] });
      await putTlsSecret(f, 'lost-tls', renewed, ca);
      await waitForReason(
        f,
        'lost',
        'Synced',
        (x) => x.status?.certificate?.serialNumber === renewed.serialNumber,
        60_000,
      );
      expect(servedSerial(f, domain)).toBe(renewed.serialNumber);
    }
    expect(count('UploadDomainCertificate')).toBe(1);
    expect(ours('lost')).toHaveLength(1);
    // The faults did happen: every write lost its answer, each kind at least once.
    const writes = f.emulator.calls().calls.filter((c) => c.write);
    expect(writes.every((c) => c.fault?.startsWith('lost-'))).toBe(true);
    expect(new Set(writes.map((c) => c.fault)).size).toBeGreaterThan(1);
  });

  it('Shared mode: one create (adopted after its answer was lost), attached, one certificate', async () => {
    const gw = gateway(f);
    const leaf = issueCertificate({ ca, dnsNames: ['t04.example.org', 't05.example.org'] });
    await putTlsSecret(f, 'shared-lost-tls', leaf, ca);
    await createGdc(f, 'shared-lost', {
      ...domainSpec(f, 'unused', { secretName: 'shared-lost-tls' }),
      mode: 'Shared',
      gateway: { ...domainSpec(f, 'unused').gateway, domain: undefined, instanceId: undefined },
      domains: [
        { name: 't04.example.org', instanceIds: [gw.id] },
        { name: 't05.example.org', instanceIds: [gw.id] },
      ],
    });
    const g = await waitForReason(f, 'shared-lost', 'Synced', undefined, 60_000);
    expect(count('CreateCertificate')).toBe(1);
    expect(ours('shared-lost').map((c) => c.id)).toEqual([g.status?.certificate?.id]);
    expect(servedSerial(f, 't04.example.org')).toBe(leaf.serialNumber);
    expect(servedSerial(f, 't05.example.org')).toBe(leaf.serialNumber);
  });
});
