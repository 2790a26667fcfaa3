// cert-manager's temporary certificate (Certificate annotated `cert-manager.io/issue-temporary-certificate`,
// issuer slow or failing) is never pushed: the domain keeps its last good certificate, the status says
// IssuancePending naming the Certificate, and the real certificate is bound once when it arrives.
// Likewise a valid certificate in the Secret of a Certificate that is not Ready yet (cert-manager's CRDs
// applied, the Certificate and its status written by hand): held back until the Certificate is Ready.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCertManagerCrds } from '../support/certmanager.ts';
import { createCertificate, getCertificate } from '../support/certmanager-objects.ts';
import { kubectl, waitFor } from '../support/kube.ts';
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
  // Before the operator starts, so its Certificate watch finds the CRD at once (no recheck to wait for).
  await installCertManagerCrds(kubectl);
  f = await startFixture();
  await putCredentials(f);
}, 120_000);
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

/** Writes the Certificate's Ready condition through the status subresource, as cert-manager would. */
async function setReady(name: string, status: 'True' | 'False', reason: string, message: string) {
  const generation = (await getCertificate(f, name)).metadata.generation;
  await f.custom.patchNamespacedCustomObjectStatus(
    {
      group: 'cert-manager.io',
      version: 'v1',
      namespace: f.ns,
      plural: 'certificates',
      name,
      body: {
        status: {
          conditions: [
            {
              type: 'Ready',
              status,
              reason,
              message,
              observedGeneration: generation,
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

const pendingLines = (name: string) =>
  f.logs.filter((l) => l.includes('"reason":"IssuancePending"') && l.includes(`${f.ns}/${name}`)).length;

describe('a Certificate that is not Ready', () => {
  it('holds a valid new certificate back: 0 uploads, IssuancePending naming it; Ready=True: bound once', async () => {
    const domain = 't03.example.org';
    await createCertificate(f, 'site', {
      secretName: 'site-tls',
      dnsNames: [domain],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    });
    await setReady('site', 'True', 'Ready', 'Certificate is up to date and has not expired');
    const first = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
    await putTlsSecret(f, 'site-tls', first, ca, {}, certManagerMeta('site', first));
    await createGdc(f, 'site', domainSpec(f, domain, { secretName: 'site-tls' }));
    await waitForReason(
      f,
      'site',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === first.serialNumber,
    );

    // cert-manager re-issues (e.g. dnsNames changed): Ready=False before the new certificate lands.
    f.emulator.resetCalls();
    await setReady('site', 'False', 'DoesNotMatch', 'Existing issued Secret is not up to date for spec');
    const pending = await waitForReason(f, 'site', 'IssuancePending');
    const message = pending.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toContain(`Certificate ${f.ns}/site is not Ready`);
    expect(message).toContain('DoesNotMatch');
    expect(message).toContain(`the gateway keeps serving serial ${first.serialNumber}`);
    expect(pending.status?.failures ?? 0).toBe(0);

    // A valid certificate arrives in the Secret while the Certificate still says not Ready: held back.
    const seen = pendingLines('site');
    const next = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
    await putTlsSecret(f, 'site-tls', next, ca, {}, certManagerMeta('site', next));
    await waitFor('the new Secret judged', () => pendingLines('site') > seen, { timeoutMs: 30_000 });
    expect(f.emulator.calls().writes).toBe(0);
    expect(servedSerial(f, domain)).toBe(first.serialNumber);
    const still = await waitForReason(f, 'site', 'IssuancePending');
    expect(still.status?.certificate?.serialNumber).toBe(first.serialNumber);

    // Ready for its generation: the Certificate watch wakes the resource, the new certificate is bound once.
    await setReady('site', 'True', 'Ready', 'Certificate is up to date and has not expired');
    await waitForReason(
      f,
      'site',
      'Synced',
      (g) => g.status?.certificate?.serialNumber === next.serialNumber,
    );
    expect(servedSerial(f, domain)).toBe(next.serialNumber);
    const counts = f.emulator.calls().counts;
    expect((counts.UploadDomainCertificate ?? 0) + (counts.UpdateCertificate ?? 0)).toBe(1);
  });

  it('a Secret naming another Certificate than the one writing it is judged on content alone', async () => {
    const domain = 't04.example.org';
    await createCertificate(f, 'other', {
      secretName: 'other-tls',
      dnsNames: [domain],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    });
    await setReady('other', 'False', 'Issuing', 'Issuing certificate as Secret does not exist');
    const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec' });
    await putTlsSecret(f, 'other-tls', leaf, ca, {}, certManagerMeta('someone-else', leaf));
    await createGdc(f, 'other', domainSpec(f, domain, { secretName: 'other-tls' }));
    await waitForReason(f, 'other', 'Synced');
    expect(servedSerial(f, domain)).toBe(leaf.serialNumber);
  });
});
