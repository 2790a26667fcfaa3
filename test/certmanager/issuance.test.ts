// The real cert-manager issues and renews (the way `cmctl renew` triggers it) certificates of every
// shape users ask for; the operator binds each one: the Secret's serial = the status' = what the
// gateway serves, with a bounded number of gateway calls per renewal. Variants run concurrently,
// each against its own gateway emulator so its call log is its own.

import { afterAll, describe, it } from 'vitest';
import type { GatewayDomainCertificateSpec } from '../../src/api/v1alpha1.ts';
import {
  chainOf,
  createCertificate,
  getCertificate,
  type Issued,
  renewCertificate,
  secretText,
  waitIssued,
} from '../support/certmanager-objects.ts';
import { INTERMEDIATE_CN } from '../support/certmanager-pki.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type FixtureBase,
  gateway,
  servedSerial,
  waitForReason,
} from '../support/operator.ts';
import { certManagerSuite, withEmulator } from './harness.ts';

const RENEWALS = 3;
const suite = certManagerSuite();

type Expect = typeof import('vitest')['expect'];

interface Variant {
  name: string;
  /** Certificate spec fields besides secretName. */
  certificate: Record<string, unknown>;
  /** The resource's spec, given the variant's own emulator. */
  gdc(v: FixtureBase, secretName: string): GatewayDomainCertificateSpec;
  /** Where the bound serial must be served: [domain, instanceId]. */
  served(v: FixtureBase): Array<[string, string]>;
  /** Per issuance (previous is undefined for the first). */
  check?(expect: Expect, now: Issued, previous?: Issued): void;
  /** Bounds per renewal: the floor, 1 write + 1 read-back per domain bound (in-place update). */
  maxCallsPerRenewal: number;
  maxWritesPerRenewal: number;
}

const fromRoot = { issuerRef: { name: 'root-ca', kind: 'Issuer' } };
const keyKept = (expect: Expect, now: Issued, previous?: Issued) => {
  if (previous) expect(secretText(now.secret, 'tls.key')).toBe(secretText(previous.secret, 'tls.key'));
};
const publicKey = (i: Issued) => chainOf(secretText(i.secret, 'tls.crt'))[0]?.publicKey;
const onFirstGateway = (domain: string) => (v: FixtureBase) =>
  [[domain, gateway(v).id]] as Array<[string, string]>;
const domainMode = (domain: string) => ({
  gdc: (v: FixtureBase, secretName: string) => domainSpec(v, domain, { secretName }),
  served: onFirstGateway(domain),
  maxCallsPerRenewal: 2,
  maxWritesPerRenewal: 1,
});

