// What users do around the real cert-manager, and what the gateway sees: the temporary certificate
// cert-manager writes while its issuer is missing, a Secret deleted and re-issued, a Certificate
// deleted and re-created, an Issuer that appears late, dnsNames changed so they no longer cover the
// domain and restored, a Certificate pointed at an issuer that is missing (not Ready: held back), a
// resource deleted with Detach. Scenarios run concurrently, each with its own gateway emulator.

import { describe, it } from 'vitest';
import { type GatewayDomainCertificateSpec, GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import {
  chainOf,
  createCertificate,
  createIssuer,
  deleteCertificate,
  getCertificate,
  type Issued,
  patchCertificateSpec,
  secretText,
  waitIssued,
} from '../support/certmanager-objects.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type FixtureBase,
  getGdc,
  servedSerial,
  waitForReason,
} from '../support/operator.ts';
import { certManagerSuite, withEmulator } from './harness.ts';

const suite = certManagerSuite();
const fromRoot = {
  issuerRef: { name: 'root-ca', kind: 'Issuer' },
  privateKey: { algorithm: 'ECDSA', size: 256 },
};

/** Waits until the resource is Synced on `issued`'s serial and the domain serves it. */
async function bound(v: FixtureBase, name: string, domain: string, issued: Issued) {
  const g = await waitForReason(
    v,
    name,
    'Synced',
    (x) => x.status?.certificate?.serialNumber === issued.serial,
    90_000,
  );
  if (servedSerial(v, domain) !== issued.serial) throw new Error(`${domain} does not serve ${issued.serial}`);
  return g;
}

const contentWrites = (v: FixtureBase) => {
  const c = v.emulator.calls().counts;
  return (c.UploadDomainCertificate ?? 0) + (c.UpdateCertificate ?? 0) + (c.CreateCertificate ?? 0);
};

/** A Certificate `name` for `domain` issued from the root CA into `<name>-tls`, and a resource bound to it. */
async function issuedAndBound(
  f: FixtureBase,
  v: FixtureBase,
  name: string,
  domain: string,
  gdc: Partial<GatewayDomainCertificateSpec> = {},
): Promise<Issued> {
  await createCertificate(f, name, { ...fromRoot, secretName: `${name}-tls`, dnsNames: [domain] });
  const issued = await waitIssued(f, name);
  await createGdc(v, name, domainSpec(v, domain, { secretName: `${name}-tls`, ...gdc }));
  await bound(v, name, domain, issued);
  return issued;
}

