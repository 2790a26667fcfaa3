// The IssuancePending decision from the Certificate itself: only a Secret that names a cached
// Certificate writing it, while that Certificate is not Ready for its current spec, is held back.
import { describe, expect, it } from 'vitest';
import type { GatewayDomainCertificate } from '../../src/api/v1alpha1.ts';
import { CertificateIndex, compactCertificate } from '../../src/controller/certificates.ts';
import { type CertificateState, certificateReady, pendingIssuance } from '../../src/reconciler/issuance.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

const ca = createCA();
const leaf = issueCertificate({ ca, dnsNames: ['shop.example.com'] });
const gdc = {
  metadata: { namespace: 'apps', name: 'shop' },
  spec: { secretName: 'shop-tls' },
  status: { certificate: { serialNumber: '42' } },
} as unknown as GatewayDomainCertificate;
const tls = (certificate = 'shop') => ({
  certPem: leaf.certPem,
  keyPem: leaf.keyPem,
  annotations: { 'cert-manager.io/certificate-name': certificate },
});
const cert = (ready: CertificateState['ready'], over: Partial<CertificateState> = {}): CertificateState => ({
  name: 'shop',
  secretName: 'shop-tls',
  generation: 2,
  ...(ready ? { ready } : {}),
  ...over,
});

describe('pendingIssuance from the Certificate', () => {
  it('holds back a valid certificate while its Certificate is not Ready, naming it and the serial kept', () => {
    const f = pendingIssuance(
      gdc,
      tls(),
      cert({ status: 'False', reason: 'DoesNotMatch', message: 'dnsNames changed', observedGeneration: 2 }),
    );
    expect(f?.reason).toBe('IssuancePending');
    expect(f?.disposition).toBe('terminal');
    expect(f?.message).toContain(
      'Certificate apps/shop is not Ready (Ready=False: DoesNotMatch: dnsNames changed)',
    );
    expect(f?.message).toContain('the gateway keeps serving serial 42');
  });

  it('counts a missing Ready, Unknown, and a Ready=True of an older generation as not Ready', () => {
    expect(pendingIssuance(gdc, tls(), cert(undefined))?.message).toContain('no Ready condition yet');
    expect(pendingIssuance(gdc, tls(), cert({ status: 'Unknown' }))?.reason).toBe('IssuancePending');
    const stale = pendingIssuance(gdc, tls(), cert({ status: 'True', observedGeneration: 1 }));
    expect(stale?.message).toContain('Ready for generation 1, spec is at 2');
  });

  it('pushes when Ready=True for the current generation (a renewal in flight is Issuing=True beside it)', () => {
    expect(pendingIssuance(gdc, tls(), cert({ status: 'True', observedGeneration: 2 }))).toBeUndefined();
    expect(certificateReady(cert({ status: 'True' }))).toBe(true);
  });

  it('judges on content alone without the annotation, the Certificate, or when they disagree', () => {
    const notReady = cert({ status: 'False', observedGeneration: 2 });
    expect(pendingIssuance(gdc, { certPem: leaf.certPem, keyPem: leaf.keyPem }, notReady)).toBeUndefined();
    expect(pendingIssuance(gdc, tls(), undefined)).toBeUndefined();
    expect(pendingIssuance(gdc, tls('other'), notReady)).toBeUndefined();
    expect(pendingIssuance(gdc, tls(), { ...notReady, secretName: 'elsewhere-tls' })).toBeUndefined();
  });
});

describe('the Certificate cache', () => {
  const obj = (secretName: string, conditions: object[], generation = 1) => ({
    metadata: { namespace: 'apps', name: 'shop', generation, managedFields: [{}] },
    spec: { secretName, dnsNames: ['shop.example.com'], issuerRef: { name: 'ca' } },
    status: { conditions, revision: 3, notAfter: '2027-01-01T00:00:00Z' },
  });

  it('keeps only the Secret name, generation and Ready; a Ready one keeps no text', () => {
    const ready = compactCertificate(
      obj('shop-tls', [
        { type: 'Ready', status: 'True', reason: 'Ready', message: 'up to date', observedGeneration: 1 },
      ]),
    );
    expect(ready).toEqual({
      name: 'shop',
      secretName: 'shop-tls',
      generation: 1,
      ready: { status: 'True', observedGeneration: 1 },
    });
    const failing = compactCertificate(
      obj('shop-tls', [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'x'.repeat(1000) }]),
    );
    expect(failing.ready?.message).toHaveLength(200);
  });

  it('maps Secrets to Certificates and reports the Secrets to look at only when the verdict changes', () => {
    const idx = new CertificateIndex();
    const notReady = cert({ status: 'False', reason: 'Issuing', observedGeneration: 2 });
    expect(idx.update('apps/shop', notReady, undefined)).toEqual(['apps/shop-tls']);
    expect(idx.certificateFor('apps/shop-tls')).toBe('apps/shop');
    // A status write that changes nothing the reconciler reads: no work.
    expect(idx.update('apps/shop', { ...notReady }, notReady)).toEqual([]);
    const ready = cert({ status: 'True', observedGeneration: 2 });
    expect(idx.update('apps/shop', ready, notReady)).toEqual(['apps/shop-tls']);
    // Pointed at another Secret: both are looked at again.
    const moved = cert({ status: 'False', observedGeneration: 3 }, { secretName: 'new-tls', generation: 3 });
    expect(idx.update('apps/shop', moved, ready)).toEqual(['apps/shop-tls', 'apps/new-tls']);
    expect(idx.certificateFor('apps/shop-tls')).toBeUndefined();
    expect(idx.update('apps/shop', undefined, moved)).toEqual(['apps/new-tls']);
  });
});
