// cert-manager's temporary certificate (Certificate annotated `cert-manager.io/issue-temporary-certificate`,
// issuer slow or failing) is never pushed: the domain keeps its last good certificate, the status says
// IssuancePending naming the Certificate, and the real certificate is bound once when it arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGdc,
  domainSpec,
  type Fixture,
  putCredentials,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForEvent,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate, type TestCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'issuance CA', keyType: 'ec' });

beforeAll(async () => {
  f = await startFixture();
  await putCredentials(f);
});
afterAll(async () => f?.stop());

/** The annotations and label cert-manager's issuing controller writes on a Certificate's Secret. */
function certManagerMeta(certificate: string, leaf: TestCertificate) {
  return {
    annotations: {
      'cert-manager.io/certificate-name': certificate,
      'cert-manager.io/issuer-name': 'letsencrypt',
      'cert-manager.io/issuer-kind': 'ClusterIssuer',
      'cert-manager.io/issuer-group': 'cert-manager.io',
      'cert-manager.io/common-name': leaf.commonName,
      'cert-manager.io/alt-names': leaf.commonName,
      'cert-manager.io/ip-sans': '',
      'cert-manager.io/uri-sans': '',
    },
    labels: { 'controller.cert-manager.io/fao': 'true' },
  };
}

/** What cert-manager writes while the issuer has not answered: signed by a throw-away `cert-manager.local` CA. */
function temporaryCertificate(dnsName: string): { leaf: TestCertificate; ca: TestCertificate } {
  const throwAway = createCA({ commonName: 'cert-manager.local', keyType: 'ec' });
  return { leaf: issueCertificate({ ca: throwAway, dnsNames: [dnsName], keyType: 'ec' }), ca: throwAway };
}

describe('cert-manager temporary certificate', () => {
  it('is never uploaded; the domain keeps the previous serial; the real one is bound once', async () => {
    const domain = 't01.example.org';
    const first = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
    await putTlsSecret(f, 'tmp-tls', first, ca, {}, certManagerMeta('shop-cert', first));
    await createGdc(f, 'tmp', domainSpec(f, domain, { secretName: 'tmp-tls' }));
    await waitForReason(f, 'tmp', 'Synced');
    expect(servedSerial(f, domain)).toBe(first.serialNumber);

    // Re-issuance with a slow issuer: cert-manager puts its temporary certificate in the Secret.
    f.emulator.resetCalls();
    const tmp = temporaryCertificate(domain);
    await putTlsSecret(f, 'tmp-tls', tmp.leaf, tmp.ca, {}, certManagerMeta('shop-cert', tmp.leaf));
    const pending = await waitForReason(f, 'tmp', 'IssuancePending');
    const ready = pending.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain(`Certificate ${f.ns}/shop-cert`);
    expect(ready?.message).toContain(first.serialNumber);
    expect(pending.status?.failures ?? 0).toBe(0);
    expect(f.emulator.calls().writes).toBe(0);
    expect(servedSerial(f, domain)).toBe(first.serialNumber);
    await waitForEvent(f, 'tmp', (e) => e.reason === 'IssuancePending' && e.type === 'Normal');

    // The issuer answers: the real certificate replaces the temporary one in the Secret.
    const real = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
    await putTlsSecret(f, 'tmp-tls', real, ca, {}, certManagerMeta('shop-cert', real));
    const synced = await waitForReason(
      f,
      'tmp',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === real.serialNumber,
    );
    expect(servedSerial(f, domain)).toBe(real.serialNumber);
    const counts = f.emulator.calls().counts;
    expect((counts.UploadDomainCertificate ?? 0) + (counts.UpdateCertificate ?? 0)).toBe(1);
    const ours = f.emulator.state.certificates.filter((c) => c.name === synced.status?.certificate?.name);
    expect(ours.map((c) => c.serial_number)).toEqual([real.serialNumber]);
  });

  it('judges a Secret without cert-manager annotations on its content alone', async () => {
    const domain = 't02.example.org';
    const tmp = temporaryCertificate(domain);
    await putTlsSecret(f, 'plain-tls', tmp.leaf, tmp.ca);
    f.emulator.resetCalls();
    await createGdc(f, 'plain', domainSpec(f, domain, { secretName: 'plain-tls' }));
    const pending = await waitForReason(f, 'plain', 'IssuancePending');
    expect(pending.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
      'nothing is pushed until then',
    );
    expect(f.emulator.calls().writes).toBe(0);
    expect(servedSerial(f, domain)).toBeUndefined();
  });
});