describe.concurrent('the real cert-manager around a bound resource', () => {
  it("cert-manager's temporary certificate is never pushed: IssuancePending until the real one, bound once", {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      await createCertificate(
        f,
        'temp',
        {
          ...fromRoot,
          issuerRef: { name: 'temp-ca', kind: 'Issuer' },
          secretName: 'temp-tls',
          dnsNames: ['t05.example.org'],
        },
        { 'cert-manager.io/issue-temporary-certificate': 'true' },
      );
      // The Issuer does not exist yet: cert-manager writes its self-signed placeholder into the Secret.
      const placeholder = await waitFor(
        'temporary certificate in temp-tls',
        async () => {
          const s = await f.core
            .readNamespacedSecret({ name: 'temp-tls', namespace: f.ns })
            .catch(() => undefined);
          const crt = s && chainOf(secretText(s, 'tls.crt'))[0];
          return crt?.issuer.includes('cert-manager.local') ? crt : undefined;
        },
        { timeoutMs: 60_000 },
      );
      await createGdc(v, 'temp', domainSpec(v, 't05.example.org', { secretName: 'temp-tls' }));
      const pending = await waitForReason(v, 'temp', 'IssuancePending', () => true, 60_000);
      // It names the Certificate to look at.
      expect(pending.status?.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(
        new RegExp(`Certificate ${f.ns}/temp\\b`),
      );
      expect(servedSerial(v, 't05.example.org')).toBeUndefined();
      expect(contentWrites(v)).toBe(0);

      await createIssuer(f, 'temp-ca', { ca: { secretName: 'root-ca-tls' } });
      const issued = await waitIssued(f, 'temp');
      expect(issued.serial).not.toBe(BigInt(`0x${placeholder.serialNumber}`).toString(10));
      await bound(v, 'temp', 't05.example.org', issued);
      expect(contentWrites(v)).toBe(1);
    });
  });

  it('a deleted Secret is re-issued by cert-manager and the new certificate bound once', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      const first = await issuedAndBound(f, v, 'regen', 't06.example.org');

      v.emulator.resetCalls();
      await f.core.deleteNamespacedSecret({ name: 'regen-tls', namespace: f.ns });
      const again = await waitIssued(f, 'regen', 2);
      expect(again.serial).not.toBe(first.serial);
      await bound(v, 'regen', 't06.example.org', again);
      expect(contentWrites(v)).toBe(1);
    });
  });

  it('deleting the Certificate changes nothing at the gateway; re-creating it adopts the Secret', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      const first = await issuedAndBound(f, v, 'gone', 't07.example.org', { verifyInterval: '2s' });
      const spec = (await getCertificate(f, 'gone')).spec;

      v.emulator.resetCalls();
      const deletedAt = new Date();
      await deleteCertificate(f, 'gone');
      await waitFor('Certificate gone to be deleted', async () =>
        (await getCertificate(f, 'gone').catch((e) => (e.code === 404 ? undefined : Promise.reject(e))))
          ? undefined
          : true,
      );
      const requests = (await f.custom.listNamespacedCustomObject({
        group: 'cert-manager.io',
        version: 'v1',
        namespace: f.ns,
        plural: 'certificaterequests',
      })) as { items: Array<{ metadata: { ownerReferences?: Array<{ name: string }> } }> };
      expect(
        requests.items.filter((r) => r.metadata.ownerReferences?.some((o) => o.name === 'gone')),
      ).toHaveLength(0);
      // A verify after the deletion: the operator looked again and kept the binding, writing nothing.
      const verified = await waitForReason(
        v,
        'gone',
        'Synced',
        (g) => Date.parse(g.status?.lastVerifiedTime ?? '') > deletedAt.getTime() + 1000,
        60_000,
      );
      expect(verified.status?.certificate?.serialNumber).toBe(first.serial);
      expect(servedSerial(v, 't07.example.org')).toBe(first.serial);
      expect(v.emulator.calls().writes).toBe(0);

      // Re-created over the Secret it left: Ready, and the gateway keeps what matches the Secret.
      await createCertificate(f, 'gone', spec);
      const adopted = await waitIssued(f, 'gone', 0);
      expect(adopted.serial).toBe(first.serial);
      await bound(v, 'gone', 't07.example.org', adopted);
      expect(v.emulator.calls().writes).toBe(0);
    });
  });

  it('an Issuer created late: SecretNotFound until cert-manager can issue, then bound', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      await createCertificate(f, 'late', {
        ...fromRoot,
        issuerRef: { name: 'late-ca', kind: 'Issuer' },
        secretName: 'late-tls',
        dnsNames: ['t08.example.org'],
      });
      await createGdc(v, 'late', domainSpec(v, 't08.example.org', { secretName: 'late-tls' }));
      const waiting = await waitForReason(v, 'late', 'SecretNotFound', () => true, 60_000);
      expect(waiting.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('late-tls');
      const crt = await getCertificate(f, 'late');
      expect(crt.status?.conditions?.find((c) => c.type === 'Ready')?.status).not.toBe('True');

      await createIssuer(f, 'late-ca', { ca: { secretName: 'root-ca-tls' } });
      const issued = await waitIssued(f, 'late');
      await bound(v, 'late', 't08.example.org', issued);
      expect(contentWrites(v)).toBe(1);
    });
  });

  it('dnsNames that stop covering the domain: DomainNotCovered, the domain keeps its certificate; restored: bound', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      const first = await issuedAndBound(f, v, 'rename', 't09.example.org');

      v.emulator.resetCalls();
      await patchCertificateSpec(f, 'rename', { dnsNames: ['elsewhere.example.net'] });
      const elsewhere = await waitIssued(f, 'rename', 2);
      const refused = await waitForReason(v, 'rename', 'DomainNotCovered', () => true, 60_000);
      expect(refused.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        't09.example.org',
      );
      expect(elsewhere.serial).not.toBe(first.serial);
      expect(servedSerial(v, 't09.example.org')).toBe(first.serial);
      expect(contentWrites(v)).toBe(0);

      await patchCertificateSpec(f, 'rename', { dnsNames: ['t09.example.org'] });
      const restored = await waitIssued(f, 'rename', 3);
      await bound(v, 'rename', 't09.example.org', restored);
      expect(contentWrites(v)).toBe(1);
    });
  });

  it('a Certificate re-issuing with its issuer missing: IssuancePending naming it, the domain keeps its serial; issuer back: bound once', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      const first = await issuedAndBound(f, v, 'stall', 't11.example.org');

      v.emulator.resetCalls();
      // A new issuer that does not exist yet: cert-manager marks the Certificate not Ready (the Secret
      // was issued by another issuer) and cannot issue; the Secret keeps the old, valid certificate.
      await patchCertificateSpec(f, 'stall', { issuerRef: { name: 'stall-ca', kind: 'Issuer' } });
      const pending = await waitForReason(v, 'stall', 'IssuancePending', () => true, 60_000);
      const message = pending.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
      expect(message).toMatch(new RegExp(`Certificate ${f.ns}/stall is not Ready`));
      expect(message).toContain(`the gateway keeps serving serial ${first.serial}`);
      expect(servedSerial(v, 't11.example.org')).toBe(first.serial);
      expect(contentWrites(v)).toBe(0);

      await createIssuer(f, 'stall-ca', { ca: { secretName: 'root-ca-tls' } });
      const issued = await waitIssued(f, 'stall', 2);
      expect(issued.serial).not.toBe(first.serial);
      await bound(v, 'stall', 't11.example.org', issued);
      expect(contentWrites(v)).toBe(1);
    });
  });

  it('a resource deleted with Detach unbinds the domain and deletes its certificate; cert-manager is untouched', {
    timeout: 300_000,
  }, async ({ expect }) => {
    const { f } = suite;
    await withEmulator(f, async (v) => {
      const issued = await issuedAndBound(f, v, 'detach', 't10.example.org', { deletionPolicy: 'Detach' });

      await f.custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name: 'detach',
      });
      await waitFor('detach to be gone', async () => ((await getGdc(v, 'detach')) ? undefined : true), {
        timeoutMs: 60_000,
      });
      expect(servedSerial(v, 't10.example.org')).toBeUndefined();
      expect(v.emulator.state.certificates).toHaveLength(0);
      const still = await waitIssued(f, 'detach');
      expect(still.serial).toBe(issued.serial);
    });
  });
});