const variants: Variant[] = [
  {
    name: 'rsa-2048',
    certificate: {
      ...fromRoot,
      dnsNames: ['shop.example.com'],
      privateKey: { algorithm: 'RSA', size: 2048, rotationPolicy: 'Never' },
    },
    ...domainMode('shop.example.com'),
    check(expect, now, previous) {
      expect(publicKey(now)?.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(secretText(now.secret, 'tls.key')).toContain('-----BEGIN RSA PRIVATE KEY-----');
      keyKept(expect, now, previous);
    },
  },
  {
    name: 'ecdsa-p256',
    certificate: {
      ...fromRoot,
      dnsNames: ['api.example.com'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
    },
    ...domainMode('api.example.com'),
    check(expect, now, previous) {
      expect(publicKey(now)?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(secretText(now.secret, 'tls.key')).toContain('-----BEGIN EC PRIVATE KEY-----');
      keyKept(expect, now, previous);
    },
  },
  {
    name: 'pkcs8',
    certificate: {
      ...fromRoot,
      dnsNames: ['pay.example.com'],
      privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8', rotationPolicy: 'Never' },
    },
    ...domainMode('pay.example.com'),
    check(expect, now, previous) {
      expect(secretText(now.secret, 'tls.key')).toContain('-----BEGIN PRIVATE KEY-----');
      keyKept(expect, now, previous);
    },
  },
  {
    name: 'rotate-always',
    certificate: {
      ...fromRoot,
      dnsNames: ['t01.example.org'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
    ...domainMode('t01.example.org'),
    check(expect, now, previous) {
      // A new private key with every issuance: the gateway must get the matching pair each time.
      if (previous)
        expect(secretText(now.secret, 'tls.key')).not.toBe(secretText(previous.secret, 'tls.key'));
    },
  },
  {
    name: 'output-formats',
    certificate: {
      ...fromRoot,
      dnsNames: ['t02.example.org'],
      privateKey: { algorithm: 'ECDSA', size: 256 },
      additionalOutputFormats: [{ type: 'CombinedPEM' }, { type: 'DER' }],
    },
    ...domainMode('t02.example.org'),
    check(expect, now) {
      expect(secretText(now.secret, 'tls-combined.pem')).toContain('PRIVATE KEY-----');
      expect(now.secret.data?.['key.der']?.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'wildcard',
    certificate: { ...fromRoot, dnsNames: ['*.example.org'], privateKey: { algorithm: 'ECDSA', size: 256 } },
    ...domainMode('t03.example.org'),
  },
  {
    name: 'chain',
    certificate: {
      issuerRef: { name: 'intermediate-ca', kind: 'Issuer' },
      dnsNames: ['t04.example.org'],
      privateKey: { algorithm: 'ECDSA', size: 256 },
    },
    ...domainMode('t04.example.org'),
    check(expect, now) {
      // Leaf first, then the intermediate that signed it.
      const chain = chainOf(secretText(now.secret, 'tls.crt'));
      expect(chain.length).toBeGreaterThanOrEqual(2);
      expect(chain[0]?.issuer).toContain(INTERMEDIATE_CN);
      expect(chain[1]?.subject).toContain(INTERMEDIATE_CN);
    },
  },
  {
    name: 'shared',
    certificate: {
      ...fromRoot,
      dnsNames: ['www.example.com'],
      privateKey: { algorithm: 'ECDSA', size: 256 },
    },
    gdc: (v, secretName) => ({
      ...domainSpec(v, 'unused', { secretName, mode: 'Shared' }),
      gateway: {
        service: 'apig',
        endpoint: v.emulator.url,
        iamEndpoint: v.emulator.url,
        projectId: v.emulator.seed.projectId,
      },
      domains: [{ name: 'www.example.com', instanceIds: [gateway(v, 0).id, gateway(v, 1).id] }],
    }),
    served: (v) => [
      ['www.example.com', gateway(v, 0).id],
      ['www.example.com', gateway(v, 1).id],
    ],
    maxCallsPerRenewal: 3,
    maxWritesPerRenewal: 1,
  },
];

const perRenewal: Record<string, { calls: number; writes: number; counts: Record<string, number> }> = {};
afterAll(() => {
  // The figures behind the bounds, for the development notes.
  for (const [name, r] of Object.entries(perRenewal))
    console.log(
      `[cert-manager] ${name}: ${r.calls} calls, ${r.writes} writes per renewal ${JSON.stringify(r.counts)}`,
    );
});

describe.concurrent('issued and renewed by the real cert-manager, bound by the operator', () => {
  for (const variant of variants) {
    it(variant.name, { timeout: 300_000 }, async ({ expect }) => {
      const { f } = suite;
      await withEmulator(f, async (v) => {
        const emulator = v.emulator;
        const name = variant.name;
        const secretName = `${name}-tls`;
        const bound = async (issued: Issued) => {
          const g = await waitForReason(
            v,
            name,
            'Synced',
            (x) => x.status?.certificate?.serialNumber === issued.serial,
            90_000,
          );
          for (const [domain, instanceId] of variant.served(v))
            expect(servedSerial(v, domain, instanceId), `${domain} on ${instanceId}`).toBe(issued.serial);
          return g;
        };

        await createCertificate(f, name, { ...variant.certificate, secretName });
        const first = await waitIssued(f, name);
        variant.check?.(expect, first);
        await createGdc(v, name, variant.gdc(v, secretName));
        await bound(first);

        const startRevision = (await getCertificate(f, name)).status?.revision ?? 0;
        emulator.resetCalls();
        let previous = first;
        const serials = [first.serial];
        for (let i = 0; i < RENEWALS; i++) {
          const revision = await renewCertificate(f, name);
          const now = await waitIssued(f, name, revision);
          expect(now.serial).not.toBe(previous.serial);
          variant.check?.(expect, now, previous);
          await bound(now);
          serials.push(now.serial);
          previous = now;
        }
        // Replaced certificates are cleaned up (possibly after Ready): one left, the bound one.
        await waitFor(
          `${name}: only the bound certificate left on the gateway`,
          () => (emulator.state.certificates.length === 1 ? true : undefined),
          { timeoutMs: 60_000 },
        );
        expect(emulator.state.certificates[0]?.serial_number).toBe(previous.serial);
        const log = emulator.calls();
        const contentWrites =
          (log.counts.UploadDomainCertificate ?? 0) +
          (log.counts.UpdateCertificate ?? 0) +
          (log.counts.CreateCertificate ?? 0);
        // On failure, the sequence says whether cert-manager issued twice or the operator wrote twice.
        const sequence = log.calls.map((c) => `${c.at} ${c.operation} ${c.status}`).join('\n');
        // cert-manager now and then issues one more certificate than it was asked to (its revision says
        // so): every certificate it wrote may be pushed once, no more, and every renewal at least once.
        const issued = ((await getCertificate(f, name)).status?.revision ?? 0) - startRevision;
        const why = `serials ${serials.join(' → ')}; cert-manager issued ${issued} for ${RENEWALS} renewals; calls:\n${sequence}`;
        if (issued > RENEWALS)
          console.log(`[cert-manager] ${name}: ${issued} issuances for ${RENEWALS} renewals`);
        expect(contentWrites, `at least one certificate write per renewal; ${why}`).toBeGreaterThanOrEqual(
          RENEWALS,
        );
        expect(contentWrites, `at most one certificate write per issuance; ${why}`).toBeLessThanOrEqual(
          Math.max(issued, RENEWALS),
        );
        expect(log.writes, why).toBeLessThanOrEqual(variant.maxWritesPerRenewal * Math.max(issued, RENEWALS));
        expect(log.total, why).toBeLessThanOrEqual(variant.maxCallsPerRenewal * Math.max(issued, RENEWALS));
        perRenewal[name] = { calls: log.total / RENEWALS, writes: log.writes / RENEWALS, counts: log.counts };
      });
    });
  }
});
